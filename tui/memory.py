"""Keeping a trace's many long-lived objects out of the garbage collector's full passes.

Those passes otherwise pause a step now and then (the p95 latency of a key press).
"""
from __future__ import annotations

import gc


def settle(replacing: bool) -> None:
    """Freeze what is alive now; when a trace replaces another, collect the old one's cycles first
    so none of them stay frozen."""
    if replacing:
        gc.unfreeze()
        gc.collect()
    gc.freeze()


def release() -> None:
    """The app is going: its objects go back to the collector."""
    gc.unfreeze()
