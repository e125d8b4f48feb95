"""Checks both loss modules share (scalar ``losses`` and ``tensor_losses``), and their error."""
from __future__ import annotations

from .errors import UserError


class LossError(UserError):
    """A loss was given a prediction or target it cannot use."""


def check_probabilities(lowest: float, highest: float, where: str = "nll") -> None:
    """Refuse predictions outside [0, 1] (log-probabilities or logits): log would give nan."""
    if lowest < 0.0 or highest > 1.0 + 1e-9:  # a softmax may overshoot 1 by a rounding error
        bad = lowest if lowest < 0.0 else highest
        raise LossError(
            f"{where} expects probabilities in [0, 1] but a prediction is {bad:.4g} (log-probabilities "
            f"or logits?); for logits use cce(logits, y), which applies the softmax itself, "
            f"or pass probabilities such as softmax(logits)")
