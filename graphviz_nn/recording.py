"""What every new node is stamped with: its creation number and the current group path.

Creation order is a topological order (a node is created after its inputs), so the
counter gives deterministic ids and a backward order without any recursive sort.
"""
from __future__ import annotations

import contextlib
import itertools
from typing import Iterator

# A process-wide counter; ids shown to users are ranks within one graph (n0, n1, ...).
creation_counter = itertools.count()

# The group path given to nodes created now, e.g. ("L1", "N3"); set by graphviz_nn.nn.
_current_group: list[tuple] = [()]


def current_group() -> tuple:
    return _current_group[-1]


@contextlib.contextmanager
def group(*names: str) -> Iterator[tuple]:
    """Nodes created inside ``with group("L1", "N3"):`` carry that path (nested groups append)."""
    path = _current_group[-1] + tuple(names)
    _current_group.append(path)
    try:
        yield path
    finally:
        _current_group.pop()
