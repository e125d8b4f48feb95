"""The catalogue: the fixed ids, each file citing its slide, each id pinned by a test."""
import pathlib
import re

import pytest

from graphviz_nn import load_scenario
from graphviz_nn.scenario_format import DEFAULT_SCENARIO, catalogue_ids

FIXED_IDS = {
    "sigmoid-neuron", "sigmoid-gate", "primitive-gates", "add-mul", "framework-graph",
    "learning-slowdown-quadratic", "learning-slowdown-cross-entropy", "saturated-sigmoid",
    "non-zero-centred", "dead-relu", "activations", "prelu-regularised", "losses", "softmax-vs-sigmoid",
    "cross-entropy-vs-log-likelihood", "l1-vs-l2", "logistic-regression", "linear-regression", "mlp-xor",
    "mlp-moons", "mlp-regression", "sigmoid-jacobian", "dropout", "batchnorm", "gradient-check",
    # issue 15: every slide topic a scenario
    "metrics", "mini-batch-sgd", "learning-rate", "static-vs-dynamic", "keras-dense", "stacked-linear",
    "tanh-from-sigmoid", "mae-vs-mse-outliers", "maxout", "normal-equation", "cost-examples",
    # issue 26: the slide topics still missing
    "softmax-cross-entropy", "multi-label-bce", "mape-and-mbe", "overfitting",
}
SEEDS = {"000_0eb4b9ad79510fda.txt", "001_4708e7f08f9c8581.txt", "002_f0c872693aa582a8.txt",
         "003_a865680e82364ae9.txt", "004_62f7dd1c4e1dee0c.txt"}


def test_catalogue_has_exactly_the_fixed_ids():
    assert set(catalogue_ids()) == FIXED_IDS
    assert len(FIXED_IDS) == 40
    assert DEFAULT_SCENARIO == "sigmoid-neuron"


@pytest.mark.parametrize("scenario_id", sorted(FIXED_IDS))
def test_entry_cites_its_slide_and_explains_itself(scenario_id):
    scenario = load_scenario(scenario_id)
    assert scenario.id == scenario_id
    assert scenario.lecture.seed in SEEDS and len(scenario.lecture.slide) > 5
    assert scenario.title and 40 < len(scenario.explanation) < 700
    assert scenario.kind in ("expression", "model")
    outputs = scenario.build()
    assert list(outputs) == list(scenario.output_names) or scenario.kind == "expression"
    assert outputs.backward_from in outputs.values()


def test_every_entry_has_a_test_reading_it():
    """Each id appears in a catalogue test (beyond this index) through load_scenario."""
    here = pathlib.Path(__file__).parent
    text = "".join(p.read_text() for p in here.glob("test_catalogue_*.py") if p.name != pathlib.Path(__file__).name)
    missing = [i for i in FIXED_IDS if not re.search(rf'"{re.escape(i)}"', text)]
    assert not missing
