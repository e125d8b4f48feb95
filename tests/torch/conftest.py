"""The bridge's tests need PyTorch: skipped where the extra is not installed, required in CI.

No ``__init__.py`` here on purpose: with one, pytest would import this folder as the package
``torch`` and hide PyTorch itself.
"""
import os

import pytest

try:
    import torch
    torch.autograd  # a namespace package named after this folder is not PyTorch
    HAVE_TORCH = True
except (ImportError, AttributeError):
    HAVE_TORCH = False

if not HAVE_TORCH:
    if os.environ.get("CI"):
        raise pytest.UsageError("CI must run the PyTorch bridge's tests: scripts/setup.sh --dev installs "
                                "torch==2.13.0; run it again")
    collect_ignore_glob = ["test_*.py"]  # a user without graphviz-nn[torch]: nothing to check here
