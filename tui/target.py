"""What the app is debugging: a lecture scenario, a scenario file, or a graph from the user's code.

A ``Target`` carries a title, an explanation and a way to make the trace; training
scenarios also carry a trainer (one iteration = update, then forward and backward).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Optional

from graphviz_nn.scenario_build.to_trace import scenario_of, to_trace


@dataclass
class Target:
    """Something to step through; ``make_trace()`` returns a fresh trace of its current state.

    For a training target each call is the next training iteration (update, then forward and
    backward again), traced with its update steps.
    """

    id: str
    title: str
    explanation: str = ""
    make_trace: Callable[[], Any] = field(default=lambda: None)
    trainer: Any = None
    scenario: Any = None

    @property
    def trains(self) -> bool:
        return self.trainer is not None


def from_outputs(outputs, title: str = "your graph",
                 explanation: str = "A graph built in your own code.") -> Target:
    """A target for ``graphviz_nn.debug(output)`` (or a script's backward pass): the user's own
    nodes (or their trace), traced once and never written into."""
    trace = to_trace(outputs, who="debug").trace
    return Target("user", title, explanation, lambda: trace)


def from_scenario(id_or_path, start=None) -> Target:
    """A catalogue scenario or a scenario file; raises ``ScenarioError`` with one sentence.

    ``start``: one of a model scenario's starting points (index or name), e.g. the slow
    start of ``learning-slowdown-quadratic``.
    """
    scenario = scenario_of(id_or_path)  # a loaded Scenario as it is: a file is read once per open
    trainer = scenario.trainer(start) if getattr(scenario, "training", None) is not None else None
    # a training scenario shows its current iteration: forward, backward, then the updates
    make = trainer.trace_iteration if trainer is not None else scenario.trace
    title = scenario.title or str(id_or_path)
    if start is not None and scenario.starts:
        names = scenario.start_names
        title += f" (start {names[start] if isinstance(start, int) else start})"
    elif len(getattr(scenario, "starts", ())) > 1:
        title += f" (start {scenario.start_names[0]})"
    return Target(scenario.id, title, scenario.explanation or "", make, trainer, scenario)


def catalogue(extra_files=()) -> list[tuple[str, str, str]]:
    """``(id, title, explanation)`` of every shipped scenario, for the picker (then ``extra_files``,
    whose id is their path; a broken file says so without quoting it)."""
    from graphviz_nn.scenario_format.loader import catalogue_ids, load_scenario

    entries = []
    for sid in list(catalogue_ids()) + list(extra_files):
        try:
            scenario = load_scenario(sid)
        except Exception:  # a broken entry must not hide the others
            entries.append((sid, sid, "(cannot be opened: open it to see where the mistake is)"))
            continue
        entries.append((sid, getattr(scenario, "title", sid), getattr(scenario, "explanation", "")))
    return entries


def iteration_of(target: Optional[Target]) -> Optional[int]:
    """The iteration on screen, counted from 1 as ``graphviz-nn train`` counts (``None``: no training)."""
    if target is None or target.trainer is None:
        return None
    return target.trainer.iteration


def loss_history(target: Optional[Target]) -> list:
    if target is None or target.trainer is None:
        return []
    return [h.loss for h in target.trainer.history]
