"""Lecture scenarios: TOML files (data, never code) with a small safe expression language.

>>> from graphviz_nn import load_scenario
>>> scenario = load_scenario("sigmoid-neuron")
>>> outputs = scenario.build()          # a fresh recorded graph: {"f": Value(...)}
>>> trace = scenario.trace()            # forward over every output, backward from one

Public names: ``load_scenario``, ``Scenario``, ``ScenarioError``, ``catalogue_ids``.
"""
from .errors import ScenarioError
from .loader import DEFAULT_SCENARIO, catalogue_ids, load_scenario, load_text
from .scenario import Scenario

__all__ = ["load_scenario", "load_text", "Scenario", "ScenarioError", "catalogue_ids", "DEFAULT_SCENARIO"]
