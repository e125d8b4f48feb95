"""Training as steps: the learning-slowdown neuron of seeds/001 (input 1, target 0, lr 0.15)."""
import math

import pytest

from graphviz_nn import SGD, Value, bce, mse
from graphviz_nn.debugger import BreakpointError
from graphviz_nn.debugger.training import Trainer, TrainingError


def sigma(z):
    return 1 / (1 + math.exp(-z))


def make(w0, b0, cost):
    w, b = Value(w0, label="w"), Value(b0, label="b")

    def forward():
        a = (w * 1.0 + b).sigmoid()
        loss = 0.5 * mse(a, 0.0) if cost == "quadratic" else bce(a, 0.0)
        return loss, a

    return Trainer(forward, [w, b], SGD([w, b], lr=0.15)), w, b


def closed_form(w, b, cost, n):
    """Outputs over n iterations from ∂C/∂w = (a − y)σ'(z)x (quadratic) or (a − y)x (cross-entropy)."""
    outs = []
    for _ in range(n):
        a = sigma(w + b)
        outs.append(a)
        delta = a * (a * (1 - a)) if cost == "quadratic" else a
        w, b = w - 0.15 * delta, b - 0.15 * delta
    return outs


def test_first_outputs_match_the_slide():
    for w0, b0, expected in ((0.6, 0.9, 0.82), (2.0, 2.0, 0.98)):
        trainer, *_ = make(w0, b0, "quadratic")
        trainer.trace_iteration()
        assert round(trainer.history[0].outputs[0], 2) == expected


@pytest.mark.parametrize("cost", ["quadratic", "cross_entropy"])
def test_update_steps_show_the_closed_form_gradient(cost):
    trainer, w, b = make(2.0, 2.0, cost)
    trace = trainer.trace_iteration()
    updates = [s for s in trace.steps if s.phase == "update"]
    assert [trace.node(s.node).label for s in updates] == ["w", "b"]
    a = sigma(4.0)
    expected = a * a * (1 - a) if cost == "quadratic" else a
    assert updates[0].grad == pytest.approx(expected)
    assert updates[0].old_value == 2.0 and updates[0].new_value == pytest.approx(2.0 - 0.15 * expected)
    assert updates[0].lr == 0.15 and "w ← w − lr·grad" in updates[0].text
    assert w.data == pytest.approx(2.0 - 0.15 * expected)
    end = trace.state_at(len(trace.steps))
    assert end.value(trace.id_of(w)) == pytest.approx(w.data)
    assert trace.state_at(trace.n_forward).value(trace.id_of(w)) == 2.0  # before the update step


def test_quadratic_cost_learns_slowly_at_first_and_cross_entropy_quickly():
    slow, *_ = make(2.0, 2.0, "quadratic")
    fast, *_ = make(2.0, 2.0, "cross_entropy")
    slow.run(60)
    fast.run(60)
    slow_out = [h.outputs[0] for h in slow.history]
    fast_out = [h.outputs[0] for h in fast.history]
    assert slow_out == pytest.approx(closed_form(2.0, 2.0, "quadratic", 60))
    assert fast_out == pytest.approx(closed_form(2.0, 2.0, "cross_entropy", 60))
    assert slow_out[30] > 0.95  # the saturated sigmoid barely moves
    assert fast_out[30] < 0.5  # cross-entropy's gradient (a - y)x has no σ' to kill it


def test_goto_iteration_rewinds_and_runs_forward():
    trainer, w, b = make(0.6, 0.9, "quadratic")
    trainer.run(10)
    losses = [h.loss for h in trainer.history]
    trace = trainer.goto_iteration(3)
    assert trainer.iteration == 4 and trainer.history[3].loss == pytest.approx(losses[3])
    assert trace.steps[-1].phase == "update"
    trainer.goto_iteration(12)
    assert trainer.iteration == 13
    fresh, *_ = make(0.6, 0.9, "quadratic")
    fresh.run(13)
    assert [h.loss for h in trainer.history] == pytest.approx([h.loss for h in fresh.history])
    with pytest.raises(TrainingError):
        trainer.goto_iteration(-1)


def test_walk_goes_forward_backward_update_then_next_iteration():
    trainer, *_ = make(0.6, 0.9, "cross_entropy")
    phases = []
    for _ in range(60):
        phases.append(trainer.next().phase)
    assert trainer.iteration >= 2
    first = phases[:phases.index("end") + 1]
    order = [p for i, p in enumerate(first) if i == 0 or first[i - 1] != p]
    assert order == ["forward", "backward", "update", "end"]
    assert trainer.history[0].param_norm == pytest.approx(math.hypot(0.6, 0.9))


def test_watches_and_breakpoints_carry_over_to_the_next_iteration():
    trainer, w, b = make(2.0, 2.0, "quadratic")
    trainer.trace_iteration()
    trainer.session.add_watch("saturated", threshold=0.05)
    trainer.session.add_breakpoint("w")
    with pytest.raises(BreakpointError, match="no neuron level"):
        trainer.session.set_level("neuron")  # a lone w·x + b has no neurons to collapse
    trainer.trace_iteration()
    session = trainer.session
    assert session.watches == {"saturated": 0.05} and session.breakpoints == {session.trace.find("w")}
    assert session.level == "gate"
    hit = session.continue_()
    assert hit.reason == "breakpoint" and hit.node == session.trace.find("w")


def test_update_step_text_names_the_velocity_under_momentum():
    w = Value(1.0, label="w")
    opt = SGD([w], lr=0.5, momentum=0.5)
    trainer = Trainer(lambda: w * 2.0, [w], opt)
    first = trainer.trace_iteration().steps[-1]
    assert first.text == "w ← w − lr·grad = 1.00 − 0.50 × 2.00 = 0.00"
    second = trainer.trace_iteration().steps[-1]  # v = 0.5·2 + 2 = 3
    assert second.new_value == pytest.approx(-1.5)
    assert second.text.startswith("w ← w − lr·v = 0.00 − 0.50 × 3.00 = -1.50")
