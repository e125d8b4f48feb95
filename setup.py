"""Packaging glue: tui/ and scenarios/ sit at the top of the repository but ship inside graphviz_nn."""
from setuptools import find_packages, setup

# Subpackages are discovered, so a new folder under tui/ ships without editing a list.
PACKAGES = (
    find_packages(include=["graphviz_nn", "graphviz_nn.*"])
    + ["graphviz_nn.tui"] + [f"graphviz_nn.tui.{p}" for p in find_packages("tui")]
    + ["graphviz_nn.scenarios"]
)

setup(
    packages=PACKAGES,
    package_dir={"graphviz_nn": "graphviz_nn", "graphviz_nn.tui": "tui", "graphviz_nn.scenarios": "scenarios"},
)
