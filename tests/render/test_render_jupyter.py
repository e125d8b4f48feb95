"""The notebook display: a real kernel runs draw_dot and show, and the outputs hold an SVG."""
from render_helpers import run_notebook, svg_texts


CELLS = [
    "from graphviz_nn import Value, draw_dot, show\n"
    "a = Value(2.0, label='a'); b = Value(-3.0, label='b'); c = Value(10.0, label='c')\n"
    "L = (a * b + c) * Value(-2.0, label='f')\n"
    "L.label = 'L'",
    "draw_dot(L, style='lecture')",
    "show(a * b)",
]


def test_notebook_displays_svg_inline():
    notebook = run_notebook(CELLS)
    drawn, shown = notebook.cells[1].outputs, notebook.cells[2].outputs
    assert [o["output_type"] for o in drawn] == ["execute_result"]
    assert [o["output_type"] for o in shown] == ["display_data"]
    svg = drawn[0]["data"]["image/svg+xml"]
    texts = svg_texts(svg.encode())
    # L = (2·-3 + 10)·-2 = -8; dL/da = -2·b = 6.00
    assert "-8.00" in texts and "6.00" in texts and "L" in texts
    assert "-6.00" in svg_texts(shown[0]["data"]["image/svg+xml"].encode())


# The video lecture's notebook, cell by cell, with only the import changed.
LECTURE = [
    "import math\n"
    "from graphviz import Digraph\n"
    "from graphviz_nn import Value, draw_dot, gradcheck",
    # inputs x1, x2; weights w1, w2; bias b (chosen so that o = tanh(n) = 0.7071)
    "x1 = Value(2.0, label='x1')\nx2 = Value(0.0, label='x2')\n"
    "w1 = Value(-3.0, label='w1')\nw2 = Value(1.0, label='w2')\n"
    "b = Value(6.8813735870195432, label='b')\n"
    "x1w1 = x1*w1; x1w1.label = 'x1*w1'\nx2w2 = x2*w2; x2w2.label = 'x2*w2'\n"
    "x1w1x2w2 = x1w1 + x2w2; x1w1x2w2.label = 'x1*w1 + x2*w2'\n"
    "n = x1w1x2w2 + b; n.label = 'n'\no = n.tanh(); o.label = 'o'",
    "draw_dot(o)",
    "o.grad = 1.0\no._backward()\nn._backward()\nb._backward()\n"
    "x1w1x2w2._backward()\nx2w2._backward()\nx1w1._backward()\n"
    "print(round(x1.grad, 6), round(w1.grad, 6), round(x2.grad, 6), round(w2.grad, 6))",
    "draw_dot(o)",
    # the lecture's own drawing code, reading _prev and _op
    "def trace(root):\n"
    "  nodes, edges = set(), set()\n"
    "  def build(v):\n"
    "    if v not in nodes:\n"
    "      nodes.add(v)\n"
    "      for child in v._prev:\n"
    "        edges.add((child, v))\n"
    "        build(child)\n"
    "  build(root)\n"
    "  return nodes, edges\n"
    "def lecture_draw_dot(root, format='svg', rankdir='LR'):\n"
    "  nodes, edges = trace(root)\n"
    "  dot = Digraph(format=format, graph_attr={'rankdir': rankdir})\n"
    "  for n in nodes:\n"
    "    dot.node(name=str(id(n)), label='{ %s | data %.4f | grad %.4f }' % (n.label, n.data, n.grad), shape='record')\n"
    "    if n._op:\n"
    "      dot.node(name=str(id(n)) + n._op, label=n._op)\n"
    "      dot.edge(str(id(n)) + n._op, str(id(n)))\n"
    "  for n1, n2 in edges:\n"
    "    dot.edge(str(id(n1)), str(id(n2)) + n2._op)\n"
    "  return dot\n"
    "print(sorted(n._op for n in trace(o)[0]), len(lecture_draw_dot(o).source) > 0)",
    # a new op written micrograd's way: children, op string and a _backward closure
    "def tanh(self):\n"
    "  x = self.data\n"
    "  t = (math.exp(2*x) - 1)/(math.exp(2*x) + 1)\n"
    "  out = Value(t, (self, ), 'tanh')\n"
    "  def _backward():\n"
    "    self.grad += (1 - t**2) * out.grad\n"
    "  out._backward = _backward\n"
    "  return out\n"
    "for v in (x1, x2, w1, w2, b): v.grad = 0.0\n"
    "o2 = tanh(n); o2.backward()\n"
    "print(o2._op, round(x1.grad, 6), round(w1.grad, 6), round(x2.grad, 6), round(w2.grad, 6))\n"
    "print(gradcheck(lambda: tanh(x1*w1 + x2*w2 + b), [x1, w1, x2, w2, b]).passed)",
]


def _run(cells):
    return run_notebook(cells).cells


def _printed(cell) -> str:
    return "".join(o.get("text", "") for o in cell.outputs if o["output_type"] == "stream")


def _records(cell) -> dict:
    texts = svg_texts(cell.outputs[0]["data"]["image/svg+xml"].encode())
    return {texts[i]: texts[i + 2] for i in range(len(texts) - 2)
            if texts[i + 1].startswith("data ") and texts[i + 2].startswith("grad ")}


def test_the_lectures_notebook_runs_unchanged():
    cells = _run(LECTURE)
    before, after = _records(cells[2]), _records(cells[4])
    assert before["o"] == before["x1"] == "grad 0.0000"  # draw_dot never runs backward itself
    # the lecture's manual backprop: o.grad = 1.0; o._backward(); n._backward(); ...
    assert _printed(cells[3]).split() == ["-1.5", "1.0", "0.5", "0.0"]
    assert (after["x1"], after["w1"], after["x2"], after["w2"], after["n"]) == (
        "grad -1.5000", "grad 1.0000", "grad 0.5000", "grad 0.0000", "grad 0.5000")
    assert _printed(cells[5]).strip() == "['', '', '', '', '', '*', '*', '+', '+', 'tanh'] True"
    assert _printed(cells[6]).split() == ["tanh", "-1.5", "1.0", "0.5", "0.0", "True"]
