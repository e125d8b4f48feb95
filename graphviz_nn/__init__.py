"""graphviz_nn: a computational-graph visualizer and step-through backprop debugger.

Record once, view many: ``Value``/``Tensor`` record every node; the debugger turns the
recording into a trace of steps; the renderer and the terminal app draw that trace.

Only the scalar engine is imported with the package; every other name below is imported on
first use (PEP 562), so ``import graphviz_nn`` and the terminal app's first screen do not
pay for the renderer, the player, the scenario schema or numpy's linear algebra they never use.
"""
from __future__ import annotations

import importlib

from .graph import backward
from .gradcheck import gradcheck  # eager: a lazy name would lose to its own submodule's name
from .recording import group
from .value import Value, maximum, prelu

__version__ = "0.1.0"

# name -> the module that defines it (imported when the name is first read)
_LAZY = {
    "Tensor": ".tensor", "to_json": ".snapshot", "to_networkx": ".snapshot",
    **{name: ".losses" for name in ("bce", "cce", "hinge", "huber", "l1", "l2", "mae", "mse",
                                    "multiclass_hinge", "nll", "softmax", "squared_hinge")},
    "SGD": ".optim",
    "explain": ".debugger.explain", "draw_dot": ".render.jupyter", "show": ".render.jupyter",
    "player": ".render.player", "debug": ".launch_app",
    "load_scenario": ".scenario_format", "Scenario": ".scenario_format", "ScenarioError": ".scenario_format",
}

__all__ = [
    # engine
    "Value", "Tensor", "maximum", "prelu", "group", "backward", "gradcheck", "to_json", "to_networkx",
    # losses and training
    "mse", "mae", "huber", "hinge", "squared_hinge", "multiclass_hinge", "bce", "softmax", "cce", "nll",
    "l1", "l2", "SGD",
    # views
    "explain", "draw_dot", "show", "player", "debug",
    # scenarios
    "load_scenario", "Scenario", "ScenarioError",
    "__version__",
]


def __getattr__(name: str):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'graphviz_nn' has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value  # the next read is a plain attribute
    return value


def __dir__() -> list:
    return sorted(set(globals()) | set(_LAZY))
