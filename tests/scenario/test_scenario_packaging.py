"""The catalogue ships in the wheel and loads by id from an installed copy in any directory."""
import subprocess
import sys
import zipfile
from pathlib import Path

from graphviz_nn.scenario import catalogue_ids

ROOT = Path(__file__).resolve().parents[2]


def test_wheel_ships_the_catalogue_and_loads_it_by_id(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w",
                    str(tmp_path), str(ROOT)], check=True, capture_output=True, cwd=tmp_path)
    (wheel,) = tmp_path.glob("graphviz_nn-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {f"graphviz_nn/scenarios/{i}.toml" for i in catalogue_ids()} <= names
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    code = ("import graphviz_nn; s = graphviz_nn.load_scenario('sigmoid-neuron'); "
            "print(graphviz_nn.__file__); print(round(s.build()['f'].data, 2))")
    result = subprocess.run([sys.executable, "-I", "-c", f"import sys; sys.path.insert(0, {str(site)!r}); {code}"],
                            check=True, capture_output=True, text=True, cwd=elsewhere)
    location, value = result.stdout.split()
    assert location.startswith(str(site)) and value == "0.73"
