"""The app's modal screens close once: a key queued behind the first Escape finds them closing."""
from __future__ import annotations

from textual.screen import ModalScreen


class Modal(ModalScreen):
    """``dismiss`` pops the top screen; on a screen no longer on top it would pop the app's own."""

    def dismiss(self, result=None):
        if not self.is_active:  # already dismissed: a second Escape (or Enter) queued before it closed
            return None
        return super().dismiss(result)
