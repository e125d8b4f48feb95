"""Building a read scenario: engine nodes from its program (``build``, ``tensor_build``), the
trace and training run (``Scenario``), the runs a ``[compare]`` table sets side by side
(``runs``), the closed-form least squares (``normal_equation``) and the numbers ``show`` prints
(``facts``). Reading the file (the safe language, the schema, the work budget) is
``graphviz_nn.scenario_format``'s job; this package only builds what it read.

>>> from graphviz_nn.scenario_format import load_scenario
>>> from graphviz_nn.scenario_build.build import build
>>> sorted(build(load_scenario("sigmoid-neuron")))
['f']
"""
