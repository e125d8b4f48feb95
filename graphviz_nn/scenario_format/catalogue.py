"""The ids of the shipped lecture scenarios (the package data of ``graphviz_nn.scenarios``)."""
from __future__ import annotations

from importlib import resources


def catalogue_ids() -> list:
    """The ids of the shipped lecture scenarios, sorted."""
    folder = resources.files("graphviz_nn.scenarios")
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".toml"))
