"""``graphviz_nn.torch``: step through the backward pass of a real PyTorch model.

An optional bridge (``pip install 'graphviz-nn[torch]'``); nothing else in graphviz_nn
imports PyTorch. ``record(fn, *args)`` runs the computation in PyTorch and records it as a
graphviz-nn tensor graph, op by op, with the real values::

    rec = record(lambda: F.cross_entropy(model(X), y))
    rec.output.backward()          # rec.leaves["0.weight"].grad == model[0].weight.grad
    graphviz_nn.debug(rec.output)  # step it in the terminal app
"""
from __future__ import annotations

try:
    import torch as _torch

    _torch.autograd  # a folder named "torch" on the path is not PyTorch
except (ImportError, AttributeError):
    raise ImportError("graphviz_nn.torch needs PyTorch; install it with pip install 'graphviz-nn[torch]'") from None

from .record import Recording, RecordError, record  # noqa: E402

__all__ = ["record", "Recording", "RecordError"]
