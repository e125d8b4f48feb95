"""``Value`` takes attributes as micrograd's plain object does (issue 28): optimiser state on
parameters (``p.m = 0``), a drawing's colours on any node (``setattr(n, '_vis_color', c)``),
flags. Code written for micrograd's forks, such as an AdamW keeping its moments on the
parameters, trains to the same losses as on a micrograd-style engine."""
import gc
import random

import pytest
from micrograd_lecture import LectureValue

from graphviz_nn import Value
from graphviz_nn.debugger import build_trace
from graphviz_nn.graph import reachable


def test_attributes_on_leaves_and_interior_nodes_read_back():
    w, x = Value(2.0, label="w"), Value(3.0, requires_grad=False)
    y = (w * x + 1.0).tanh()
    w.m, w.v = 0.0, 0.5
    x.flag = "input"
    for n in reachable(y):
        setattr(n, "_vis_color", "red" if n is y else "blue")  # EurekaLabs' utils.vis_color
    y.backward()
    assert (w.m, w.v, x.flag) == (0.0, 0.5, "input")
    assert [n._vis_color for n in reachable(y)] == ["blue", "blue", "blue", "blue", "red"]
    assert w.label == "w" and y.label == ""  # the label is unchanged by users' own attributes
    assert vars(w) == {"label": "w", "m": 0.0, "v": 0.5, "_vis_color": "blue"}
    with pytest.raises(AttributeError):
        y.not_set  # noqa: B018 (a name never set is still an AttributeError, as on micrograd's object)


def test_users_attributes_never_reach_the_recording():
    a = Value(1.5, label="a")
    b = a * a
    b.label = "b"
    b.data_note = "square"
    trace = build_trace(b, fill_grads=False)
    assert [s.text for s in trace.steps][:2] == ["a = 1.50", "b = a * a = 2.25"]
    assert b.data == 2.25 and b.grad == 0.0


def test_a_node_without_attributes_makes_no_dict():
    y = Value(2.0) * Value(3.0)
    assert not any(isinstance(r, dict) for r in gc.get_referents(y))
    y.m = 1
    assert y.m == 1


class MLP:
    """A tanh MLP written once against whichever Value class is given (as a fork's code is)."""

    def __init__(self, V, sizes, seed):
        rng = random.Random(seed)
        self.layers = [[([V(rng.uniform(-1, 1)) for _ in range(nin)], V(0.0)) for _ in range(nout)]
                       for nin, nout in zip(sizes, sizes[1:])]

    def __call__(self, x):
        for i, layer in enumerate(self.layers):
            last = i == len(self.layers) - 1
            x = [sum((wi * xi for wi, xi in zip(w, x)), b) for w, b in layer]
            x = x if last else [a.tanh() for a in x]
        return x[0]

    def parameters(self):
        return [p for layer in self.layers for w, b in layer for p in w + [b]]


class AdamW:
    """EurekaLabsAI/micrograd's AdamW: the moments live on the parameters (p.m, p.v)."""

    def __init__(self, parameters, lr=0.05, betas=(0.9, 0.95), eps=1e-8, weight_decay=0.01):
        self.parameters, self.lr, self.eps, self.weight_decay = parameters, lr, eps, weight_decay
        self.beta1, self.beta2 = betas
        self.t = 0
        for p in self.parameters:
            p.m = 0.0
            p.v = 0.0

    def step(self):
        self.t += 1
        for p in self.parameters:
            p.m = self.beta1 * p.m + (1 - self.beta1) * p.grad
            p.v = self.beta2 * p.v + (1 - self.beta2) * p.grad ** 2
            m_hat = p.m / (1 - self.beta1 ** self.t)
            v_hat = p.v / (1 - self.beta2 ** self.t)
            p.data -= self.lr * (m_hat / (v_hat ** 0.5 + self.eps) + self.weight_decay * p.data)

    def zero_grad(self):
        for p in self.parameters:
            p.grad = 0


def _train(V, steps=25):
    rng = random.Random(7)
    data = [((rng.uniform(-1, 1), rng.uniform(-1, 1)), rng.choice((-1.0, 1.0))) for _ in range(12)]
    model = MLP(V, [2, 6, 6, 1], seed=3)
    opt = AdamW(model.parameters())
    losses = []
    for _ in range(steps):
        loss = sum((model([V(x1), V(x2)]) - y) ** 2 for (x1, x2), y in data) * (1.0 / len(data))
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.data)
    return losses, model


def test_adamw_keeping_moments_on_parameters_trains_as_on_a_micrograd_style_engine():
    ours, model = _train(Value)
    reference, _ = _train(LectureValue)  # the lecture's micrograd-style engine
    assert ours == pytest.approx(reference, rel=1e-9, abs=1e-12)
    assert ours[-1] < 0.5 * ours[0]  # it learns: the comparison is not between two flat lines
    assert all(isinstance(p.m, float) and isinstance(p.v, float) for p in model.parameters())
