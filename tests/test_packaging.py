"""The wheel: imports as graphviz_nn from any directory and puts nothing generic in site-packages."""
import zipfile


def test_wheel_ships_everything_inside_the_graphviz_nn_namespace(built_wheel):
    wheel, _ = built_wheel
    names = zipfile.ZipFile(wheel).namelist()
    top_level = {n.split("/")[0] for n in names}
    assert top_level == {"graphviz_nn", next(t for t in top_level if t.endswith(".dist-info"))}
    assert "graphviz_nn/tui/__init__.py" in names
    assert "graphviz_nn/scenarios/__init__.py" in names
    assert "graphviz_nn/ops.py" in names


def test_wheel_imports_from_any_directory(built_wheel, run_from_elsewhere):
    _, site = built_wheel
    code = ("import graphviz_nn, graphviz_nn.tui, graphviz_nn.scenarios; "
            "print(graphviz_nn.__file__); print(graphviz_nn.tui.__file__)")
    out = run_from_elsewhere(site, code)
    assert out.split() and all(line.startswith(str(site)) for line in out.split())
