"""Model scenarios of the catalogue: learning slowdown against closed-form trajectories."""
import math

import pytest

from graphviz_nn import load_scenario


def _sigmoid(z):
    return 1 / (1 + math.exp(-z))


def closed_form(w, b, derivative, lr=0.15, epochs=300, x=1.0, y=0.0):
    """Gradient descent by hand: the slide's ∂C/∂w and ∂C/∂b, no engine involved."""
    outputs = []
    for _ in range(epochs):
        z = w * x + b
        a = _sigmoid(z)
        outputs.append(a)
        dz = derivative(a, y, z)  # ∂C/∂z
        w, b = w - lr * dz * x, b - lr * dz
    return outputs


def quadratic_dz(a, y, z):
    return (a - y) * _sigmoid(z) * (1 - _sigmoid(z))  # (a − y)σ'(z)


def cross_entropy_dz(a, y, z):
    return a - y  # σ'(z) cancels


@pytest.mark.parametrize("scenario_id, derivative, cost", [
    ("learning-slowdown-quadratic", quadratic_dz, lambda a, y: (a - y) ** 2 / 2),
    ("learning-slowdown-cross-entropy", cross_entropy_dz, lambda a, y: -(y * math.log(a) + (1 - y) * math.log(1 - a))),
])
@pytest.mark.parametrize("start, w, b, first_output", [("w=0.6, b=0.9", 0.6, 0.9, 0.82), ("w=2, b=2", 2.0, 2.0, 0.98)])
def test_learning_slowdown_follows_the_closed_form(scenario_id, derivative, cost, start, w, b, first_output):
    scenario = load_scenario(scenario_id)
    assert scenario.training.lr == 0.15 and scenario.training.iterations == 300
    records = scenario.train(start)
    expected = closed_form(w, b, derivative)
    assert len(records) == 300
    assert round(records[0]["output"], 2) == first_output
    for record, a in zip(records, expected):
        assert record["output"] == pytest.approx(a, rel=1e-9, abs=1e-12)
        assert record["loss"] == pytest.approx(cost(a, 0.0), rel=1e-9, abs=1e-12)


def test_quadratic_cost_from_2_2_stays_far_above_cross_entropy():
    quadratic = load_scenario("learning-slowdown-quadratic").train("w=2, b=2")
    cross_entropy = load_scenario("learning-slowdown-cross-entropy").train("w=2, b=2")
    # closed form: after 300 epochs the quadratic neuron is still at ~0.20, the cross-entropy one ~0.01
    expected_q = closed_form(2.0, 2.0, quadratic_dz)[-1]
    expected_ce = closed_form(2.0, 2.0, cross_entropy_dz)[-1]
    assert quadratic[-1]["output"] == pytest.approx(expected_q, rel=1e-9)
    assert cross_entropy[-1]["output"] == pytest.approx(expected_ce, rel=1e-9)
    assert quadratic[-1]["output"] > 10 * cross_entropy[-1]["output"]
    # the slowdown: over the first 100 epochs the quadratic neuron barely moves
    assert quadratic[0]["output"] - quadratic[99]["output"] < 0.05 < \
        cross_entropy[0]["output"] - cross_entropy[99]["output"]


def test_starts_rebuild_independently():
    scenario = load_scenario("learning-slowdown-quadratic")
    # the slide's slow start is the default (issue 15)
    assert scenario.start_names == ("w=2, b=2", "w=0.6, b=0.9")
    assert round(scenario.build()["output"].data, 2) == 0.98
    assert round(scenario.build(1)["output"].data, 2) == 0.82
    assert round(scenario.build("w=0.6, b=0.9")["output"].data, 2) == 0.82


def test_trainer_is_the_debuggers_trainer_with_update_steps():
    from graphviz_nn.debugger.training import Trainer
    trainer = load_scenario("learning-slowdown-quadratic").trainer()
    assert isinstance(trainer, Trainer)
    trace = trainer.trace_iteration()
    updates = [s for s in trace.steps if s.phase == "update"]
    assert len(updates) == 2 and all(s.lr == 0.15 for s in updates)
    assert trainer.iteration == 1 and round(trainer.history[0].outputs[0], 2) == 0.98
