"""The ``graphviz-nn`` command's frame: ``--version``, ``--help``, and the installed script."""
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import graphviz_nn
from graphviz_nn.cli import main


def test_version(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.strip() == "graphviz-nn 0.1.0"
    assert graphviz_nn.__version__ == "0.1.0"


def test_help_lists_usage(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: graphviz-nn")
    assert "--version" in out and "--help" in out


def test_unknown_option_exits_with_usage_error(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--no-such-option"])
    assert exit_info.value.code == 2
    assert "usage: graphviz-nn" in capsys.readouterr().err


def _script():
    beside = Path(sys.executable).parent / "graphviz-nn"
    return str(beside) if beside.exists() else shutil.which("graphviz-nn")


def test_console_script_prints_the_version():
    script = _script()
    assert script, "the graphviz-nn console script is not installed"
    result = subprocess.run([script, "--version"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "graphviz-nn 0.1.0"


def test_python_dash_m_prints_the_version():
    result = subprocess.run([sys.executable, "-m", "graphviz_nn", "--version"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "graphviz-nn 0.1.0"


def test_every_command_name_maps_to_the_module_that_declares_it():
    from graphviz_nn.cli import COMMAND_MODULES, COMMANDS, build_parser
    assert sorted(COMMAND_MODULES.values()) == sorted(COMMANDS)
    def names(parser):
        return [name for action in parser._subparsers._group_actions for name in action.choices]

    assert names(build_parser()) == list(COMMAND_MODULES)  # --help lists them in this order
    for name, module in COMMAND_MODULES.items():
        assert names(build_parser(module)) == [name]


def test_running_one_command_imports_no_other_commands_module():
    # the app's first screen must not wait for the renderer or the server behind other commands
    code = ("import sys; from graphviz_nn.cli import main; main(['list']); "
            "print(sorted(m for m in sys.modules if m.startswith('graphviz_nn.cli.') or m.startswith('graphviz_nn.render')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "['graphviz_nn.cli.list_cmd']"
