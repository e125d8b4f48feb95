"""The wheel: imports as graphviz_nn from any directory and puts nothing generic in site-packages."""
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def build_wheel(tmp_path) -> Path:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(tmp_path), str(ROOT)],
        check=True, capture_output=True, cwd=tmp_path,
    )
    (wheel,) = tmp_path.glob("graphviz_nn-*.whl")
    return wheel


def test_wheel_ships_everything_inside_the_graphviz_nn_namespace(tmp_path):
    wheel = build_wheel(tmp_path)
    names = zipfile.ZipFile(wheel).namelist()
    top_level = {n.split("/")[0] for n in names}
    assert top_level == {"graphviz_nn", next(t for t in top_level if t.endswith(".dist-info"))}
    assert "graphviz_nn/tui/__init__.py" in names
    assert "graphviz_nn/scenarios/__init__.py" in names
    assert "graphviz_nn/ops.py" in names


def test_wheel_imports_from_any_directory(tmp_path):
    wheel = build_wheel(tmp_path)
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    code = ("import graphviz_nn, graphviz_nn.tui, graphviz_nn.scenarios; "
            "print(graphviz_nn.__file__); print(graphviz_nn.tui.__file__)")
    result = subprocess.run([sys.executable, "-I", "-c", f"import sys; sys.path.insert(0, {str(site)!r}); {code}"],
                            check=True, capture_output=True, text=True, cwd=elsewhere)
    assert all(line.startswith(str(site)) for line in result.stdout.split())
