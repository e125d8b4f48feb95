"""Shared graphs and an SVG reader for the renderer's tests (imported by name: unique basename)."""
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

from graphviz_nn import Value

SVG = "{http://www.w3.org/2000/svg}"


def build_sigmoid_neuron():
    """The CS231n neuron of the lecture: f = 1 / (1 + exp(-(w0*x0 + w1*x1 + w2)))."""
    w0, x0 = Value(2.0, label="w0"), Value(-1.0, label="x0")
    w1, x1 = Value(-3.0, label="w1"), Value(-2.0, label="x1")
    w2 = Value(-3.0, label="w2")
    f = 1 / (1 + (-(w0 * x0 + w1 * x1 + w2)).exp())
    f.label = "f"
    return f


def svg_texts(svg) -> list:
    """Every piece of text an SVG shows, as a reader sees it (entities decoded)."""
    root = ET.fromstring(svg if isinstance(svg, (bytes, str)) else svg)
    return ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]


def svg_root(svg):
    return ET.fromstring(svg)


def run_notebook(cells, timeout: int = 120):
    """A new notebook of ``cells`` executed by a real Python kernel in the repository's folder."""
    import nbformat
    from nbclient import NotebookClient

    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(src) for src in cells]
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    NotebookClient(notebook, timeout=timeout, kernel_name="python3",
                   resources={"metadata": {"path": str(Path(__file__).resolve().parents[2])}}).execute()
    return notebook


CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run",
                  "--disable-dev-shm-usage"]


def chromium_binary() -> str:
    # installed by scripts/setup.sh --dev; a missing browser must fail the test, not skip it
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    assert found, "chromium is not installed: run scripts/setup.sh --dev"
    return found
