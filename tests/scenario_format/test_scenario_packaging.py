"""The catalogue ships in the wheel and loads by id from an installed copy in any directory."""
import zipfile

from graphviz_nn.scenario_format import catalogue_ids


def test_wheel_ships_the_catalogue_and_loads_it_by_id(built_wheel, run_from_elsewhere):
    wheel, site = built_wheel
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {f"graphviz_nn/scenarios/{i}.toml" for i in catalogue_ids()} <= names
    code = ("import graphviz_nn; s = graphviz_nn.load_scenario('sigmoid-neuron'); "
            "print(graphviz_nn.__file__); print(round(s.build()['f'].data, 2))")
    location, value = run_from_elsewhere(site, code).split()
    assert location.startswith(str(site)) and value == "0.73"
