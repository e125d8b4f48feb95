"""``[compare]``: runs of one scenario set side by side (learning rates, batch sizes, starts,
the same lesson with another cost), and the closed-form solution beside gradient descent.

Still data: a list of numbers or catalogue ids, checked here; ``runs.runs()`` turns it into
the training runs that ``train`` sums up and ``plot`` draws.
"""
from __future__ import annotations

from dataclasses import dataclass

from .catalogue import catalogue_ids

KEYS = ("lr", "batch_size", "starts", "scenarios", "normal_equation")


@dataclass(frozen=True)
class CompareSpec:
    lr: tuple = ()  # learning rates to compare (the scenario's own when empty)
    batch_size: tuple = ()  # samples per update; the data set's size is full-batch gradient descent
    starts: bool = True  # every [[starts]] entry, when there are several
    scenarios: tuple = ()  # catalogue ids trained alongside (e.g. the other cost)
    normal_equation: bool = False  # a linear model: the normal equation W = (XXᵀ)⁻¹XY beside gradient descent


def compare_spec(c, doc: dict, kind: str, parts: dict):
    """The checked ``[compare]`` table, or ``None`` when the file has none."""
    path = ("compare",)
    table = c.table(doc, path, KEYS, required=False)
    if table is None:
        return None
    if parts.get("training") is None:
        c.fail(path, "[compare] compares training runs, and this scenario has no [training] table",
               "a [training] table (see docs/scenarios.md)", at_value=False)
    lrs = c.numbers(table["lr"], path + ("lr",), "lr", 8) if "lr" in table else ()
    for lr in lrs:
        if not 1e-9 <= lr <= 100.0:
            c.fail(path + ("lr",), f"the learning rate {lr:g} is out of range", "numbers from 1e-09 to 100")
    sizes = ()
    if "batch_size" in table:
        if kind != "model":
            c.fail(path + ("batch_size",), "batch sizes apply to model scenarios, which train on data",
                   "lr = [...] to compare learning rates", at_value=False)
        raw = c.get(table, path, "batch_size", "list")
        data = parts["data"]
        count = data.samples if data.dataset is not None else len(data.x)
        if not raw or len(raw) > 8 or any(isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= count
                                          for n in raw):
            c.fail(path + ("batch_size",), "batch_size must list 1 to 8 batch sizes",
                   f"whole numbers from 1 to {count} (the data set's size is full-batch gradient descent)")
        sizes = tuple(raw)
    scenarios = tuple(c.strings(table, path, "scenarios", default=[]))
    if len(scenarios) > 4:
        c.fail(path + ("scenarios",), f"{len(scenarios)} scenarios listed", "at most 4")
    ids = catalogue_ids()
    for sid in scenarios:
        if sid not in ids:
            c.fail(path + ("scenarios",), f"{sid[:40]!r} is not a catalogue scenario",
                   "ids from 'graphviz-nn list' (files cannot be referred to)")
    normal = c.get(table, path, "normal_equation", "bool", default=False)
    if normal and kind != "model":
        c.fail(path + ("normal_equation",), "the normal equation needs a model scenario (a linear layer on data)",
               "normal_equation in a model scenario", at_value=False)
    if normal and (len(parts["model"].layers) != 1 or parts["model"].output_activation != "linear"):
        c.fail(path + ("normal_equation",), "the normal equation solves a linear model only",
               'layers = [1] and output_activation = "linear" in [model]', at_value=False)
    return CompareSpec(lrs, sizes, c.get(table, path, "starts", "bool", default=True), scenarios, normal)
