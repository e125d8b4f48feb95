"""An MLP's trace as the textbook network: inputs, one node per neuron, one edge per weight.

Read from the trace alone (the groups ``graphviz_nn.nn`` records and the ``.w<k>``/``.W``
labels of the weights), for one sample of the batch at a time; the loss aggregates the
batch. Works for scalar MLPs (a neuron is a group ``("L1", "N3")`` with leaves ``L1.N3.w0``
…) and tensor MLPs (a layer is a group ``("L1",)`` with a matrix ``L1.W`` of shape
``(inputs, neurons)``).

    >>> from graphviz_nn.scenario_format.loader import load_scenario
    >>> net = network(load_scenario("mlp-xor").trace())
    >>> [n.label for n in net.nodes], net.samples, len(net.edges)
    (['x0', 'x1', 'L1.N1', 'L1.N2', 'L1.N3', 'L1.N4', 'L2.N1', 'loss'], 4, 13)
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

import numpy as np

from ..errors import UserError

_WEIGHT = re.compile(r"\.w(\d+)$")


@dataclass(frozen=True)
class NetNode:
    """An input feature, a neuron, or the loss; ``column``: 0 inputs, 1… layers, last the loss."""

    id: str
    kind: str
    label: str
    column: int
    path: tuple = ()


@dataclass(frozen=True)
class NetEdge:
    """One weight: from an input or a neuron into a neuron (``weight`` None: into the loss)."""

    src: str
    dst: str
    label: str
    weight: Optional[str] = None  # the trace node holding the weight
    entry: Optional[tuple] = None  # its index inside a weight matrix (tensor MLPs)


class _Column:
    """``(node, (s, column))`` for each sample ``s`` of one tensor column, made when read (a list
    would hold samples × neurons tuples)."""

    __slots__ = ("node", "column", "count")

    def __init__(self, node: str, column: int, count: int):
        self.node, self.column, self.count = node, column, count

    def __len__(self) -> int:
        return self.count

    def __getitem__(self, s: int) -> tuple:
        if not 0 <= s < self.count:
            raise IndexError(s)
        return self.node, (s, self.column)


class Network:
    """Nodes and edges of the picture, and where its numbers are in the trace."""

    def __init__(self, trace, nodes, edges, samples, values, members):
        self.trace = trace
        self.nodes: list = nodes
        self.edges: list = edges
        self.samples: int = samples
        self._values = values  # net node id -> per sample: (trace node id, index or None)
        self._members = members  # trace node id -> net node id
        self._samples_of: dict = {}
        for nid, per_sample in values.items():
            if isinstance(per_sample, _Column):  # a tensor column: one trace node for every sample
                self._samples_of.setdefault(per_sample.node, 0)
                continue
            for s, (node, _) in enumerate(per_sample):
                self._samples_of.setdefault(node, s)

    def node_of(self, trace_node: str) -> Optional[str]:
        """The net node standing for a trace node (a neuron for its gates and weights)."""
        return self._members.get(trace_node)

    def sample_of(self, trace_node: str) -> Optional[int]:
        """The sample a trace node belongs to (scalar MLPs), else ``None``."""
        return self._samples_of.get(trace_node)

    def value(self, node_id: str, state, sample: int):
        return self._read(node_id, sample, state.value)

    def grad(self, node_id: str, state, sample: int):
        return self._read(node_id, sample, state.grad)

    def _read(self, node_id, sample, get):
        per_sample = self._values.get(node_id)
        if not per_sample:
            return None
        node, index = per_sample[min(sample, len(per_sample) - 1)]
        x = get(node)
        if x is None or index is None:
            return x
        return float(np.asarray(x)[index])

    def weight(self, edge: NetEdge, state) -> tuple:
        """``(value, gradient)`` of an edge's weight (``None`` while not known)."""
        if edge.weight is None:
            return None, None
        value, grad = state.value(edge.weight), state.grad(edge.weight)
        if edge.entry is not None:
            value = None if value is None else float(np.asarray(value)[edge.entry])
            grad = None if grad is None else float(np.asarray(grad)[edge.entry])
        return value, grad

    def stepped_weight(self, state) -> Optional[str]:
        """The weight whose edge a state's step is on: its gradient arriving (backward), the
        product of weight and input being computed (forward), or the weight itself (its value,
        its update); ``None`` when the step is on no weight's edge.

            >>> from graphviz_nn.scenario_format.loader import load_scenario
            >>> trace = load_scenario("mlp-xor").trace()
            >>> net = network(trace)
            >>> trace.node(net.stepped_weight(trace.state_at(40))).label  # n39 = L2.N1.w0 * n23
            'L2.N1.w0'
        """
        if not hasattr(self, "_weights"):
            self._weights = {e.weight for e in self.edges if e.weight is not None}
        candidates = list(state.current_edge[:2]) if state.current_edge else []
        if state.current is not None:
            candidates.append(state.current)
        for node in candidates:
            if node in self._weights:
                return node
        for node in candidates:  # a weight × input gate: its weight
            for i in self.trace.node(node).inputs:
                if i in self._weights:
                    return i
        return None

    def trace_node(self, node_id: str, sample: int) -> Optional[str]:
        """The trace node whose value a net node shows for a sample (a neuron: its activation)."""
        per_sample = self._values.get(node_id)
        return per_sample[min(sample, len(per_sample) - 1)][0] if per_sample else None


# The most any network picture holds, whatever the caller's limit (``max_nodes=None`` included):
# one edge per weight, so a 512-512 layer alone is 262,144 edges (~100 MB of DOT, GBs while drawn).
MAX_NETWORK_NODES = 10_000
MAX_NETWORK_EDGES = 40_000


class NetworkTooLargeError(UserError, ValueError):
    """The neuron-level picture of an MLP would be too large to build."""


def network_size(trace) -> Optional[tuple]:
    """``(nodes, edges)`` the network picture of a tensor MLP will have, read from its weight
    shapes without building it; ``None`` for anything else (a scalar MLP's picture is smaller
    than its already recorded graph)."""
    if trace.group_depth() >= 2 or not is_tensor_mlp(trace):
        return None
    shapes = [trace.node(node_id).shape for node_id, label, path in trace.labelled_leaves()
              if path and label.endswith(".W")]  # the weights' infos only
    if not shapes or any(shape is None or len(shape) != 2 for shape in shapes):
        return None
    nodes = shapes[0][0] + sum(shape[1] for shape in shapes) + 1
    edges = sum(shape[0] * shape[1] for shape in shapes) + shapes[-1][1]
    return nodes, edges


def check_network_size(trace, max_nodes: Optional[int] = None) -> None:
    """Refuse, before building, a network picture over ``max_nodes`` (and 4× as many edges) or
    over the ceiling; one sentence with both counts."""
    size = network_size(trace)
    if size is None:
        return
    nodes, edges = size
    node_limit = MAX_NETWORK_NODES if max_nodes is None else min(max_nodes, MAX_NETWORK_NODES)
    edge_limit = MAX_NETWORK_EDGES if max_nodes is None else min(4 * max_nodes, MAX_NETWORK_EDGES)
    if nodes > node_limit or edges > edge_limit:
        raise NetworkTooLargeError(
            f"the neuron-level view would have {nodes:,} nodes and {edges:,} edges (one per weight), more "
            f"than the limit of {node_limit:,} nodes and {edge_limit:,} edges; draw it at the layer level")


def is_tensor_mlp(trace) -> bool:
    """A tensor MLP: layers (groups ``L1``, ``L2``) with weight matrices, whose columns are neurons."""
    # from the recorded labels: asking makes no node info (levels_of asks on every graph opened)
    return any(path and label.endswith(".W") for _, label, path in trace.labelled_leaves())


def network(trace) -> Optional[Network]:
    """The network picture of an MLP trace, or ``None`` when the trace is not an MLP."""
    if trace.group_depth() >= 2:
        return _scalar(trace)
    if is_tensor_mlp(trace):
        check_network_size(trace)  # counted from the weight shapes, before anything is built
        return _tensor(trace)
    return None


def _consumers(trace) -> dict:
    out: dict = {}
    for e in trace.edges:
        out.setdefault(e.src, []).append(e.dst)
    return out


def _scalar(trace) -> Optional[Network]:
    consumers = _consumers(trace)
    group_of = {info.id: info.group[:2] for info in trace.nodes if len(info.group) >= 2}
    neurons: dict = {}  # path -> [(k, weight id)]
    for info in trace.nodes:
        m = _WEIGHT.search(info.label or "")
        if info.is_leaf and len(info.group) >= 2 and m:
            neurons.setdefault(info.group[:2], []).append((int(m.group(1)), info.id))
    if not neurons:
        return None
    layers = sorted({p[0] for p in neurons}, key=_natural)
    column = {layer: i + 1 for i, layer in enumerate(layers)}
    # each neuron's outputs, one per sample: members read outside the neuron, in creation order
    outputs: dict = {p: [] for p in neurons}
    for info in trace.nodes:
        path = group_of.get(info.id)
        if path in outputs and not info.is_leaf and any(group_of.get(c) != path for c in consumers.get(info.id, ())):
            outputs[path].append(info.id)
    for path in outputs:
        if not outputs[path]:
            last = [i.id for i in trace.nodes if group_of.get(i.id) == path and not i.is_leaf]
            outputs[path] = last[-1:]
    nodes, edges, values, members = [], [], {}, {}
    inputs: dict = {}  # feature k -> per sample leaf
    first = [p for p in neurons if p[0] == layers[0]]
    for path in first:
        for k, w in neurons[path]:
            fed = [_other_input(trace, c, w) for c in consumers.get(w, ())]
            if fed and k not in inputs:
                inputs[k] = fed
    samples = max((len(v) for v in outputs.values()), default=1)
    for k in sorted(inputs):
        nid = f"in{k}"
        leaf = trace.node(inputs[k][0])
        nodes.append(NetNode(nid, "input", leaf.label or f"x{k}", 0))
        values[nid] = [(leaf_id, None) for leaf_id in inputs[k]]
        for leaf_id in inputs[k]:
            members[leaf_id] = nid
    neuron_id = {path: "neuron:" + ".".join(path) for path in neurons}
    output_to_neuron = {o: path for path, outs in outputs.items() for o in outs}
    for path in sorted(neurons, key=lambda p: (_natural(p[0]), _natural(p[1]))):
        nid = neuron_id[path]
        nodes.append(NetNode(nid, "neuron", ".".join(path), column[path[0]], path))
        values[nid] = [(o, None) for o in outputs[path]]
        for info in trace.nodes:
            if group_of.get(info.id) == path:
                members[info.id] = nid
        for k, w in sorted(neurons[path]):
            fed = [_other_input(trace, c, w) for c in consumers.get(w, ())]
            src = None
            if fed and fed[0] in output_to_neuron:
                src = neuron_id[output_to_neuron[fed[0]]]
            elif k in inputs and column[path[0]] == 1:
                src = f"in{k}"
            if src is not None:
                edges.append(NetEdge(src, nid, f"w{k}", w))
    loss = trace.backward_from
    if loss is not None and loss not in members:  # a loss after the network (not its own output)
        last_layer = layers[-1]
        nodes.append(NetNode("loss", "loss", "loss", len(layers) + 1))
        values["loss"] = [(loss, None)]
        for path in neurons:
            if path[0] == last_layer:
                edges.append(NetEdge(neuron_id[path], "loss", ""))
        for info in trace.nodes:
            members.setdefault(info.id, "loss" if not info.group else members.get(info.id))
    return Network(trace, nodes, edges, samples, values, {k: v for k, v in members.items() if v})


def _other_input(trace, gate: str, weight: str) -> Optional[str]:
    inputs = trace.node(gate).inputs
    return next((i for i in inputs if i != weight), None)


def _tensor(trace) -> Optional[Network]:
    consumers = _consumers(trace)
    weights = [info for info in trace.nodes if info.group and info.is_leaf and info.label.endswith(".W")]
    layers = sorted((w.group[0] for w in weights), key=_natural)
    by_layer = {w.group[0]: w for w in weights}
    group_of = {info.id: info.group[:1] for info in trace.nodes if info.group}
    nodes, edges, values, members = [], [], {}, {}
    first = by_layer[layers[0]]
    x = next((_other_input(trace, c, first.id) for c in consumers.get(first.id, ())), None)
    if x is None or first.shape is None or len(first.shape) != 2:
        return None
    x_info = trace.node(x)
    samples = x_info.shape[0] if x_info.shape and len(x_info.shape) == 2 else 1
    n_in = first.shape[0]
    for i in range(n_in):
        nid = f"in{i}"
        nodes.append(NetNode(nid, "input", f"{x_info.label}[{i}]" if x_info.label else f"x{i}", 0))
        values[nid] = _Column(x, i, samples)
    members[x] = "in0"
    previous = [f"in{i}" for i in range(n_in)]
    for c, layer in enumerate(layers, start=1):
        w = by_layer[layer]
        if w.shape is None or len(w.shape) != 2 or w.shape[0] != len(previous):
            return None
        out = None  # the layer's activation: its last node read outside the layer
        for info in trace.nodes:
            if group_of.get(info.id) == (layer,) and not info.is_leaf:
                if any(group_of.get(d) != (layer,) for d in consumers.get(info.id, ())):
                    out = info.id
        if out is None:
            return None
        current = []
        for j in range(w.shape[1]):
            nid = f"neuron:{layer}.N{j + 1}"
            nodes.append(NetNode(nid, "neuron", f"{layer}.N{j + 1}", c, (layer, f"N{j + 1}")))
            values[nid] = _Column(out, j, samples)
            for i, src in enumerate(previous):
                edges.append(NetEdge(src, nid, f"w{i}", w.id, (i, j)))
            current.append(nid)
        for info in trace.nodes:
            if group_of.get(info.id) == (layer,):
                members[info.id] = current[0]  # one matrix step serves the whole layer
        previous = current
    loss = trace.backward_from
    if loss is not None and loss not in members:
        nodes.append(NetNode("loss", "loss", "loss", len(layers) + 1))
        values["loss"] = [(loss, None)]
        for src in previous:
            edges.append(NetEdge(src, "loss", ""))
        for info in trace.nodes:
            if not info.group and info.id not in members:
                members[info.id] = "loss"
    return Network(trace, nodes, edges, samples, values, members)


def _natural(text: str):
    """``L2`` before ``L10``."""
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", text)]


__all__ = ["network", "Network", "NetNode", "NetEdge"]
