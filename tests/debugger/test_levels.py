"""Collapsing an MLP's neurons and layers into boxes with aggregated gradients."""
import pytest

from graphviz_nn import Value, group
from graphviz_nn.debugger import Session, build_trace
from graphviz_nn.debugger.levels import collapse, unit_path
from graphviz_nn.nn import MLP


def trace():
    model = MLP(2, [3, 1], activation="tanh", seed=0)
    return build_trace(model([1.0, -2.0]))


def test_layer_level_has_one_box_per_layer_and_keeps_ungrouped_inputs():
    view = collapse(trace(), "layer")
    assert [(n.kind, n.label) for n in view.nodes] == [
        ("group", "L1"), ("group", "L2"), ("node", "x0"), ("node", "x1")]
    assert {(e.src, e.dst) for e in view.edges} == {("n13", "g:L1"), ("n14", "g:L1"), ("g:L1", "g:L2")}


def test_box_edges_carry_the_summed_gradient_of_the_edges_they_stand_for():
    t = trace()
    view = collapse(t, "layer")
    end = t.state_at(len(t.steps))
    x0_edge = next(e for e in view.edges if e.src == "n13")
    assert len(x0_edge.edges) == 3  # x0 feeds three neurons
    assert x0_edge.grad(end) == pytest.approx(end.grad("n13"))
    assert x0_edge.grad(t.state_at(t.n_forward)) is None
    assert x0_edge.value(end) == 1.0


def test_neuron_level_has_one_box_per_neuron_and_gate_level_collapses_nothing():
    t = trace()
    assert [n.label for n in collapse(t, "neuron").nodes if n.kind == "group"] == ["L1.N1", "L1.N2", "L1.N3", "L2.N1"]
    gate = collapse(t, "gate")
    assert len(gate.nodes) == len(t.nodes) and len(gate.edges) == len(t.edges)
    assert collapse(t, "neuron").view_of("n0") == "g:L1/N1"


def test_the_level_hierarchy_is_declared_once_and_every_user_reads_it():
    # the session, the renderer, the command line and the app all take their levels from here
    from graphviz_nn import render
    from graphviz_nn.cli.render import LEVELS as cli_levels
    from graphviz_nn.debugger import LEVELS as debugger_levels
    from graphviz_nn.debugger.levels import GROUP_DEPTH, LEVELS, coarser, enclosing_depth, finer, unit_key

    assert LEVELS == ("gate", "neuron", "layer")
    assert cli_levels is LEVELS and debugger_levels is LEVELS and render.LEVELS is LEVELS
    assert [finer(level) for level in LEVELS] == ["gate", "gate", "neuron"]
    assert [coarser(level) for level in LEVELS] == ["neuron", "layer", "layer"]
    assert [enclosing_depth(level) for level in LEVELS] == [GROUP_DEPTH["neuron"], GROUP_DEPTH["layer"], 0]
    group = ("L1", "N3")
    assert [unit_key(group, level) for level in LEVELS] == [None, ("L1", "N3"), ("L1",)]
    assert unit_key((), "layer") is None and unit_key(("L1",), "neuron") is None


@pytest.mark.parametrize("where", ["session", "render", "collapse"])
def test_an_unknown_level_is_one_sentence_naming_the_levels(where):
    from graphviz_nn.debugger import BreakpointError, Session, TraceError
    from graphviz_nn.render import RenderError, to_dot

    t = trace()
    act, error = {"session": (lambda: Session(t, level="unit"), BreakpointError),
                  "render": (lambda: to_dot(t, level="unit"), RenderError),
                  "collapse": (lambda: collapse(t, "unit"), TraceError)}[where]
    with pytest.raises(error, match=r"^unknown level 'unit'; choose gate, neuron or layer$"):
        act()


def test_a_tensor_mlp_offers_the_layer_level_and_stepping_moves_between_offered_levels():
    # a tensor MLP groups by layer only (L1, L2); its neurons are the columns of each weight
    # matrix, drawn as the textbook network at neuron level (issue 12), so it offers all three
    # levels, and stepping into a layer or finishing one moves one offered level at a time
    import numpy as np

    from graphviz_nn import Tensor
    from graphviz_nn.debugger import Session
    from graphviz_nn.debugger.levels import levels_of

    model = MLP(2, [3, 1], seed=0, engine="tensor")
    t = build_trace(model(Tensor(np.ones((4, 2)))).sum())
    assert levels_of(t) == ("gate", "neuron", "layer")
    assert levels_of(trace()) == ("gate", "neuron", "layer")
    assert levels_of(build_trace(Tensor(np.ones(3)).sum())) == ("gate",)  # no layers: gate only
    session = Session(t, level="layer")
    while session.state.step is None or session.state.step.group[:1] != ("L1",):
        session.step_over()  # to the step that shows layer L1
    session.step_into()
    assert session.level == "neuron"
    session.step_out()
    assert session.level == "layer"


def test_the_opening_level_is_decided_here_by_size_and_groups():
    from graphviz_nn import Value
    from graphviz_nn.debugger.levels import LARGE_GRAPH, opening_level
    from graphviz_nn.nn import MLP

    small = build_trace(MLP(2, [3, 1], seed=0)([1.0, -2.0]))
    assert len(small.nodes) <= LARGE_GRAPH and opening_level(small) == "gate"
    big = MLP(8, [16, 16, 1], seed=0)
    large = build_trace(big([0.1 * i for i in range(8)]))
    assert len(large.nodes) > LARGE_GRAPH and opening_level(large) == "neuron"
    x = Value(1.0, label="x")
    chain = x
    for _ in range(LARGE_GRAPH):
        chain = chain * 1.01  # many gates but no neurons: there is nothing coarser to open at
    assert opening_level(build_trace(chain)) == "gate"


def test_an_mlp_s_neuron_level_is_its_network_and_only_there():
    from graphviz_nn import Value
    from graphviz_nn.debugger.levels import network_of
    from graphviz_nn.nn import MLP

    trace = build_trace(MLP(2, [3, 1], seed=0)([1.0, -2.0]))
    net = network_of(trace, "neuron")
    assert net is not None and sum(1 for n in net.nodes if n.kind == "neuron") == 3 + 1
    assert network_of(trace, "gate") is None and network_of(trace, "layer") is None
    x = Value(2.0, label="x")
    assert network_of(build_trace(x * x), "neuron") is None  # not an MLP: no network picture


# ---- a unit never ends on a list of modules (nanoGPT's transformer.h) ----

def test_unit_path_takes_a_module_list_s_index_with_it():
    assert unit_path(("transformer", "h", "0", "attn", "c_attn"), 2) == ("transformer", "h", "0")
    assert unit_path(("transformer", "h", "11", "mlp"), 2) == ("transformer", "h", "11")
    assert unit_path(("blocks", "0", "attn"), 2) == ("blocks", "0")  # already ends on the index
    assert unit_path(("blocks", "0", "attn"), 1) == ("blocks", "0")
    assert unit_path(("L1", "N3"), 2) == ("L1", "N3") and unit_path(("L1", "N3"), 1) == ("L1",)
    assert unit_path(("0",), 1) == ("0",) and unit_path(("head",), 2) == ()


def blocks_trace(n_blocks: int = 3):
    """A residual stream through a list of blocks, recorded as nanoGPT's module names record it."""
    x = Value(0.5, label="x")
    for i in range(n_blocks):
        with group("transformer", "h", str(i), "mlp"):
            w = Value(0.1 * (i + 1), label=f"w{i}")
            x = x + (w * x).tanh()
    with group("transformer", "ln_f"):
        x = x * 2.0
    return build_trace(x)


def test_neuron_level_is_a_box_per_block_and_steps_block_by_block():
    t = blocks_trace()
    boxes = [n.label for n in collapse(t, "neuron").nodes if n.kind == "group"]
    assert boxes == ["transformer.h.0", "transformer.h.1", "transformer.h.2", "transformer.ln_f"]
    session = Session(t, level="neuron")
    session.step_over()  # x, the one leaf outside every block
    seen = []
    while session.k < t.n_forward:
        session.step_over()
        seen.append(t.steps[session.k - 1].group[:3])
    assert seen == [("transformer", "h", "0"), ("transformer", "h", "1"), ("transformer", "h", "2"),
                    ("transformer", "ln_f")]


def test_step_out_at_gate_level_finishes_one_block_not_every_block():
    t = blocks_trace()
    session = Session(t)
    first_of_h1 = next(s for s in t.steps if s.group[:3] == ("transformer", "h", "1"))
    session.goto(first_of_h1.number)
    session.step_out()
    last = t.steps[session.k - 1]
    assert last.group[:3] == ("transformer", "h", "1")  # the block's last forward step
    assert t.steps[session.k].group[:3] == ("transformer", "h", "2")
