"""``record(fn, *args)``: run a PyTorch computation and record it as a graphviz-nn tensor graph.

PyTorch's ``TorchFunctionMode`` sees each call as the user wrote it (``F.linear``,
``F.cross_entropy``, ``x + 1``), before autograd and before the call is broken into ATen
kernels, so the recorded graph reads like the model's code. Each call runs in PyTorch as
usual; beside it, the recorder builds the same step from the project's rules
(``translate.HANDLERS``), checks it gives PyTorch's value, or else records an opaque gate
whose VJP is PyTorch's (``opaque``). Module calls become groups (their names in
``named_modules()``), parameters become leaves named as in ``named_parameters()``.
"""
from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
from torch.overrides import TorchFunctionMode

from ..errors import UserError
from ..recording import _current_group
from ..tensor import Tensor
from . import opaque
from .translate import HANDLERS, RANDOM


class RecordError(UserError, ValueError):
    """A computation that cannot be recorded as asked."""


@dataclass
class Recording:
    """What ``record`` made: the graph's ``output`` and ``leaves``, beside PyTorch's own result.

    ``output``: the recorded output (a ``graphviz_nn.Tensor``; ``output.backward()`` fills the
    leaves' ``grad``). ``outputs``: every recorded tensor the function returned. ``leaves``:
    parameter names (``"0.weight"``) and input names (``"X"``) to their leaves. ``torch_output``:
    what the function returned, untouched. ``opaque``: names of the calls recorded as opaque
    gates (PyTorch's VJP). ``notes``: anything the recorder could not show faithfully.
    """

    output: Tensor
    outputs: tuple
    leaves: dict
    torch_output: Any
    opaque: tuple = ()
    notes: tuple = field(default=())

    def debug(self, title: str = "your PyTorch model") -> None:
        """Step through this recording in the terminal app (``graphviz_nn.debug``)."""
        from ..launch_app import debug
        debug(self.output, title)


# Calls that never make a node: metadata, conversions out of PyTorch, and detaching.
_SKIP = frozenset(("detach", "detach_", "numpy", "item", "tolist", "requires_grad_", "retain_grad", "backward",
                   "size", "dim", "numel", "register_hook", "__len__", "__repr__", "__format__", "__bool__",
                   "__float__", "__int__", "__index__", "__hash__", "__reduce_ex__", "__deepcopy__",
                   "__array__", "_is_view", "storage", "untyped_storage", "data_ptr", "stride", "is_contiguous"))
# Calls whose floating-point result is the same numbers: the result shares the input's node.
_ALIAS = frozenset(("clone", "contiguous", "to", "float", "double", "cpu", "type_as", "type"))
_INPLACE_DUNDERS = frozenset(("__setitem__", "__iadd__", "__isub__", "__imul__", "__itruediv__", "__ipow__",
                              "__imatmul__"))
_TRANSPOSE_GETTERS = frozenset(("T", "mT", "H", "mH"))


def _name(func) -> str:
    """The call's name as the user wrote it (``linear``, ``add``, ``T`` for the ``.T`` property)."""
    name = getattr(func, "__name__", "") or ""
    if name == "__get__":  # a property such as .T or .data
        attr = getattr(getattr(func, "__self__", None), "__name__", "")
        return attr if attr in _TRANSPOSE_GETTERS else f"get:{attr}"
    return name


def _is_inplace(name: str, kwargs) -> bool:
    return (kwargs.get("inplace") is True or name in _INPLACE_DUNDERS
            or (name.endswith("_") and not name.startswith("_")))


def _flatten(tree) -> tuple:
    """Leaves of nested lists/tuples/dicts, and a function that rebuilds the nesting from new leaves."""
    if isinstance(tree, (list, tuple)) and not hasattr(tree, "_fields") and type(tree).__module__ != "torch.return_types":
        parts = [_flatten(x) for x in tree]
        leaves = [leaf for p, _ in parts for leaf in p]

        def rebuild(flat, parts=parts, kind=type(tree)):
            out, i = [], 0
            for p, build in parts:
                out.append(build(flat[i:i + len(p)]))
                i += len(p)
            return kind(out)
        return leaves, rebuild
    if isinstance(tree, dict):
        keys = list(tree)
        inner, build = _flatten([tree[k] for k in keys])
        return inner, lambda flat: dict(zip(keys, build(flat)))
    if isinstance(tree, tuple):  # a named tuple of results (values, indices): read-only
        return [x for part in tree for x in _flatten(part)[0]], None
    return [tree], lambda flat: flat[0]


def _float_tensors(tree) -> list:
    return [t for t in _flatten(tree)[0] if isinstance(t, torch.Tensor) and t.is_floating_point()]


class _Recorder(TorchFunctionMode):
    """Maps PyTorch tensors to recorded nodes while the user's computation runs."""

    def __init__(self):
        super().__init__()
        self._nodes: dict = {}  # id(torch tensor) -> node
        self._keep: list = []  # the tensors behind those ids, kept alive so no id is reused
        self.leaves: dict = {}
        self._param_names: dict = {}  # id(parameter) -> its name in named_parameters()
        self._module_paths: dict = {}  # id(module) -> group path
        self._roots = 0
        self._base = _current_group[-1]
        self.opaque: list = []
        self.notes: list = []
        self._unnamed = 0
        self._rng = None

    # ---- tensors to nodes ----
    def known(self, t) -> bool:
        return id(t) in self._nodes

    def node(self, t) -> Tensor:
        """The node recorded for ``t``; a tensor not seen before becomes a leaf."""
        n = self._nodes.get(id(t))
        return n if n is not None else self.leaf(t)

    def leaf(self, t, name: str | None = None) -> Tensor:
        """A new leaf holding ``t``'s values: named if it is an input or a parameter, else a constant."""
        if name is None and t.requires_grad:
            name = self._param_names.get(id(t))
            if name is None:
                name = f"tensor{self._unnamed}"
                self._unnamed += 1
        data = t.detach().cpu().to(torch.float64).numpy()  # Tensor() copies it: later changes to t stay out
        leaf = Tensor(data, label=name, requires_grad=bool(t.requires_grad and t.is_floating_point()))
        if name is not None:
            key, i = name, 2
            while key in self.leaves:
                key, i = f"{name}#{i}", i + 1
            self.leaves[key] = leaf
        self._bind(t, leaf)
        return leaf

    def _bind(self, t, node) -> None:
        self._nodes[id(t)] = node
        self._keep.append(t)

    def replay_random(self, fn):
        """``fn()`` with the random state the current call started from (its draws, again)."""
        if self._rng is None:
            return None
        with torch.random.fork_rng(devices=[]):
            torch.set_rng_state(self._rng)
            return fn()

    # ---- modules to groups ----
    def add_root(self, module) -> None:
        """Name a top-level module's submodules and parameters (a second model gets a prefix if names clash)."""
        self._module_paths[id(module)] = ()
        names = dict(module.named_parameters())
        prefix = ()
        if self._roots and any(n in self._param_names.values() for n in names):
            prefix = (f"{type(module).__name__.lower()}{self._roots}",)
        self._roots += 1
        for qual, sub in module.named_modules():
            if qual:
                self._module_paths.setdefault(id(sub), prefix + tuple(qual.split(".")))
        for pname, p in names.items():
            self._param_names.setdefault(id(p), ".".join(prefix + (pname,)))

    def _pre_hook(self, module, args):
        path = self._module_paths.get(id(module))
        if path is None:
            self.add_root(module)
            path = ()
        _current_group.append(self._base + path)

    def _post_hook(self, module, args, output):
        if len(_current_group) > 1:
            _current_group.pop()

    # ---- the interception ----
    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        name = _name(func)
        if name in _SKIP or name.startswith("get:") or not torch.is_grad_enabled():
            return func(*args, **kwargs)
        tensors = [t for t in _flatten((args, kwargs))[0] if isinstance(t, torch.Tensor)]
        if not any(self.known(t) or (t.requires_grad and t.is_floating_point()) for t in tensors):
            return func(*args, **kwargs)  # constants only: nothing the gradient can reach
        if name in _ALIAS:
            out = func(*args, **kwargs)
            if isinstance(out, torch.Tensor) and out.is_floating_point() and out is not args[0]:
                self._bind(out, self.node(args[0]))
            return out
        inplace = _is_inplace(name, kwargs)
        target = args[0] if inplace and args and isinstance(args[0], torch.Tensor) else None
        if target is not None and target._base is not None:
            self.notes.append(f"{name} changed a view of another tensor in place; the recorded graph shows the "
                              f"view's new values but not the change to the tensor it views")
        rng = torch.get_rng_state() if (name not in HANDLERS or name in RANDOM) else None
        if target is not None and not self.known(target):
            self.leaf(target)  # its value before the change is the in-place op's input
        out = func(*args, **kwargs)
        self._record(func, name, args, kwargs, target if target is not None else out, rng, inplace)
        return out

    def _record(self, func, name, args, kwargs, result, rng, inplace) -> None:
        outs = _float_tensors(result)
        if not outs:
            return
        handler = HANDLERS.get(name)
        nodes = None
        # one tensor, or a list of them (split, chunk): a handler gives one node per output
        single = len(outs) == 1 and isinstance(result, torch.Tensor)
        several = isinstance(result, (list, tuple)) and len(outs) == len(result) and not hasattr(result, "_fields")
        if handler is not None and (single or several):
            self._rng = rng
            try:
                node = handler(self, args, kwargs, result)
            except (TypeError, ValueError, IndexError, KeyError) as e:
                self.notes.append(f"{name} was recorded as an opaque gate: the rule table could not take "
                                  f"its arguments ({e})")
                node = None
            nodes = None if node is None else node if isinstance(node, list) else [node]
            if nodes is not None and (len(nodes) != len(outs)
                                      or not all(_agrees(n.data, t) for n, t in zip(nodes, outs))):
                self.notes.append(f"{name} was recorded as an opaque gate: the rule table's value differed "
                                  f"from PyTorch's")
                nodes = None
        if nodes is not None:
            for t, n in zip(outs, nodes):
                self._bind(t, n)
            return
        self._record_opaque(func, name, args, kwargs, outs, rng, inplace)

    def _record_opaque(self, func, name, args, kwargs, outs, rng, inplace) -> None:
        """Replay the call in float64 on leaves holding the recorded values; keep its autograd graph."""
        flat, rebuild = _flatten((args, kwargs))
        inputs, leaves, replay = [], [], []
        for i, x in enumerate(flat):
            if isinstance(x, torch.Tensor) and x.is_floating_point():
                if self.known(x) or x.requires_grad:
                    node = self.node(x)
                    leaf = torch.tensor(node.data, dtype=torch.float64, requires_grad=True)
                    inputs.append(node)
                    leaves.append(leaf)
                    x = leaf.clone() if inplace and i == 0 else leaf  # PyTorch refuses in-place ops on leaves
                else:
                    x = x.detach().to(torch.float64, copy=True)
            replay.append(x)
        r_args, r_kwargs = rebuild(replay)
        with torch.random.fork_rng(devices=[]), torch.enable_grad():
            if rng is not None:
                torch.set_rng_state(rng)
            r_out = func(*r_args, **r_kwargs)
        r_outs = [t.to(torch.float64) for t in _float_tensors(r_args[0] if inplace else r_out)]
        if len(r_outs) != len(outs) or not inputs:
            self.notes.append(f"{name} could not be replayed for its gradient; its result is a constant here")
            return
        shown = name.strip("_") or name  # __setitem__ shows as setitem
        call = opaque.TorchCall(shown, leaves, r_outs, packed=False)
        node = opaque.gate(shown, inputs, call)
        if shown not in self.opaque:
            self.opaque.append(shown)
        if len(outs) == 1:
            self._bind(outs[0], node)
        else:
            for t, part in zip(outs, opaque.parts(node, [tuple(o.shape) for o in r_outs])):
                self._bind(t, part)


def _agrees(ours: np.ndarray, theirs: torch.Tensor) -> bool:
    """The rule table's value is PyTorch's (to float64 round-off, or to the user's dtype's precision)."""
    ref = theirs.detach().cpu().to(torch.float64).numpy()
    if ours.shape != ref.shape:
        return False
    tol = 1e-7 if theirs.dtype == torch.float64 else 1e-3 if theirs.dtype == torch.float32 else 1e-2
    finite = np.abs(ref[np.isfinite(ref)])
    scale = max(1.0, float(finite.max())) if finite.size else 1.0
    return bool(np.allclose(ours, ref, rtol=tol, atol=tol * scale, equal_nan=True))


def _argument_names(fn, args, kwargs) -> list:
    """(name, value) for each argument: the function's (or the module's ``forward``'s) parameter names."""
    target = fn.forward if isinstance(fn, torch.nn.Module) else fn
    try:
        bound = inspect.signature(target).bind(*args, **kwargs)
    except (TypeError, ValueError):
        return [(f"input{i}", a) for i, a in enumerate(args)] + list(kwargs.items())
    out = []
    for name, value in bound.arguments.items():
        if isinstance(value, tuple) and inspect.signature(target).parameters[name].kind == inspect.Parameter.VAR_POSITIONAL:
            out.extend((f"{name}{i}", v) for i, v in enumerate(value))
        elif isinstance(value, dict) and inspect.signature(target).parameters[name].kind == inspect.Parameter.VAR_KEYWORD:
            out.extend(value.items())
        else:
            out.append((name, value))
    return out


def record(fn, *args, **kwargs) -> Recording:
    """Run ``fn(*args, **kwargs)`` in PyTorch and record it, op by op, with the real values.

    ``fn`` is an ``nn.Module`` or any function (``lambda: F.cross_entropy(model(X), y)``).
    Parameters become leaves named as in ``named_parameters()``; floating-point arguments
    become leaves named after ``fn``'s parameters; every module call is a group.

    >>> import torch
    >>> from graphviz_nn.torch import record
    >>> w = torch.tensor([2.0, -1.0], dtype=torch.float64, requires_grad=True)
    >>> rec = record(lambda x: (w * x).sum(), torch.tensor([3.0, 4.0], dtype=torch.float64))
    >>> rec.output.backward(); rec.leaves["tensor0"].grad.tolist()
    [3.0, 4.0]
    """
    if not callable(fn):
        raise RecordError(f"record needs a function or an nn.Module to run, got {type(fn).__name__}; "
                          f"write record(model, X) or record(lambda: F.cross_entropy(model(X), y))")
    rec = _Recorder()
    if isinstance(fn, torch.nn.Module):
        rec.add_root(fn)
    for name, value in _argument_names(fn, args, kwargs):
        if isinstance(value, torch.Tensor) and value.is_floating_point() and not rec.known(value):
            rec.leaf(value, name)
    depth = len(_current_group)
    pre = torch.nn.modules.module.register_module_forward_pre_hook(rec._pre_hook)
    post = torch.nn.modules.module.register_module_forward_hook(rec._post_hook, always_call=True)
    try:
        with rec:
            result = fn(*args, **kwargs)
    finally:
        pre.remove()
        post.remove()
        del _current_group[depth:]  # a module that raised half-way leaves no group behind
    outs = [rec.node(t) for t in _float_tensors(result) if rec.known(t)]
    if not outs:
        raise RecordError(f"{getattr(fn, '__name__', type(fn).__name__)} returned no tensor computed from its "
                          f"inputs or parameters (it returned {type(result).__name__}); return the loss tensor, "
                          f"not loss.item()")
    return Recording(outs[0], tuple(outs), dict(rec.leaves), result, tuple(rec.opaque), tuple(rec.notes))
