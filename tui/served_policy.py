"""What a session under ``graphviz-nn serve`` may do: the policy, kept apart from the widgets.

A browser user is a stranger to the server: ``o`` opens the catalogue and the ``.toml`` files
under the one folder the teacher named (``--scenarios DIR``), whatever path is typed (links
and ``..`` are resolved first), and is answered the same way whether or not a path exists.
Error messages never quote what a file holds (a key, a value, a line of text).
"""
from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Optional

from graphviz_nn.errors import UserError
from graphviz_nn.scenario_format.loader import catalogue_ids

MAX_LISTED = 200  # files of the class folder shown in the picker
_QUOTED = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"")


class NotServedError(UserError):
    """A path outside what this server shares."""


def allowed(choice: str, folder: Optional[str]) -> str:
    """The catalogue id or the real path ``choice`` names, if this server shares it."""
    if choice in catalogue_ids():
        return choice
    refusal = NotServedError(
        "this server opens the lecture catalogue" + (" and the .toml files of its class folder" if folder else "")
        + " only; pick one from the list")
    if folder is None or len(choice) > 1024 or "\x00" in choice:
        raise refusal
    root = os.path.realpath(folder)
    path = choice if os.path.isabs(choice) else os.path.join(root, choice)
    real = os.path.realpath(path)
    if not real.endswith(".toml") or os.path.commonpath([root, real]) != root:
        raise refusal
    return real


def class_files(folder: Optional[str]) -> list:
    """The .toml files directly in the class folder (sorted, at most ``MAX_LISTED``)."""
    if folder is None:
        return []
    try:
        names = sorted(p for p in Path(folder).iterdir() if p.suffix == ".toml" and p.is_file())
    except OSError:
        return []
    return [str(p) for p in names[:MAX_LISTED]]


def redact(message: str) -> str:
    """A message with every quoted part (what a file holds) replaced by '…'."""
    return _QUOTED.sub("'…'", message)
