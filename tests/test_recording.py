"""Creation numbers and group paths: shared stamps must give exactly the order of creation.

A scalar node keeps its creation number as a shared ``recording.Stamp`` plus a small offset,
and its group path on the stamp; these tests check the numbers against a plain list of the
nodes in the order the test made them (the independent record), across runs of 256, group
changes, tensor nodes, micrograd-style user gates and the backward walk.
"""
from __future__ import annotations

import numpy as np
from hypothesis import given, settings, strategies as st

from graphviz_nn import Tensor, Value, group
from graphviz_nn.graph import backward, reachable
from graphviz_nn.recording import _current_group, current_group


def _strictly_increasing(nodes) -> bool:
    orders = [n._order for n in nodes]
    return all(a < b for a, b in zip(orders, orders[1:]))


def test_numbers_increase_across_runs_of_256_and_nodes_share_few_stamps():
    made = [Value(0.5)]
    for _ in range(1000):  # several runs of 256
        made.append(made[-1] * 1.0000001)
    assert _strictly_increasing(made)
    assert len({id(n._stamp) for n in made}) <= 1001 // 256 + 2  # shared, not one per node
    assert all(0 <= n._k < 256 for n in made)
    assert reachable(made[-1]) == made  # creation order is what the walk returns


def test_a_group_change_starts_a_new_stamp_and_keeps_the_order():
    made = []
    x = Value(1.0, label="x")
    made.append(x)
    with group("L1"):
        y = x * 2.0
        with group("N0"):
            z = y + x
        w = z.relu()
    v = w * x
    made += [y, z, w, v]
    assert [n.group for n in made] == [(), ("L1",), ("L1", "N0"), ("L1",), ()]
    assert _strictly_increasing(made)
    assert reachable(v) == made
    assert current_group() == ()


def test_group_of_one_node_can_be_set_without_moving_it():
    a = Value(1.0)
    b = a + 1.0
    c = b * 3.0
    b.group = ("mine",)
    assert (a.group, b.group, c.group) == ((), ("mine",), ())
    assert a._order < b._order < c._order


def test_pushing_on_the_group_stack_directly_ends_the_run():
    # the PyTorch bridge appends and pops the stack itself
    a = Value(1.0)
    _current_group.append(("torch", "fc1"))
    try:
        b = a * 2.0
    finally:
        _current_group.pop()
    c = b + 1.0
    assert (a.group, b.group, c.group) == ((), ("torch", "fc1"), ())
    assert _strictly_increasing([a, b, c])


def test_cutting_the_group_stack_back_ends_the_run():
    # the PyTorch bridge writes ``del stack[depth:]`` when a module raised half-way
    depth = len(_current_group)
    _current_group.append(("torch", "fc1"))
    _current_group.append(("torch", "fc1", "relu"))
    a = Value(1.0)
    del _current_group[depth:]
    b = a * 2.0
    _current_group[:] = [()] + [("set",)]  # any other way of changing the stack ends the run too
    c = b + 1.0
    _current_group[:] = [()]
    d = c * 2.0
    assert (a.group, b.group, c.group, d.group) == (("torch", "fc1", "relu"), (), ("set",), ())
    assert _strictly_increasing([a, b, c, d])


def test_tensor_and_scalar_nodes_share_one_order():
    a = Value(1.0)
    t = Tensor(np.ones(2))
    b = a * 2.0
    u = t * 2.0
    c = b + 1.0
    assert a._order < t._order < b._order < u._order < c._order


def test_user_gate_with_three_children_numbers_its_links_before_itself():
    a, b, c = Value(1.0), Value(2.0), Value(3.0)
    out = Value(6.0, (a, b, c), "prod3")
    links = out._const.links
    assert _strictly_increasing([a, b, c, *links, out])
    assert reachable(out) == [a, b, c, *links, out]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(["leaf", "mul", "add", "relu", "push", "pop"]), min_size=1, max_size=600),
       st.randoms(use_true_random=False))
def test_any_mix_of_gates_and_groups_numbers_nodes_in_creation_order(steps, rng):
    made: list = [Value(0.25)]
    paths: list = [current_group()]  # the group path each node was made in, recorded by the test
    depth = len(_current_group)
    try:
        for step in steps:
            if step == "push":
                _current_group.append(current_group() + (f"g{len(made)}",))
                continue
            if step == "pop":
                if len(_current_group) > depth:
                    _current_group.pop()
                continue
            if step == "leaf":
                node = Value(rng.uniform(-1, 1))
            elif step == "mul":
                node = rng.choice(made) * rng.choice(made)
            elif step == "add":
                node = rng.choice(made) + rng.uniform(-1, 1)
            else:
                node = rng.choice(made).relu()
            made.append(node)
            paths.append(current_group())
    finally:  # an example Hypothesis stops half-way must not leave its groups behind
        while len(_current_group) > depth:
            _current_group.pop()
    assert _strictly_increasing(made)
    assert [n.group for n in made] == paths
    out = made[-1]
    found = reachable(out)
    reached = set(found)
    assert found == [n for n in made if n in reached]  # the test's own record, filtered
    assert backward(out) == found
