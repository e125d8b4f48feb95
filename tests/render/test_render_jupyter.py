"""The notebook display: a real kernel runs draw_dot and show, and the outputs hold an SVG."""
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from render_helpers import svg_texts

ROOT = Path(__file__).resolve().parents[2]

CELLS = [
    "from graphviz_nn import Value, draw_dot, show\n"
    "a = Value(2.0, label='a'); b = Value(-3.0, label='b'); c = Value(10.0, label='c')\n"
    "L = (a * b + c) * Value(-2.0, label='f')\n"
    "L.label = 'L'",
    "draw_dot(L, style='lecture')",
    "show(a * b)",
]


def test_notebook_displays_svg_inline():
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(src) for src in CELLS]
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    client = NotebookClient(notebook, timeout=120, kernel_name="python3",
                            resources={"metadata": {"path": str(ROOT)}})
    client.execute()
    drawn, shown = notebook.cells[1].outputs, notebook.cells[2].outputs
    assert [o["output_type"] for o in drawn] == ["execute_result"]
    assert [o["output_type"] for o in shown] == ["display_data"]
    svg = drawn[0]["data"]["image/svg+xml"]
    texts = svg_texts(svg.encode())
    # L = (2·-3 + 10)·-2 = -8; dL/da = -2·b = 6.00
    assert "-8.00" in texts and "6.00" in texts and "L" in texts
    assert "-6.00" in svg_texts(shown[0]["data"]["image/svg+xml"].encode())
