"""Opening a scenario from the command line reads its file once, estimates its cost once and
builds its graph once: ``graphviz-nn tui`` hands the app the Scenario it read."""
from __future__ import annotations

from collections import Counter

import pytest

from graphviz_nn.cli import main
from graphviz_nn.scenario_build import build as builder
from graphviz_nn.scenario_format import budget, loader, schema
from graphviz_nn.tui import app as app_module


def _count(monkeypatch, counts: Counter, module, name: str, key: str, keep=None):
    real = getattr(module, name)

    def counting(*args, **kwargs):
        if keep is None or keep(*args):
            counts[key] += 1
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, counting)


async def _open(monkeypatch, scenario_id: str):
    opened = []
    monkeypatch.setattr(app_module.DebuggerApp, "run", lambda self: opened.append(self))
    assert main(["tui", scenario_id]) == 0
    (app,) = opened
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        assert app.error is None and app.session is not None  # the graph is on screen
        return app


async def test_opening_an_expression_scenario_parses_and_builds_it_once(monkeypatch):
    counts = Counter()
    _count(monkeypatch, counts, loader, "parse_toml", "parse")
    _count(monkeypatch, counts, budget, "_expression_estimate", "estimate")
    _count(monkeypatch, counts, builder, "_build_expression", "build")
    await _open(monkeypatch, "sigmoid-neuron")
    assert counts == {"parse": 1, "estimate": 1, "build": 1}


async def test_opening_a_model_scenario_builds_the_full_graph_once(monkeypatch):
    # the loader checks a model on a two-sample stand-in; the full graph is built once, to trace
    counts = Counter()
    stand_ins = []
    real_stand_in = schema._validation_stand_in
    monkeypatch.setattr(schema, "_validation_stand_in", lambda s: stand_ins.append(real_stand_in(s)) or stand_ins[-1])
    _count(monkeypatch, counts, loader, "parse_toml", "parse")
    _count(monkeypatch, counts, budget, "_model_estimate", "estimate")
    _count(monkeypatch, counts, builder, "_build_model", "full build",
           keep=lambda scenario, *rest: not any(scenario is s for s in stand_ins))
    app = await _open(monkeypatch, "learning-slowdown-quadratic")
    assert app.target is not None and app.target.trains
    assert counts == {"parse": 1, "estimate": 1, "full build": 1}


@pytest.mark.parametrize("bad", ["no-such-scenario"])
def test_a_bad_name_is_still_one_sentence_before_the_app_starts(bad, monkeypatch, capsys):
    monkeypatch.setattr(app_module.DebuggerApp, "run", lambda self: pytest.fail("the app must not start"))
    assert main(["tui", bad]) == 2
    assert "there is no scenario called" in capsys.readouterr().err
