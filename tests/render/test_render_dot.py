"""The lecture diagram: numbers, blanks, highlighting, levels, escaping, and real `dot` accepting it."""
import re
import subprocess

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from graphviz_nn import Tensor, Value, draw_dot
from graphviz_nn.debugger import build_trace
from graphviz_nn.errors import UserError
from graphviz_nn.nn import MLP
from graphviz_nn.render import GraphTooLargeError, RenderError, run_dot, to_dot
from graphviz_nn.render.dot import resolve_step
from graphviz_nn.render.labels import plain

from render_helpers import build_sigmoid_neuron, svg_texts

LECTURE_NUMBERS = ["0.73", "1.37", "0.37", "-0.53", "-0.20", "0.20", "0.39", "-0.39", "-0.59", "1.00"]


def label_cells(source: str, label_id: str) -> list:
    """The texts in the cells of one edge label of a DOT source, top to bottom."""
    line = next(l for l in source.splitlines() if l.strip().startswith(f"{label_id} ["))
    cells = re.findall(r"<td[^>]*>(.*?)</td>", line)
    return [re.sub(r"<[^>]+>", "", c).strip() for c in cells]


def label_between(source: str, src: str, dst: str) -> str:
    for m in re.finditer(rf"\t{src} -> (e\d+):v:sw", source):
        if re.search(rf"\t{m.group(1)}:v:se -> {dst}\b", source):
            return m.group(1)
    raise AssertionError(f"no edge {src} -> {dst}")


def test_sigmoid_neuron_svg_shows_the_lecture_numbers_and_labels(neuron):
    svg = run_dot(to_dot(neuron).source, "svg")
    texts = svg_texts(svg)
    for name in ["w0", "x0", "w1", "x1", "w2", "*", "+", "*-1", "exp", "+1", "1/x", "f"]:
        assert name in texts, name
    for number in LECTURE_NUMBERS:
        assert number in texts, number


def test_inputs_keep_their_order_top_to_bottom(neuron):
    from render_helpers import svg_root, SVG
    root = svg_root(run_dot(to_dot(neuron).source, "svg"))
    y = {}
    for g in root.iter(f"{SVG}g"):
        text = g.find(f"{SVG}text")
        if "leaf" in g.get("class", "").split():
            y["".join(text.itertext())] = float(text.get("y"))
    order = [name for name in sorted(y, key=y.get) if name != "w2"]
    assert order == ["w0", "x0", "w1", "x1"]  # the slide's order


def test_each_edge_has_the_value_above_and_the_gradient_below(neuron):
    source = to_dot(neuron).source
    # w0 (n0) into the first * (n5): value 2.00 on top, gradient -0.20 under it
    assert label_cells(source, label_between(source, "n0", "n5")) == ["2.00", "-0.20"]
    assert label_cells(source, label_between(source, "n1", "n5")) == ["-1.00", "0.39"]
    # the exp gate's output into +1: the slide's 0.37 over -0.53
    assert label_cells(source, label_between(source, "n10", "n11")) == ["0.37", "-0.53"]
    # the output arrow carries f = 0.73 and df/df = 1.00
    assert label_cells(source, "o0") == ["0.73", "1.00"]


def test_unknown_numbers_are_blank_never_zero(neuron):
    source = to_dot(neuron, step=0).source
    for label_id in re.findall(r"\t(e\d+|o\d+) \[", source):
        assert label_cells(source, label_id) == ["", ""]
    # after the forward pass the values are known and no gradient yet
    trace = build_trace(neuron)
    source = to_dot(trace, step=trace.n_forward).source
    assert label_cells(source, "o0") == ["0.73", ""]


def test_the_backward_edge_carries_upstream_times_local(neuron):
    trace = build_trace(neuron)
    k = next(s.index for s in trace.steps if s.phase == "backward" and trace.node(s.input).name == "w0") + 1
    source = to_dot(trace, step=k).source
    label = label_between(source, "n0", "n5")
    assert "[0.20] × [-1.00] = -0.20" in label_cells(source, label)
    assert re.search(rf'\t{label} \[id="{label}" class="edge-label current"', source)
    assert re.search(r'\tn5 \[id="n5" class="gate current"', source)
    # the x0 edge has not been processed yet: its gradient is still blank
    assert label_cells(source, label_between(source, "n1", "n5")) == ["-1.00", ""]


def test_forward_step_highlights_the_node_just_computed(neuron):
    trace = build_trace(neuron)
    source = to_dot(trace, step=7).source  # after 7 forward steps: n6 = w1 * x1 is the newest
    assert re.search(r'\tn6 \[id="n6" class="gate current"', source)
    assert source.count("current") == 1
    assert "×" not in source


def test_the_end_state_has_nothing_highlighted(neuron):
    trace = build_trace(neuron)
    assert "current" not in to_dot(trace, step="end").source
    assert "current" not in to_dot(trace, step="end", phase="forward").source
    assert "current" in to_dot(trace, step=len(trace.steps)).source  # a number: that step's edge


def test_same_graph_gives_identical_dot():
    assert to_dot(build_sigmoid_neuron()).source == to_dot(build_sigmoid_neuron()).source


def test_draw_dot_returns_a_digraph_and_leaves_gradients_alone(neuron):
    import graphviz
    nodes_before = [neuron.grad]
    diagram = draw_dot(neuron, style="lecture")
    assert isinstance(diagram, graphviz.Digraph)
    assert nodes_before == [neuron.grad] == [0.0]
    neuron.backward()
    first = draw_dot(neuron, style="lecture").source
    assert draw_dot(neuron, style="lecture").source == first  # drawing twice does not accumulate leaf gradients
    assert "-0.20" in first


def test_jupyter_display_is_svg_through_run_dot(neuron):
    bundle = draw_dot(neuron, style="lecture")._repr_mimebundle_()
    assert bundle["image/svg+xml"].lstrip().startswith("<?xml")
    assert "0.73" in svg_texts(bundle["image/svg+xml"].encode())
    micrograd = draw_dot(neuron)._repr_mimebundle_()["image/svg+xml"]  # micrograd's picture, same display path
    assert micrograd.lstrip().startswith("<?xml") and "data 0.7311" in svg_texts(micrograd.encode())


def test_options_decimals_palette_and_no_grads(neuron):
    source = to_dot(neuron, decimals=3).source
    assert label_cells(source, "o0") == ["0.731", "1.000"]
    blind = to_dot(neuron, palette="colorblind").source
    assert "#0072b2" in blind and "#d55e00" in blind and "#1a7f37" not in blind
    values_only = to_dot(neuron, show_grads=False).source
    assert label_cells(values_only, "o0") == ["0.73"]
    assert "gradient" not in values_only
    assert "rankdir=TB" in to_dot(neuron, rankdir="TB").source


def test_bad_options_are_one_sentence_errors(neuron):
    with pytest.raises(RenderError, match="choose gate, neuron or layer"):
        to_dot(neuron, level="atoms")
    with pytest.raises(RenderError, match="steps 0 to 26"):
        to_dot(neuron, step=27)
    with pytest.raises(RenderError, match="choose LR, RL, TB or BT"):
        to_dot(neuron, rankdir="LR]; a -> b [")
    with pytest.raises(RenderError, match="decimals"):
        to_dot(neuron, decimals=-1)
    with pytest.raises(UserError, match="lecture, colorblind"):
        to_dot(neuron, palette="neon")


def test_phase_counts_steps_within_the_pass(neuron):
    trace = build_trace(neuron)
    assert resolve_step(trace, "end", "forward") == 13
    assert resolve_step(trace, 0, "backward") == 13
    assert resolve_step(trace, "end", "backward") == 26  # 12 forward steps, the seed, 13 edges
    assert resolve_step(trace, 3, None) == 3
    with pytest.raises(RenderError, match="backward pass has steps 0 to 13"):
        resolve_step(trace, 14, "backward")


def test_gate_view_refuses_above_the_node_limit_and_names_it():
    x = Value(1.0, label="x")
    y = x
    for _ in range(30):
        y = y * 1.01
    # a chain has no groups: no coarser level to name, so the sentence says how to get one
    with pytest.raises(GraphTooLargeError, match=r"limit of 20; it has no groups to draw it coarser \(record it in "
                                                 r"modules, or inside graphviz_nn.group\(...\), to get neuron and layer "
                                                 r"levels\), or pass max_nodes=None$") as caught:
        to_dot(y, max_nodes=20)
    assert "--" not in str(caught.value) and "neuron" not in str(caught.value).split("; ")[1].split("(")[0]
    assert caught.value.for_cli().endswith("to get neuron and layer levels), or raise --max-nodes")
    with pytest.raises(GraphTooLargeError, match=r"neuron-level view still has 31 nodes .*; draw it with a smaller "
                                                 r"model or fewer inputs \(or pass max_nodes=None\)$"):
        to_dot(y, level="neuron", max_nodes=20)  # it has no layer level either: naming one would refuse again
    assert to_dot(y, max_nodes=None).source.count("class=\"gate\"") == 30
    # an MLP has both: the sentence names them, each of which draws
    out = MLP(3, [4, 4, 1], seed=0)([1.0, -2.0, 0.5])
    with pytest.raises(GraphTooLargeError, match=r'limit of 20; draw it with level="neuron" or level="layer" '
                                                 r'\(or pass max_nodes=None\)$') as caught:
        to_dot(out, max_nodes=20)
    assert "limit of 20; draw it with --level neuron or --level layer" in caught.value.for_cli()
    for level in ("neuron", "layer"):
        assert to_dot(out, level=level, max_nodes=20).source


def test_collapsed_views_have_a_limit_too():
    out = MLP(3, [4, 4, 1], seed=0)([1.0, -2.0, 0.5])
    with pytest.raises(GraphTooLargeError, match='neuron-level view still has 12 nodes .* draw it with level="layer"') as caught:
        to_dot(out, level="neuron", max_nodes=10)
    assert "draw it with --level layer (or raise --max-nodes)" in caught.value.for_cli()
    assert to_dot(out, level="layer", max_nodes=10).source.count('class="group') == 3


def test_a_gradient_inside_a_box_is_annotated_on_the_box():
    out = MLP(2, [2, 1], seed=0)([1.0, -2.0])
    trace = build_trace(out)
    k = next(s.index for s in trace.steps if s.phase == "backward" and s.group[:1] == ("L1",)) + 1
    step = trace.steps[k - 1]
    source = to_dot(trace, step=k, level="layer").source
    box = next(l for l in source.splitlines() if 'class="group current"' in l)
    assert ">L1<" in box
    assert labels_text(step) in box


def labels_text(step):
    from graphviz_nn.render.labels import contribution_text
    return contribution_text(step.upstream, step.local, step.contribution)


def test_neuron_and_layer_levels_collapse_groups_and_dot_accepts_them():
    out = MLP(2, [3, 1], seed=0)([1.0, -2.0])
    # neuron level: an MLP as its network, one node per neuron; layer level: one box per layer
    for level, css, boxes in (("neuron", 'class="neuron', 4), ("layer", 'class="group', 2)):
        source = to_dot(out, level=level).source
        assert source.count(css) == boxes
        texts = svg_texts(run_dot(source, "svg"))
        assert "x0" in texts and "x1" in texts
    layer = to_dot(out, level="layer").source
    assert "L1" in layer and "L2" in layer


def test_tensor_nodes_show_shape_and_summary():
    x = Tensor(np.arange(6.0).reshape(2, 3), label="X")
    w = Tensor(np.ones((3, 2)), label="W")
    out = (x @ w).sum()
    texts = svg_texts(run_dot(to_dot(out).source, "svg"))
    assert "X" in texts and "(2, 3)" in texts
    assert "(2, 3) mean 2.50 |max| 5.00" in texts


HOSTILE = ['say "hi"', "back\\slash", "<lambda>", "Tom & Jerry", "two\nlines", "ünïcødé ∂L/∂w → σ",
           "bracket]", "{brace}", "pipe|bar", "a<b>c</b>", "&amp;", "'single'", "[x]:port", "C:\\new\\table", "bell\x07",
           "two \\\\ backslashes", "ends in \\"]
SHOWN_AS = {"bell\x07": "bell\\x07"}  # control characters cannot be in XML: shown escaped


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_labels_render_literally(name):
    leaf = Value(1.5, label=name)
    gate = leaf * 2
    gate.label = name + "!"
    svg = run_dot(to_dot(gate).source, "svg")  # run_dot raises if dot exits non-zero
    texts = svg_texts(svg)
    for line in SHOWN_AS.get(name, name).split("\n"):
        assert line in texts, (line, texts)
        assert line + "!" in texts or "\n" in name


def test_tabs_become_spaces():
    svg = run_dot(to_dot(Value(1.0, label="tab\there") * 2).source, "svg")
    assert "tab here" in svg_texts(svg)


@settings(max_examples=40, deadline=None)
@given(st.text(min_size=1, max_size=12))
@example("]")  # a text run of nothing but "]" made dot fail
@example("]]")
@example("\n]")
def test_dot_accepts_any_label(name):
    leaf = Value(1.0, label=name)
    svg = run_dot(to_dot(leaf + 1).source, "svg")  # raises unless dot exits 0
    shown = "\n".join(svg_texts(svg))
    for line in plain(name).split("\n"):
        assert line.strip() in shown


def catalogue_traces():
    from graphviz_nn.scenario_format import catalogue_ids, load_scenario
    return [(sid, load_scenario(sid)) for sid in catalogue_ids()]


@pytest.mark.parametrize("scenario_id, scenario", catalogue_traces(), ids=lambda v: v if isinstance(v, str) else "")
def test_dot_accepts_every_catalogue_diagram(scenario_id, scenario):
    trace = scenario.trace()
    level = "gate" if len(trace.nodes) <= 2000 else "layer"
    middle = trace.n_forward + max(trace.n_backward // 2, 0)  # mid-backward: highlight and annotation
    for step in (None, 0, middle):
        done = subprocess.run(["dot", "-Tsvg"], input=to_dot(trace, step=step, level=level).source.encode(),
                              capture_output=True, timeout=60)
        assert done.returncode == 0 and done.stderr == b"", done.stderr  # not even a warning
        assert "above each edge: value; below: gradient" in svg_texts(done.stdout)


def test_every_step_shows_exactly_what_the_state_knows(neuron):
    trace = build_trace(neuron)
    for k in range(len(trace.steps) + 1):
        state = trace.state_at(k)
        source = to_dot(trace, step=k).source
        for j, e in enumerate(trace.edges):
            cells = label_cells(source, f"e{j}")
            value = state.value(e.src)
            top = (len(cells) - 2) // 2  # an annotated edge has blank rows above, notes below
            assert cells[top] == ("" if value is None else f"{value:.2f}"), (k, e)
            sent = trace.edge_step(e.src, e.dst, e.index)
            grad_cell = cells[top + 1]
            if sent is None or sent >= k:
                assert grad_cell == "", (k, e)
            else:
                assert grad_cell == f"{trace.steps[sent].contribution:.2f}".replace("-0.00", "0.00")


def test_show_outside_ipython_returns_the_diagram(neuron):
    from graphviz_nn import show
    diagram = show(neuron, decimals=1)
    assert label_cells(diagram.source, "o0") == ["0.7", "1.0"]


def test_neuron_level_of_mlp_xor_draws_the_network_each_input_and_neuron_once():
    """``render mlp-xor --level neuron``: each input feature once, each neuron once, one edge per weight."""
    import re

    from graphviz_nn.render.dot import to_dot
    from graphviz_nn.scenario_format.loader import load_scenario

    source = to_dot(load_scenario("mlp-xor").trace(), level="neuron").source
    nodes = re.findall(r'\tnet\d+ \[id="net\d+" class="(\w+)', source)
    assert nodes.count("input") == 2 and nodes.count("neuron") == 5 and nodes.count("loss") == 1
    for label in ("x0", "x1", "L1.N1", "L1.N4", "L2.N1"):
        assert source.count(f"<b>{label}</b>") == 1, label
    weight_labels = re.findall(r'\te\d+ \[id="e\d+" class="edge-label', source)
    assert len(weight_labels) == 12  # 2×4 + 4×1 weights, one labelled edge each
    assert "sample 1 of 4" in source


def test_neuron_level_highlights_the_stepped_weight_and_names_its_numbers():
    """A forward step n = w * x lights the edge of w (and only it); the caption reads w's value."""
    import re

    from graphviz_nn.render.dot import to_dot
    from graphviz_nn.scenario_format.loader import load_scenario

    trace = load_scenario("mlp-xor").trace()
    k = next(s.number for s in trace.steps if s.phase == "forward" and "L2.N1.w2 *" in s.text)
    source = to_dot(trace, step=k, level="neuron").source
    current = re.findall(r'\t(e\d+) \[id="e\d+" class="edge-label current"', source)
    assert len(current) == 1
    w2 = next(i.id for i in trace.nodes if i.label == "L2.N1.w2")
    assert f"L2.N1.w2: {trace.state_at(k).value(w2):.2f}" in source  # value known, gradient not yet
    assert "L2.N1.w2: " in source and ", gradient" not in source
    # the lit edge runs from L1.N3 (the third hidden neuron feeds w2) to L2.N1
    net_ids = dict(re.findall(r'\t(net\d+) \[id="net\d+" class="\w+[^"]*" shape=\w+ label=<<b>([\w.]+)</b>', source))
    by_label = {v: k for k, v in net_ids.items()}
    assert f"\t{by_label['L1.N3']} -> {current[0]}:v:sw" in source
    assert f"\t{current[0]}:v:se -> {by_label['L2.N1']}" in source


def test_a_big_network_draws_one_plain_arrow_per_weight():
    """mlp-moons at neuron level: 304 weights as 304 arrows without labels; a matrix step lights its layer."""
    import re

    from graphviz_nn.render.dot import to_dot
    from graphviz_nn.scenario_format.loader import load_scenario

    trace = load_scenario("mlp-moons").trace()
    k = next(s.number for s in trace.steps if s.text.startswith("L2.W ="))
    source = to_dot(trace, step=k, level="neuron").source
    assert 'class="edge-label' not in source
    arrows = re.findall(r"\tnet\d+ -> net\d+( \[penwidth=3[^\]]*\])?", source)
    assert len(arrows) == 2 * 16 + 16 * 16 + 16 + 1  # every weight, and the output into the loss
    assert sum(1 for a in arrows if a) == 16 * 16  # the whole matrix L2.W is this step's
    assert "one arrow per weight" in source and "L2.W: ‖·‖ = " in source
