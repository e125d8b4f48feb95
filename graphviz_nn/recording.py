"""What every new node is stamped with: its creation number and the current group path.

Creation order is a topological order (a node is created after its inputs), so the
creation number gives deterministic ids and a backward order without any recursive sort.

A scalar node keeps no int of its own for that number: consecutive nodes share a ``Stamp``
(the number of the run's first node and the group path they were made in) and each keeps
its offset in the run, 0..255, which CPython's cached small ints hold for free. A run ends
after 256 nodes or when the group path changes, so all of a run's nodes share one group.
"""
from __future__ import annotations

import contextlib
import itertools
from typing import Iterator

_RUN = 256  # offsets 0..255 are small ints CPython keeps cached: no int object per node


class Stamp:
    """What a run of consecutive nodes shares: the creation number of its first node (runs
    are numbered 256 apart; a run cut short leaves a gap, never a repeat) and the group path."""

    __slots__ = ("base", "group")

    def __init__(self, base: int, group: tuple):
        self.base = base
        self.group = group

    def __repr__(self):
        return f"Stamp({self.base}, {self.group!r})"


class _GroupStack(list):
    """The stack of group paths; any change ends the open run, so a run has one group."""

    def append(self, path) -> None:
        list.append(self, path)
        _end_run()

    def pop(self, index: int = -1):
        path = list.pop(self, index)
        _end_run()
        return path

    def __delitem__(self, index) -> None:  # the PyTorch bridge cuts the stack back after an error
        list.__delitem__(self, index)
        _end_run()

    def __setitem__(self, index, value) -> None:
        list.__setitem__(self, index, value)
        _end_run()

    def __iadd__(self, paths):
        list.extend(self, paths)
        _end_run()
        return self

    def extend(self, paths) -> None:
        list.extend(self, paths)
        _end_run()

    def insert(self, index: int, path) -> None:
        list.insert(self, index, path)
        _end_run()

    def remove(self, path) -> None:
        list.remove(self, path)
        _end_run()

    def clear(self) -> None:
        list.clear(self)
        _end_run()


# The group path given to nodes created now, e.g. ("L1", "N3"); set by graphviz_nn.nn.
_current_group: list[tuple] = _GroupStack([()])

_bases = itertools.count(0, _RUN)
_open_run: list = [[]]  # the open run's stamps, one per ticket left; emptied to end the run early


def _new_run(_) -> zip:
    stamps = [Stamp(next(_bases), _current_group[-1])] * _RUN
    _open_run[0] = stamps
    return zip(stamps, range(_RUN))


def _end_run() -> None:
    _open_run[0].clear()  # its iterator stops at the next ticket, which opens a new run


# ``next_ticket()`` -> (stamp, offset): the node's creation number is stamp.base + offset.
# All of it runs in C (chain, map, zip reuse their tuple) except once per run.
next_ticket = itertools.chain.from_iterable(map(_new_run, itertools.repeat(None))).__next__


class _CreationNumbers:
    """Creation numbers as plain ints, for nodes that keep one (tensor nodes), drawn from the
    same tickets so scalar and tensor nodes share one order."""

    def __iter__(self):
        return self

    def __next__(self) -> int:
        stamp, offset = next_ticket()
        return stamp.base + offset


# A process-wide counter; ids shown to users are ranks within one graph (n0, n1, ...).
creation_counter = _CreationNumbers()


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
