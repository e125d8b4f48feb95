"""Random text and random TOML: the loader either succeeds or raises ScenarioError, nothing else."""
import json
import math
import pathlib
import tempfile

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graphviz_nn import ScenarioError, load_scenario
from graphviz_nn.scenario_format import load_text
from graphviz_nn.scenario_format.expression import FloatSemantics, evaluate, parse
from graphviz_nn.scenario_format.errors import ExpressionError
from graphviz_nn.scenario_format.loader import decode, parse_toml

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _only_scenario_errors(fn, *args):
    try:
        fn(*args)
    except ScenarioError as error:
        assert error.line >= 1 and error.column >= 1
        assert "\n" not in str(error)


@FUZZ
@given(st.text(max_size=400))
def test_random_text(text):
    _only_scenario_errors(load_text, text)


FUZZ_DIR = pathlib.Path(tempfile.mkdtemp(prefix="gvnn-fuzz-"))


@FUZZ
@given(st.one_of(st.binary(max_size=400), st.text(max_size=200).map(lambda t: (BASE + t).encode("utf-8", "surrogatepass"))))
def test_random_bytes_as_a_file(data):
    path = FUZZ_DIR / "fuzz.toml"
    path.write_bytes(data)
    _only_scenario_errors(load_scenario, str(path))
    _only_scenario_errors(lambda d: parse_toml(decode(d, "fuzz.toml")), data)


EXPRESSION_ALPHABET = st.sampled_from(list("x y 0 1 2 . e + - * / ( ) , ** exp sigmoid max leaky_relu __ ' ; [ ]".split(" ")) + [" "])


@FUZZ
@given(st.lists(EXPRESSION_ALPHABET, max_size=40).map("".join))
def test_random_expressions_parse_or_fail_with_an_offset(text):
    try:
        program = parse(text)
    except ExpressionError as error:
        assert 0 <= error.offset <= len(text)
        return
    functions = {"exp": lambda a: math.exp(min(a, 700)), "sigmoid": lambda a: 0.5, "max": max,
                 "leaky_relu": lambda a, b=0.01: a}
    try:
        evaluate(program, FloatSemantics({"x": 1.5, "y": -2.0}, functions))
    except ExpressionError:
        pass
    except (TypeError, ZeroDivisionError, OverflowError):
        pass  # wrong arity/overflow of the plain-float helper functions, not of the parser


KEYS = ["id", "title", "kind", "explanation", "lecture", "leaves", "outputs", "view", "model", "data",
        "training", "starts", "seed", "slide", "x", "f", "backward_from", "expand", "engine", "inputs",
        "layers", "loss", "lr", "iterations", "record", "parameters", "dataset", "y", "momentum"]
SCALARS = st.one_of(
    st.integers(-10, 10).map(str), st.floats(allow_nan=False, allow_infinity=False, width=32).map(repr),
    st.sampled_from(['"expression"', '"model"', '"x * 2"', '"sigmoid(x)"', '"bad("', "true", '"a"',
                     '"(output - target) ** 2"', "[1, 2]", "[[1.0]]", "[]", '["sigmoid"]', "{ seed = \"a\", slide = \"b\" }"]),
)
LINES = st.one_of(
    st.tuples(st.sampled_from(KEYS), SCALARS).map(lambda kv: f"{kv[0]} = {kv[1]}"),
    st.sampled_from(KEYS).map(lambda k: f"[{k}]"),
    st.sampled_from(["[[starts]]", '[lecture]\nseed = "s"\nslide = "t"', '[leaves]\nx = 1.0', '[outputs]\nf = "x"']),
)
BASE = 'id = "fuzz"\ntitle = "t"\nkind = "expression"\nexplanation = "e"\n'


@FUZZ
@given(st.lists(LINES, max_size=12), st.booleans())
def test_random_toml_documents(lines, with_base):
    _only_scenario_errors(load_text, (BASE if with_base else "") + "\n".join(lines) + "\n")


MUTATIONS = st.one_of(
    SCALARS, st.text(max_size=12).map(lambda t: '"' + t.replace("\\", "").replace('"', "") + '"'),
    st.sampled_from(['"hinge(output, target)"', '"bce(output, 2)"', '"softmax(output)"', '"max(output, target, 3)"',
                     '"sum(target)"', "[0, 1]", "[[1.0, 2.0]]", "[1, 2, 3]", '"tensor"', '"moons"', "-1", "0",
                     "1e9", '"relu"', '"sigmoid"', "{ shape = [3], seed = 1 }", '["output", "loss"]', '["loss"]']),
)


def _mutated(base: str, data) -> str:
    lines = base.splitlines()
    editable = [i for i, line in enumerate(lines) if " = " in line and not line.startswith("#")]
    for _ in range(data.draw(st.integers(1, 3))):
        i = data.draw(st.sampled_from(editable))
        key = lines[i].split(" = ", 1)[0]
        lines[i] = f"{key} = {data.draw(MUTATIONS)}"
    return "\n".join(lines) + "\n"


@FUZZ
@given(st.sampled_from(["learning-slowdown-quadratic", "mlp-moons", "dropout", "sigmoid-neuron", "losses",
                        "sigmoid-jacobian", "prelu-regularised", "linear-regression"]), st.data())
def test_mutated_catalogue_files(scenario_id, data):
    from importlib import resources
    base = resources.files("graphviz_nn.scenarios").joinpath(scenario_id + ".toml").read_text(encoding="utf-8")
    _only_scenario_errors(load_text, _mutated(base, data))


# ---- structural mutations: parse a catalogue file, replace or delete values anywhere, write it back ----

def _toml_value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf") if math.isinf(v) else repr(v)
    if isinstance(v, int):
        return str(v)
    if isinstance(v, str):
        return json.dumps(v)
    if isinstance(v, list):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{json.dumps(k)} = {_toml_value(x)}" for k, x in v.items()) + "}"
    return v.isoformat()  # a date


def _to_toml(doc: dict) -> str:
    return "".join(f"{json.dumps(k)} = {_toml_value(v)}\n" for k, v in doc.items())


VALUES = st.recursive(
    st.one_of(st.booleans(), st.integers(-2 ** 70, 2 ** 70), st.floats(), st.text(max_size=12), st.dates(),
              st.sampled_from(["x", "output", "loss", "sigmoid(x)", "(output - target) ** 2", "tensor", "moons"])),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.sampled_from(KEYS), inner, max_size=3)),
    max_leaves=8)


def _paths(node, prefix=()):
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    out = []
    for key, child in items:
        out.append(prefix + (key,))
        out.extend(_paths(child, prefix + (key,)))
    return out


@FUZZ
@given(st.sampled_from(["sigmoid-neuron", "prelu-regularised", "softmax-vs-sigmoid", "learning-slowdown-quadratic",
                        "mlp-xor", "dropout", "linear-regression"]), st.data())
def test_structurally_mutated_catalogue_files(scenario_id, data):
    from importlib import resources

    from graphviz_nn.scenario_format.loader import tomllib
    doc = tomllib.loads(resources.files("graphviz_nn.scenarios").joinpath(scenario_id + ".toml").read_text("utf-8"))
    for _ in range(data.draw(st.integers(1, 3))):
        path = data.draw(st.sampled_from(_paths(doc)))
        parent = doc
        for key in path[:-1]:
            parent = parent[key]
        if isinstance(parent, dict) and data.draw(st.booleans()):
            del parent[path[-1]]
        else:
            parent[path[-1]] = data.draw(VALUES)
        if not _paths(doc):
            break
    _only_scenario_errors(load_text, _to_toml(doc))
