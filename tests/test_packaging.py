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


def test_the_package_imports_only_the_engine_and_every_public_name_resolves():
    # issue 23: the app's first screen must not pay for the renderer, the player, the schema
    # or the optimisers; each public name is imported on first use and is the real object
    import subprocess
    import sys
    code = ("import sys, graphviz_nn; "
            "print(sorted(m for m in sys.modules if m.startswith('graphviz_nn')))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    for heavy in ("render", "scenario_format", "debugger", "tensor", "losses", "optim", "launch_app"):
        assert f"graphviz_nn.{heavy}" not in loaded, heavy
    import graphviz_nn
    from graphviz_nn import gradcheck, losses, render, scenario_format  # noqa: F401 (submodules first)
    for name in graphviz_nn.__all__:
        obj = getattr(graphviz_nn, name)
        assert not isinstance(obj, type(sys)), f"graphviz_nn.{name} is a module, not the public object"
    assert graphviz_nn.mse is losses.mse and graphviz_nn.Scenario is scenario_format.Scenario
    assert set(graphviz_nn.__all__) <= set(dir(graphviz_nn))
