"""graphviz_nn: a computational-graph visualizer and step-through backprop debugger.

Record once, view many: ``Value``/``Tensor`` record every node; the debugger turns the
recording into a trace of steps; the renderer and the terminal app draw that trace.
"""
from .launch_app import debug
from .debugger.explain import explain
from .graph import backward
from .gradcheck import gradcheck
from .losses import bce, cce, hinge, huber, l1, l2, mae, mse, multiclass_hinge, nll, softmax, squared_hinge
from .optim import SGD
from .recording import group
from .render.jupyter import draw_dot, show
from .render.player import player
from .scenario_format import Scenario, ScenarioError, load_scenario
from .snapshot import to_json, to_networkx
from .tensor import Tensor
from .value import Value, maximum, prelu

__version__ = "0.1.0"

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
