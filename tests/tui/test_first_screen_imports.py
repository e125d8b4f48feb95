"""The app's first screen waits only for what it draws: dialogs, exports and the renderer load on first use."""
from __future__ import annotations

import subprocess
import sys

NOT_BEFORE_THE_FIRST_SCREEN = ("graphviz_nn.render", "graphviz_nn.tui.screens", "graphviz_nn.tui.report_actions",
                               "graphviz_nn.cli.serve", "graphviz_nn.cli.render", "graphviz_nn.cli.frames",
                               "graphviz", "matplotlib", "textual_serve", "PIL")


def test_opening_the_app_from_the_command_line_imports_no_dialog_renderer_or_other_command():
    code = ("import sys\n"
            "from graphviz_nn.cli import build_parser, COMMAND_MODULES\n"
            "args = build_parser(COMMAND_MODULES['tui']).parse_args(['tui'])\n"
            "from graphviz_nn.scenario_build.to_trace import scenario_of\n"
            "from graphviz_nn.tui.app import DebuggerApp\n"
            "DebuggerApp(scenario=scenario_of(args.scenario))\n"
            "print(' '.join(sorted(sys.modules)))\n")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert "graphviz_nn.tui.app" in loaded and "graphviz_nn.cli.tui" in loaded  # the check saw the real path
    early = [m for m in loaded if any(m == p or m.startswith(p + ".") for p in NOT_BEFORE_THE_FIRST_SCREEN)]
    assert early == []


def test_the_help_screen_and_the_dialogs_still_open_on_their_keys():
    import asyncio

    from graphviz_nn.tui.app import DebuggerApp

    async def run():
        app = DebuggerApp(scenario="sigmoid-neuron", layout_engine="builtin")
        async with app.run_test(size=(120, 36)) as pilot:
            await pilot.pause()
            names = []
            for key in ("question_mark", "g", "o"):
                await pilot.press(key)
                await pilot.pause()
                names.append(type(app.screen).__name__)
                await pilot.press("escape")
                await pilot.pause()
            return names

    assert asyncio.run(run()) == ["HelpScreen", "PromptScreen", "PickerScreen"]
