"""The work budget (issue 14): small files that ask for too much are refused from the spec alone,
quickly and cheaply, with the file, line and column of the key at fault."""
import pytest

from graphviz_nn.scenario_format import ScenarioError, catalogue_ids, load_scenario, load_text
from graphviz_nn.scenario_format import budget

LECTURE = '[lecture]\nseed = "s"\nslide = "s"\n'


def head(kind, top=""):
    return f'id = "bomb"\ntitle = "t"\nexplanation = "e"\nkind = "{kind}"\n{top}' + LECTURE


def model_file(layers, samples, engine="scalar"):
    return head("model") + (f'[model]\nengine = "{engine}"\ninputs = 2\nlayers = {layers}\n'
                   f'loss = "mse(output, target)"\n[data]\ndataset = "moons"\nsamples = {samples}\n')


def products_file(n, k, tensor=False):
    """sum(x*x*...*x) with k factors over a vector of n elements (or a generated n×n tensor)."""
    if tensor:
        top, leaves = 'engine = "tensor"\n', f'[leaves]\nx = {{ shape = [{n}, {n}] }}\n'
    else:
        top, leaves = "", "[leaves]\nx = [" + ", ".join(f"{i / n:.3f}" for i in range(n)) + "]\n"
    return head("expression", top) + leaves + f'[outputs]\nf = "sum({"*".join(["x"] * k)})"\n'


BOMBS = {
    "moons 64x64 over 2000 samples": (model_file([64, 64, 1], 2000), "[data]"),
    "512-wide layers": (model_file([512, 512, 1], 2000), "[data]"),
    "tensor 1000x1000 times itself 4,900 times": (products_file(1000, 4900, tensor=True), "f ="),
    "tensor model of 512-wide layers": (model_file([512, 512, 1], 2000, engine="tensor"), "[data]"),
}


@pytest.mark.parametrize("name", BOMBS)
def test_a_small_file_asking_for_too_much_is_refused_quickly_and_cheaply(name, tmp_path, refused):
    text, _ = BOMBS[name]
    path = tmp_path / "bomb.toml"
    path.write_text(text)
    assert len(text.encode()) < 12_000  # a small file
    result = refused("show", path).assert_one_sentence(str(path), "at most")
    assert "line" in result.stderr and "column" in result.stderr


def test_the_refusal_points_at_the_key_at_fault():
    with pytest.raises(ScenarioError) as caught:
        load_text(model_file([64, 64, 1], 2000))
    lines = model_file([64, 64, 1], 2000).splitlines()
    assert caught.value.line == lines.index("samples = 2000") + 1
    assert "nodes" in caught.value.problem and "50,000" in str(caught.value)
    with pytest.raises(ScenarioError) as caught:
        load_text(products_file(1000, 4900, tensor=True))
    text = products_file(1000, 4900, tensor=True)
    assert caught.value.line == text.splitlines().index(next(l for l in text.splitlines() if l.startswith("f ="))) + 1


def test_the_estimate_follows_the_real_graph_for_the_catalogue():
    from graphviz_nn import graph
    for sid in catalogue_ids():
        scenario = load_scenario(sid)
        nodes = graph.reachable(list(scenario.build().values()))
        estimate = budget.estimate(scenario)
        # an estimate in the right range: never far below what is built, never wildly above
        assert len(nodes) * 0.7 <= estimate.nodes <= len(nodes) * 6 + 10, (sid, len(nodes), estimate)


def test_the_limit_is_where_the_documentation_says():
    ok = products_file(1000, 40)            # about 41,000 nodes
    too_many = products_file(1000, 60)      # about 61,000 nodes
    assert budget.estimate(load_text(ok)).nodes <= budget.MAX_GRAPH_NODES
    with pytest.raises(ScenarioError, match="nodes"):
        load_text(too_many)


def test_a_gradient_check_that_would_rebuild_a_big_graph_many_times_is_refused(tmp_path, refused):
    path = tmp_path / "check.toml"
    path.write_text(products_file(300, 100))   # 30,000 nodes, 300 leaves: 601 rebuilds
    assert path.stat().st_size < 5000
    refused("check", path).assert_one_sentence("gradient check", "at most")
    scenario = load_scenario(str(path))          # the file itself is fine to look at
    with pytest.raises(ScenarioError, match="gradient check"):
        scenario.gradcheck()


def test_training_longer_than_the_budget_is_refused(tmp_path, refused):
    path = tmp_path / "train.toml"
    path.write_text(model_file([4, 1], 500) + "[training]\niterations = 100000\n")
    with pytest.raises(ScenarioError, match="iterations") as caught:
        load_scenario(str(path))
    assert caught.value.line == path.read_text().splitlines().index("iterations = 100000") + 1
    fine = tmp_path / "fine.toml"
    fine.write_text(model_file([4, 1], 20) + "[training]\niterations = 10\n")
    refused("train", fine, "--iterations", "1000000").assert_one_sentence("iterations", "at most")


def test_functions_of_constants_stay_finite():
    for text, fragment in (("x * log(-1)", "log"), ("x + exp(1000)", "exp"), ("sqrt(-4) * x", "sqrt")):
        with pytest.raises(ScenarioError, match="finite") as caught:
            load_text(head("expression") + f'[leaves]\nx = 2.0\n[outputs]\nf = "{text}"\n')
        line = (head("expression") + '[leaves]\nx = 2.0\n[outputs]\n').count("\n") + 1
        assert caught.value.line == line
        assert caught.value.column == len('f = "') + text.index(fragment) + 1, (text, caught.value)
