"""The micrograd video lecture's notebook, run on ``graphviz_nn.Value`` and on the lecture's own
``Value`` class (written here as the lecture writes it): the same labels, the same record
pictures from the lecture's own ``draw_dot``, the same gradients and the same training losses.

The lecture's class gives every node ``label=''`` unless one is set, and its ``draw_dot`` prints
``n.label`` into each record, so an unlabelled node reads ``{  | data ... | grad ... }``.
"""
from __future__ import annotations

import pytest
from micrograd_lecture import XS, YS, LectureValue, draw_dot, first_example, neuron, records, training

from graphviz_nn import Value


# ---- the checks ----------------------------------------------------------------------------

def test_an_unlabelled_node_has_the_lectures_empty_label():
    a = Value(2.0)
    assert a.label == '' == LectureValue(2.0).label
    assert (a * Value(3.0)).label == '' and (a + 1).label == '' and a.tanh().label == ''
    assert Value(1.0, label='w').label == 'w'


@pytest.mark.parametrize("cell", [first_example, neuron])
def test_the_lectures_draw_dot_draws_the_same_records_before_and_after_backward(cell):
    ours, theirs = cell(Value)[0], cell(LectureValue)[0]
    assert records(draw_dot(ours)) == records(draw_dot(theirs))
    ours.backward()
    theirs.backward()
    assert records(draw_dot(ours)) == records(draw_dot(theirs))


def test_the_lectures_draw_dot_of_an_mlp_names_no_node_none():
    # constants fold into gates here (x - 1 is one gate), so the pictures differ in shape, not in
    # how an unlabelled node reads: '{  | data ...' as in the lecture, never '{ None | ...'
    _, _, n = training(Value, steps=1)
    loss = sum((n(x) - y) ** 2 for x, y in zip(XS, YS))
    rows = records(draw_dot(loss))
    assert len(rows) > 100
    assert not [r for r in rows if "None" in r]
    assert all(r.startswith("{  | data ") for r in rows)


def test_the_first_example_gives_the_lectures_numbers():
    L, (a, b, c, d, e, f) = first_example(Value)
    L.backward()
    assert L.data == -8.0
    assert [x.grad for x in (a, b, c, d, e, f)] == [6.0, -4.0, -2.0, -2.0, -2.0, 4.0]


def test_the_neuron_gives_the_lectures_numbers_on_both_classes():
    for V in (Value, LectureValue):
        o, *_, (x1, w1, x2, w2, b) = neuron(V)
        o.backward()
        assert o.data == pytest.approx(0.7071, abs=5e-5)
        assert [x1.grad, w1.grad, x2.grad, w2.grad] == pytest.approx([-1.5, 1.0, 0.5, 0.0], abs=1e-12)


def test_the_lectures_training_loop_gives_the_lectures_losses():
    ours, ours_params, _ = training(Value)
    theirs, their_params, _ = training(LectureValue)
    assert ours == pytest.approx(theirs, rel=1e-9, abs=1e-12)
    assert ours_params == pytest.approx(their_params, rel=1e-9, abs=1e-12)
    assert ours[-1] < ours[0] / 10  # it learns, as in the video
