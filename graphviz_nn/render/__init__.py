"""Graphviz diagrams of a recorded graph at any debugger step, exports, frames and the HTML player.

>>> from graphviz_nn import Value
>>> from graphviz_nn.render import to_dot
>>> x = Value(3.0, label="x")
>>> diagram = to_dot(x * x, step="end")      # a graphviz.Digraph; building it never runs dot
>>> "9.00" in diagram.source
True

Public names: ``to_dot``, ``draw_dot``, ``show``, ``export``, ``render_bytes``,
``write_frames``, ``render_frames``, ``player``, ``Player``, ``player_html``, ``player_fragment``,
``write_player``, ``run_dot``,
``PALETTES``, ``LEVELS``, ``DEFAULT_NODE_LIMIT``.
"""
from importlib import import_module

# Eager (and light: no graphviz import) because these submodules share a name with their
# function, and importing a submodule would otherwise shadow a lazily found function.
from .export import FORMATS, ExportError, export, render_bytes
from .run_dot import GraphvizNotFoundError, GraphvizTimeoutError, run_dot

# Imported on first use: ``import graphviz_nn`` stays fast for the terminal app.
_WHERE = {
    "to_dot": "dot", "Diagram": "dot", "RenderError": "dot", "GraphTooLargeError": "dot",
    "DEFAULT_NODE_LIMIT": "dot", "LEVELS": "dot",
    "render_frames": "frames", "write_frames": "frame_set",
    "player_html": "html_player", "write_player": "html_player", "player_fragment": "html_player",
    "player": "player", "Player": "player", "PlayerError": "player", "PlayerTooLargeError": "player",
    "MAX_PLAYER_BYTES": "player",
    "draw_dot": "jupyter", "show": "jupyter", "PALETTES": "palette",
}

__all__ = sorted([*_WHERE, "FORMATS", "ExportError", "export", "render_bytes",
                  "GraphvizNotFoundError", "GraphvizTimeoutError", "run_dot"])


def __getattr__(name):
    if name in _WHERE:
        return getattr(import_module(f".{_WHERE[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
