"""Reading lecture scenarios: TOML files (data, never code) with a small safe expression language.

This package reads and checks a file (``source``, ``loader``, ``schema``, ``spec``, the language in
``expression``/``semantics``/``functions``, the work budget in ``budget``); building and training
what it read is ``graphviz_nn.scenario_build``'s job.

>>> from graphviz_nn import load_scenario
>>> scenario = load_scenario("sigmoid-neuron")
>>> outputs = scenario.build()          # a fresh recorded graph: {"f": Value(...)}
>>> trace = scenario.trace()            # forward over every output, backward from one

Public names: ``load_scenario``, ``Scenario``, ``ScenarioError``, ``catalogue_ids``.
"""
from .errors import ScenarioError
from ..scenario_build.scenario import Scenario
from .loader import DEFAULT_SCENARIO, catalogue_ids, load_scenario, load_text

__all__ = ["load_scenario", "load_text", "Scenario", "ScenarioError", "catalogue_ids", "DEFAULT_SCENARIO"]
