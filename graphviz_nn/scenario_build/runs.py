"""The training runs a scenario's ``[compare]`` table sets side by side (``train`` and ``plot``)."""
from __future__ import annotations

from dataclasses import dataclass

from ..scenario_format.budget import check_compare
from ..scenario_format.compare import CompareSpec
from ..scenario_format.loader import load_scenario


@dataclass(frozen=True)
class Run:
    """One training run of a comparison: which scenario, start, learning rate and batch size."""

    label: str
    scenario: object
    start: object = None
    lr: float | None = None
    batch_size: int | None = None


def runs(scenario, iterations=None) -> list:
    """Every run the scenario compares: its starts × learning rates × batch sizes, then each
    listed scenario with its own settings (and the same starts, by name, where they exist).
    The work of them all together is checked first (``budget.check_compare``), with
    ``iterations`` per run when the command line overrides the scenario's."""
    spec = scenario.compare or CompareSpec()
    check_compare(scenario, iterations, [load_scenario(sid) for sid in spec.scenarios])
    starts = list(scenario.start_names) if spec.starts and len(scenario.starts) > 1 else [None]
    lrs = list(spec.lr) or [None]
    sizes = list(spec.batch_size) or [None]
    out = []
    for start in starts:
        for lr in lrs:
            for size in sizes:
                out.append(Run(_label(scenario, start, lr, size, bool(spec.scenarios)), scenario, start, lr, size))
    if spec.scenarios:
        for sid in spec.scenarios:
            other = load_scenario(sid)
            for start in starts:
                known = start if start is None or start in other.start_names else None
                out.append(Run(_label(other, known, None, None, True), other, known))
    return out


def _label(scenario, start, lr, size, name_scenario: bool) -> str:
    parts = [scenario.id] if name_scenario else []
    if start is not None:
        parts.append(f"start {start}")
    if lr is not None:
        parts.append(f"lr {lr:g}")
    if size is not None:
        count = len(scenario.data.x) if scenario.data.dataset is None else scenario.data.samples
        parts.append("full batch" if size >= count else f"batch {size}")
    return ", ".join(parts) or scenario.id
