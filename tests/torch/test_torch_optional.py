"""PyTorch stays optional: only graphviz_nn.torch imports it."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "graphviz_nn"


def test_no_module_outside_the_bridge_imports_torch():
    pattern = re.compile(r"^\s*(import torch|from torch\b)", re.M)
    offenders = [str(p.relative_to(PACKAGE)) for p in PACKAGE.rglob("*.py")
                 if "torch" not in p.relative_to(PACKAGE).parts[:1] and pattern.search(p.read_text())]
    assert offenders == []


def test_importing_graphviz_nn_does_not_load_torch():
    code = "import sys, graphviz_nn, graphviz_nn.debugger, graphviz_nn.render; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_without_pytorch_the_bridge_says_how_to_install_it():
    # sys.modules["torch"] = None makes "import torch" fail, as on a machine without PyTorch
    code = ("import sys; sys.modules['torch'] = None\n"
            "try:\n    import graphviz_nn.torch\nexcept ImportError as e:\n    print(e)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "pip install 'graphviz-nn[torch]'" in out
