"""A wide network's neuron level is refused in the app before anything is built (issue 25):
``l`` moves on to the next level with a notice, under a memory cap."""
from __future__ import annotations

from graphviz_nn.debugger.network import MAX_NETWORK_EDGES
from graphviz_nn.tui.app import DebuggerApp
from tui_helpers import assert_consistent, messages
from wide_network import WIDE



async def test_l_refuses_the_neuron_level_of_a_wide_network_and_says_why(tmp_path, memory_capped):
    path = tmp_path / "wide.toml"
    path.write_text(WIDE)
    app = DebuggerApp(scenario=str(path), layout_engine="builtin")
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        assert app.session.level == "gate"
        seen = []
        for _ in range(3):
            await pilot.press("l")
            await pilot.pause()
            seen.append(app.session.level)
            assert_consistent(app)
        assert "neuron" not in seen and "layer" in seen
        # the edges counted independently: one per weight, 2×512 + 512×512 + 512×1, and one per output into the loss
        edges = 2 * 512 + 512 * 512 + 512 + 1
        said = " ".join(messages(app))
        assert f"{edges:,} edges" in said and f"{MAX_NETWORK_EDGES:,} edges" in said, said


async def test_a_large_allowed_network_is_built_off_the_ui_thread_and_then_shown(tmp_path, memory_capped):
    import asyncio
    from graphviz_nn.tui.stepping import INLINE_LEVEL_NODES
    path = tmp_path / "wide.toml"
    path.write_text(WIDE.replace("[512, 512, 1]", "[100, 100, 1]"))
    edges = 2 * 100 + 100 * 100 + 100 + 1
    assert INLINE_LEVEL_NODES < edges <= MAX_NETWORK_EDGES  # the worker's path
    app = DebuggerApp(scenario=str(path), layout_engine="builtin")
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        await pilot.press("l")
        for _ in range(300):
            if app.session.level == "neuron":
                break
            await asyncio.sleep(0.05)
        await pilot.pause()
        # the whole network was built (the picture then folds each wide layer to its first and last neurons)
        assert app.session.level == "neuron" and len(app._view.net.edges) == edges
        assert any("more" in str(e[1]) for e in app._view.edges)
        assert_consistent(app)
