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
