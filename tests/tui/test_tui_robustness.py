"""Every key at every size, resizing, and 500 random keys: nothing raises, the state stays consistent."""
from __future__ import annotations

import random

import pytest
from textual import events

from graphviz_nn.tui.app import DebuggerApp
from tui_helpers import assert_consistent

SIZES = [(120, 36), (80, 24), (40, 12), (20, 6), (10, 3)]
# every binding's key; the ones that open a screen are followed by escape
BINDING_KEYS = ["n", "right", "p", "left", "s", "f", "c", "home", "end", "b", "l", "t",
                "shift+left", "shift+right", "shift+up", "shift+down",
                "plus", "equals_sign", "minus", "0", "P", "C", "full_stop", "comma", "v", "L",
                "left_square_bracket", "right_square_bracket", "T", "S", "a", "escape"]
SCREEN_KEYS = ["g", "w", "x", "d", "r", "e", "o", "question_mark"]


def burst(app, keys) -> None:
    """Queue key events without waiting between them (Pilot.press waits for idle after each)."""
    for key in keys:
        char = key if len(key) == 1 else {"question_mark": "?", "plus": "+", "equals_sign": "=", "minus": "-",
                                          "full_stop": ".", "comma": ",", "left_square_bracket": "[",
                                          "right_square_bracket": "]"}.get(key)
        event = events.Key(key, char)
        event.set_sender(app)
        app._driver.send_message(event)


def app_for(scenario="sigmoid-neuron"):
    return DebuggerApp(scenario=scenario, layout_engine="builtin")


def test_the_test_covers_every_binding():
    keys = set()
    for binding in DebuggerApp.BINDINGS:
        keys.update(binding.key.split(","))
    assert keys - {"q"} == set(BINDING_KEYS) | set(SCREEN_KEYS)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
async def test_every_binding_at_every_size(size, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # an accidental export lands here
    app = app_for()
    async with app.run_test(size=size) as pilot:
        for key in BINDING_KEYS:
            await pilot.press(key)
            assert_consistent(app)
        for key in SCREEN_KEYS:
            await pilot.press(key)
            await app.workers.wait_for_complete()  # x: the gradient check runs in a worker
            await pilot.pause()
            assert app.screen is not app.screen_stack[0], key
            await pilot.press("escape")
            assert app.screen is app.screen_stack[0], key
            assert_consistent(app)
        await pilot.press("q")
    assert app.return_code == 0


async def test_resizing_between_sizes_while_stepping():
    app = app_for()
    async with app.run_test(size=SIZES[0]) as pilot:
        for i in range(12):
            w, h = SIZES[i % len(SIZES)]
            await pilot.resize_terminal(w, h)
            await pilot.press("n", "n", "c" if i % 3 == 0 else "p")
            await pilot.pause()
            assert_consistent(app)
            assert app.size == (w, h)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
async def test_500_random_keys_from_a_fixed_seed(size, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    rng = random.Random(20261122)
    # stepping keys weigh more than screen keys, as in real use; every key is in the pool
    pool = BINDING_KEYS * 3 + SCREEN_KEYS + ["escape", "enter", "up", "down", "tab", "backspace", "1", "0", "a"]
    keys = [rng.choice(pool) for _ in range(500)]
    app = app_for("sigmoid-gate")
    async with app.run_test(size=size) as pilot:
        burst(app, ["n", "n", "n"])
        await pilot.pause()
        assert app.session.k == 3  # a burst is handled key by key, none lost
        for i in range(0, len(keys), 10):
            burst(app, keys[i:i + 10])  # ten keys queued at once, as from a held-down key
            await pilot.pause()
            if app.screen is app.screen_stack[0]:
                assert_consistent(app)
        while app.screen is not app.screen_stack[0]:
            await pilot.press("escape")
        assert_consistent(app)


def catalogue():
    from graphviz_nn.scenario_format import catalogue_ids
    return catalogue_ids()


@pytest.mark.parametrize("scenario", catalogue())
async def test_every_catalogue_scenario_opens_and_steps(scenario):
    app = app_for(scenario)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert app.error is None, app.error
        burst(app, ["n", "n", "s", "n", "f", "l", "c", "end", "p", "l", "l", "t", "home"])
        await pilot.pause()
        assert_consistent(app)
