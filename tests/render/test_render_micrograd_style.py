"""``draw_dot`` in micrograd's picture: a record per value, an oval per op, data and grad as they
are now (never a backward pass of its own); the lecture's picture under ``style="lecture"``."""
import micrograd.engine
import pytest

from graphviz_nn import Value, draw_dot
from graphviz_nn.graph import ForeignNodeError
from graphviz_nn.nn import MLP
from graphviz_nn.render import GraphTooLargeError, RenderError, run_dot

from render_helpers import SVG, svg_root


def node_texts(diagram) -> dict:
    """The rendered SVG's texts per node, keyed by the node's title (its DOT id)."""
    root = svg_root(run_dot(diagram.source, "svg"))
    out = {}
    for g in root.iter(f"{SVG}g"):
        if g.get("class") == "node":
            title = g.find(f"{SVG}title").text
            out[title] = ["".join(t.itertext()) for t in g.iter(f"{SVG}text")]
    return out


def lecture_graph():
    a = Value(2.0, label="a"); b = Value(-3.0, label="b"); c = Value(10.0, label="c")
    e = a * b; e.label = "e"
    d = e + c; d.label = "d"
    f = Value(-2.0, label="f")
    L = d * f; L.label = "L"
    return L, a


def record_of(texts: dict, label: str) -> list:
    return next(t for t in texts.values() if t and t[0] == label)


def test_before_backward_every_grad_reads_zero():
    L, _ = lecture_graph()
    texts = node_texts(draw_dot(L))
    assert record_of(texts, "L") == ["L", "data -8.0000", "grad 0.0000"]
    assert record_of(texts, "a") == ["a", "data 2.0000", "grad 0.0000"]
    ops = sorted(t[0] for t in texts.values() if len(t) == 1)
    assert ops == ["*", "*", "+"]


def test_a_grad_set_by_hand_is_drawn_as_set():
    L, a = lecture_graph()
    a.grad = 999
    assert record_of(node_texts(draw_dot(L)), "a") == ["a", "data 2.0000", "grad 999.0000"]
    assert a.grad == 999  # drawing changed nothing


def test_after_backward_a_repeated_input_shows_its_total_gradient():
    a = Value(3.0, label="a")
    b = a + a
    b.label = "b"
    b.backward()
    texts = node_texts(draw_dot(b))
    assert record_of(texts, "a") == ["a", "data 3.0000", "grad 2.0000"]
    assert record_of(texts, "b") == ["b", "data 6.0000", "grad 1.0000"]


def test_lecture_gradients_after_backward():
    L, _ = lecture_graph()
    L.backward()
    texts = node_texts(draw_dot(L))
    grads = {t[0]: t[2] for t in texts.values() if len(t) == 3}
    assert grads == {"a": "grad 6.0000", "b": "grad -4.0000", "c": "grad -2.0000", "e": "grad -2.0000",
                     "d": "grad -2.0000", "f": "grad 4.0000", "L": "grad 1.0000"}


def test_signature_and_format_are_micrograds():
    L, _ = lecture_graph()
    d = draw_dot(L, format="png", rankdir="TB")
    assert d.format == "png" and "rankdir=TB" in d.source
    assert draw_dot(L).format == "svg"
    assert draw_dot(L, style="lecture").format == "svg"
    with pytest.raises(RenderError, match="unknown format 'gif2'"):
        draw_dot(L, format="gif2")
    with pytest.raises(RenderError, match="unknown style"):
        draw_dot(L, style="fancy")


def test_unlabelled_values_and_special_characters():
    x = Value(1.0, label='w{0}|<b> "q"')
    y = x * 2.0
    texts = node_texts(draw_dot(y))
    assert ['w{0}|<b> "q"', "data 1.0000", "grad 0.0000"] in texts.values()
    assert ["data 2.0000", "grad 0.0000"] in texts.values()  # no label: micrograd's two cells


def test_lecture_style_is_what_show_and_render_draw():
    L, a = lecture_graph()
    source = draw_dot(L, style="lecture").source
    assert 'class="edge-label"' in source and "6.00" in source  # dL/da from its own pass
    assert a.grad == 0.0


def test_big_graphs_are_refused_naming_the_python_arguments():
    model = MLP(2, [16, 16, 1], seed=0)
    with pytest.raises(GraphTooLargeError, match=r'draw_dot\'s limit of 2,000; pass level="neuron" or '
                                                 r'level="layer" .*max_nodes=None'):
        draw_dot(_loss_of(model))
    boxes = draw_dot(_loss_of(model), level="neuron", max_nodes=None).source
    assert 'class="neuron' in boxes  # neuron level: the MLP drawn as its network, one node per neuron


def _loss_of(model):
    loss = Value(0.0)
    for x in ([0.5, -1.0], [1.0, 0.0], [0.2, 0.3], [-1.0, 1.0], [0.1, 0.1]):
        loss = loss + (1 - model(x)).relu()
    return loss


def test_a_micrograd_value_is_named():
    with pytest.raises(ForeignNodeError, match=r"draw_dot expected a graphviz_nn Value, got a micrograd.engine.Value"):
        draw_dot(micrograd.engine.Value(1.0))
    with pytest.raises(ForeignNodeError, match=r"draw_dot expected a graphviz_nn Value"):
        draw_dot(micrograd.engine.Value(1.0), style="lecture")


@pytest.mark.parametrize("name", ["graphviz_nn.render.micrograd_style", "graphviz_nn.render.jupyter"])
def test_docstring_examples(name):
    import doctest
    import importlib
    result = doctest.testmod(importlib.import_module(name))
    assert result.failed == 0 and result.attempted >= 1


def test_the_player_names_a_micrograd_value_too():
    from graphviz_nn import player
    with pytest.raises(ForeignNodeError, match=r"player expected a graphviz_nn Value, got a micrograd.engine.Value"):
        player(micrograd.engine.Value(1.0))
