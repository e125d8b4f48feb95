"""Validating the scenario format: a TOML document checked key by key into a ``Scenario``.

Every check names the file, line and column of the key or value at fault and what was
expected there. The format is documented in ``docs/scenarios.md``; the parts it produces
are in ``spec``, the ``Scenario`` in ``scenario``.

    >>> from graphviz_nn.scenario_format import load_text
    >>> load_text('id = "x"\\ntitle = "t"\\nkind = "graph"')  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    graphviz_nn.scenario_format.errors.ScenarioError: <text>, line 3, column 8: kind = 'graph' is not known; ...
"""
from __future__ import annotations

import dataclasses
import math
import re
from typing import Optional

from ..errors import UserError
from ..nn import ACTIVATIONS
from .budget import MAX_STARTS, check_load
from ..scenario_build.build import build
from .compare import compare_spec
from .errors import ExpressionError, OutputBuildError, ScenarioError
from .expression import Program, parse
from .functions import COMPOSITE_FUNCTIONS, FUNCTIONS
from ..scenario_build.scenario import Scenario
from .source import Source
from .spec import DataSpec, GeneratedLeaf, Lecture, ModelSpec, Start, TrainingSpec
from ..terminal_text import describe, first_control

KINDS = ("expression", "model")
ENGINES = ("scalar", "tensor")
OPTIMIZERS = ("sgd",)
DATASETS = ("moons", "circles", "xor", "spirals", "line")
DATASET_FEATURES = {"moons": 2, "circles": 2, "xor": 2, "spirals": 2, "line": 1}
_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,63}$")
MAX_LEAVES = 1000
MAX_VECTOR = 1000
MAX_SAMPLES = 2000
MAX_ITERATIONS = 100_000
MAX_LAYER = 512
MAX_TEXT = 4000
MULTILINE_KEYS = ("explanation", "loss")  # a paragraph, an expression; the rest is one line

TOP_KEYS = ("id", "title", "kind", "lecture", "explanation", "engine", "leaves", "data_leaves", "outputs", "view",
            "model", "data", "training", "starts", "compare")
EXPRESSION_ONLY = ("engine", "leaves", "data_leaves", "outputs", "view")
MAX_GENERATED = 1_000_000  # elements of a generated tensor leaf (8 MB)
MODEL_ONLY = ("model", "data")


# ---- checking one document ------------------------------------------------------------

class _Checker:
    """Typed reads from the TOML dict; each failure is located in the source text."""

    def __init__(self, source: Source):
        self.src = source

    def fail(self, path, problem, expected=None, at_value=True):
        raise self.src.error(tuple(path), problem, expected, at_value=at_value)

    def table(self, doc: dict, path: tuple, keys: Optional[tuple], required: bool = True) -> Optional[dict]:
        node = doc.get(path[-1]) if len(path) else doc
        if node is None:
            if required:
                self.fail(path, f"the table [{'.'.join(map(str, path))}] is missing",
                          f"a [{'.'.join(map(str, path))}] table", at_value=False)
            return None
        if not isinstance(node, dict):
            self.fail(path, f"{'.'.join(map(str, path))} must be a table, not {_kind(node)}",
                      f"a [{'.'.join(map(str, path))}] table")
        if keys is not None:  # None: the keys are names the user chooses (leaves, outputs)
            self.only(node, path, keys)
        return node

    def only(self, node: dict, path: tuple, keys: tuple) -> None:
        for key in node:
            if key not in keys:
                where = f" in [{'.'.join(map(str, path))}]" if path else ""
                self.fail(path + (key,), f"unknown key {str(key)[:60]!r}{where}", "one of " + ", ".join(keys),
                          at_value=False)

    def get(self, node: dict, path: tuple, key: str, kind, *, required=False, default=None):
        if key not in node:
            if required:
                where = f"[{'.'.join(map(str, path))}]" if path else "the top of the file"
                raise self.src.error(path + (key,), f"the key {key!r} is missing from {where}",
                                     f"{key} = {_example(kind)}")
            return default
        value = node[key]
        kinds = {"str": str, "int": int, "float": (int, float), "bool": bool, "list": list, "table": dict}
        ok = isinstance(value, kinds[kind]) and not (kind in ("int", "float") and isinstance(value, bool))
        if not ok:
            self.fail(path + (key,), f"{key} must be {_a(kind)}, not {_kind(value)}", f"{key} = {_example(kind)}")
        if kind == "float":
            value = _finite(value)
            if value is None:
                self.fail(path + (key,), f"{key} must be a finite number", "a number such as 0.5")
        if kind == "str" and len(value) > MAX_TEXT:
            self.fail(path + (key,), f"{key} is {len(value):,} characters long", f"at most {MAX_TEXT:,}")
        if kind == "str":
            self.plain_text(value, path + (key,), newlines=key in MULTILINE_KEYS)
        return value

    def plain_text(self, value: str, path: tuple, newlines: bool) -> None:
        """Refuse control characters (terminal escapes, bidi overrides) in text shown to people."""
        at = first_control(value, newlines)
        if at is not None:
            what = "a line break" if value[at] in "\r\n" else f"the control character {describe(value[at])}"
            self.fail(path, f"{path[-1]} contains {what} (character {at + 1})",
                      "plain text (" + ("line breaks and tabs are fine, " if newlines else "one line, ")
                      + "escape sequences are not)")

    def strings(self, node, path, key, default=None) -> list:
        """A list of short strings (names), or the default when the key is absent."""
        value = self.get(node, path, key, "list", default=default)
        for item in value:
            if not isinstance(item, str) or len(item) > 64:
                self.fail(path + (key,), f"{key} must list names as strings, found {_kind(item)}",
                          f'{key} = ["name", ...]')
        return value

    def choice(self, node, path, key, choices, default=None, required=False):
        if required and key not in node:
            where = f"[{'.'.join(map(str, path))}]" if path else "the top of the file"
            raise self.src.error(path + (key,), f"the key {key!r} is missing from {where}",
                                 " or ".join(f'{key} = "{c}"' for c in choices))
        value = self.get(node, path, key, "str", required=required, default=default)
        if value is not None and value not in choices:
            self.fail(path + (key,), f"{key} = {value[:40]!r} is not known", "one of " + ", ".join(choices))
        return value

    def bounded_int(self, node, path, key, low, high, default=None, required=False):
        value = self.get(node, path, key, "int", required=required, default=default)
        if value is not None and not low <= value <= high:
            self.fail(path + (key,), f"{key} = {value} is out of range", f"a whole number from {low} to {high}")
        return value

    def bounded_float(self, node, path, key, low, high, default=None, required=False):
        value = self.get(node, path, key, "float", required=required, default=default)
        if value is not None and not low <= value <= high:
            self.fail(path + (key,), f"{key} = {value:g} is out of range", f"a number from {low:g} to {high:g}")
        return value

    def numbers(self, value, path, what: str, max_len: int = MAX_VECTOR) -> tuple:
        if not isinstance(value, list) or not value:
            self.fail(path, f"{what} must be a non-empty list of numbers, not {_kind(value)}", "[1.0, -2.0]")
        if len(value) > max_len:
            self.fail(path, f"{what} has {len(value):,} elements", f"at most {max_len:,}")
        out = []
        for v in value:
            number = _finite(v)
            if number is None:
                found = "an infinite or huge number" if isinstance(v, (int, float)) and not isinstance(v, bool) else _kind(v)
                self.fail(path, f"{what} must contain only finite numbers, found {found}", "[1.0, -2.0]")
            out.append(number)
        return tuple(out)

    def expression(self, text, path: tuple) -> Program:
        try:
            return parse(text)
        except ExpressionError as error:
            raise self.located(error, path) from None

    def located(self, error: ExpressionError, path: tuple) -> ScenarioError:
        line, column = self.src.locate(path, offset=error.offset)
        return ScenarioError(error.problem, file=self.src.file, line=line, column=column, expected=error.expected)


def _finite(value):
    """A TOML number as a finite float, or ``None`` (inf, nan, an integer beyond float range, not a number)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        number = float(value)
    except OverflowError:
        return None
    return number if math.isfinite(number) else None


def _a(kind: str) -> str:
    return {"str": "a string", "int": "a whole number", "float": "a number", "bool": "true or false",
            "list": "a list", "table": "a table"}[kind]


def _example(kind: str) -> str:
    return {"str": '"text"', "int": "10", "float": "0.5", "bool": "true", "list": "[1, 2]",
            "table": "{ ... }"}[kind]


def _kind(value) -> str:
    if isinstance(value, bool):
        return "true/false"
    return {str: "a string", int: "a whole number", float: "a number", list: "a list",
            dict: "a table"}.get(type(value), type(value).__name__)


def scenario_from_dict(doc: dict, source: Source) -> Scenario:
    """Check a parsed TOML document and build the ``Scenario`` it describes."""
    c = _Checker(source)
    c.only(doc, (), TOP_KEYS)
    sid = c.get(doc, (), "id", "str", required=True)
    if not _ID.match(sid):
        c.fail(("id",), f"the id {sid[:40]!r} is not valid", "lower-case letters, digits and '-', such as \"my-neuron\"")
    title = c.get(doc, (), "title", "str", required=True)
    kind = c.choice(doc, (), "kind", KINDS, required=True)
    explanation = c.get(doc, (), "explanation", "str", required=True).strip()
    # [lecture] says which slide a catalogue scenario comes from; a user's own file may leave it out
    lec = c.table(doc, ("lecture",), ("seed", "slide"), required=False)
    lecture = None if lec is None else Lecture(c.get(lec, ("lecture",), "seed", "str", required=True),
                                               c.get(lec, ("lecture",), "slide", "str", required=True))
    wrong = MODEL_ONLY if kind == "expression" else EXPRESSION_ONLY
    for key in wrong:
        if key in doc:
            c.fail((key,), f"[{key}] does not belong in a {kind} scenario",
                   "the keys of a " + kind + " scenario (see docs/scenarios.md)", at_value=False)
    common = dict(id=sid, title=title, lecture=lecture, explanation=explanation, kind=kind,
                  file=source.file, source=source)
    if kind == "expression":
        parts = _expression_parts(c, doc)
    else:
        parts = _model_parts(c, doc)
    scenario = Scenario(**common, **parts, compare=compare_spec(c, doc, kind, parts))
    _check_by_building(c, scenario)
    return scenario


def _expression_parts(c: _Checker, doc: dict) -> dict:
    leaves_table = c.table(doc, ("leaves",), None)
    leaves = {}
    if len(leaves_table) > MAX_LEAVES:
        c.fail(("leaves",), f"there are {len(leaves_table):,} leaves", f"at most {MAX_LEAVES:,}", at_value=False)
    engine = c.choice(doc, (), "engine", ENGINES, default="scalar")
    for name, value in leaves_table.items():
        _check_name(c, ("leaves", name), name, "leaf")
        if isinstance(value, dict):
            leaves[name] = _generated_leaf(c, value, ("leaves", name), engine)
        elif isinstance(value, list):
            leaves[name] = c.numbers(value, ("leaves", name), f"the leaf {name}")
        elif _finite(value) is None:
            found = "finite (inf, nan or too large)" if isinstance(value, (int, float)) and not isinstance(value, bool) else _kind(value)
            c.fail(("leaves", name), f"the leaf {name} must be a finite number or a list of numbers, it is not {found}",
                   f"{name} = 2.0")
        else:
            leaves[name] = _finite(value)
    data_leaves = tuple(c.strings(doc, (), "data_leaves", default=[]))
    for name in data_leaves:
        if name not in leaves:
            c.fail(("data_leaves",), f"data_leaves names {str(name)[:40]!r}, which is not a leaf",
                   "names drawn from [leaves]: " + ", ".join(leaves))
    outputs_table = c.table(doc, ("outputs",), None)
    if not outputs_table:
        c.fail(("outputs",), "a scenario needs at least one output", 'f = "x * y" under [outputs]', at_value=False)
    expressions = {}
    for name, text in outputs_table.items():
        _check_name(c, ("outputs", name), name, "output")
        if name in leaves:
            c.fail(("outputs", name), f"the output {name} has the name of a leaf", "a different name", at_value=False)
        if not isinstance(text, str):
            c.fail(("outputs", name), f"the output {name} must be an expression string, not {_kind(text)}",
                   f'{name} = "w * x + b"')
        expressions[name] = c.expression(text, ("outputs", name))
    view = c.table(doc, ("view",), ("backward_from", "expand", "collapse", "draw", "jacobian"), required=False) or {}
    backward_from = c.get(view, ("view",), "backward_from", "str", default=next(iter(expressions)))
    if backward_from not in expressions:
        c.fail(("view", "backward_from"), f"backward_from = {backward_from[:40]!r} is not an output",
               "one of " + ", ".join(expressions))
    # composite gates are one gate unless listed in expand; collapse says it the other way round
    if "expand" in view and "collapse" in view:
        c.fail(("view", "collapse"), "expand and collapse are both given", "one of them", at_value=False)
    key = "collapse" if "collapse" in view else "expand"
    listed = c.strings(view, ("view",), key, default=[])
    for item in listed:
        if item not in COMPOSITE_FUNCTIONS:
            c.fail(("view", key), f"{str(item)[:40]!r} is not a composite gate",
                   "a list drawn from " + ", ".join(COMPOSITE_FUNCTIONS))
    expand = [n for n in COMPOSITE_FUNCTIONS if n not in listed] if key == "collapse" else listed
    training = _training(c, doc, expression_leaves=leaves, outputs=tuple(expressions), data_leaves=data_leaves)
    draw = tuple(c.strings(view, ("view",), "draw", default=[]))
    jacobian = tuple(c.strings(view, ("view",), "jacobian", default=[]))
    for key, names in (("draw", draw), ("jacobian", jacobian)):
        for name in names:
            if name not in expressions:
                c.fail(("view", key), f"{key} names {name[:40]!r}, which is not an output",
                       "names drawn from " + ", ".join(expressions))
    if backward_from not in draw and draw:
        c.fail(("view", "draw"), f"draw leaves out {backward_from!r}, the output backward starts from",
               f"a list that includes {backward_from!r}")
    return dict(engine=engine, leaves=leaves, data_leaves=data_leaves, expressions=expressions,
                backward_from=backward_from, expand=tuple(expand), training=training, draw=draw,
                jacobian=jacobian, starts=_expression_starts(c, doc, leaves))


def _starts_list(c: _Checker, doc: dict) -> list:
    """The ``[[starts]]`` entries, at most ``MAX_STARTS`` (each is a run of every comparison)."""
    raw = c.get(doc, (), "starts", "list", default=[])
    if len(raw) > MAX_STARTS:
        c.fail(("starts",), f"{len(raw):,} [[starts]] entries", f"at most {MAX_STARTS} starts", at_value=False)
    return raw


def _expression_starts(c: _Checker, doc: dict, leaves: dict) -> tuple:
    """``[[starts]]`` of an expression scenario: a name and new values for some scalar leaves."""
    starts = []
    for i, entry in enumerate(_starts_list(c, doc)):
        path = ("starts", i)
        if not isinstance(entry, dict):
            c.fail(("starts",), "starts must be an array of tables ([[starts]])", "[[starts]] with name and leaves")
        c.only(entry, path, ("name", "leaves"))
        name = c.get(entry, path, "name", "str", required=True)
        table = c.get(entry, path, "leaves", "table", required=True)
        values = {}
        for leaf, value in table.items():
            if not isinstance(leaves.get(leaf), float):
                c.fail(path + ("leaves", leaf), f"{str(leaf)[:40]!r} is not a scalar leaf of this scenario",
                       "names of scalar leaves from [leaves]", at_value=False)
            if _finite(value) is None:
                c.fail(path + ("leaves", leaf), f"the leaf {leaf} must be a finite number", f"{leaf} = 1.0")
            values[leaf] = _finite(value)
        starts.append(Start(name, (), values))
    return tuple(starts)


def _generated_leaf(c: _Checker, value: dict, path: tuple, engine: str) -> GeneratedLeaf:
    if engine != "tensor":
        c.fail(path, "generated leaves need the tensor engine", 'engine = "tensor" at the top of the file',
               at_value=False)
    c.only(value, path, ("shape", "seed", "low", "high"))
    shape = c.get(value, path, "shape", "list", required=True)
    if not shape or len(shape) > 4 or any(isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= MAX_GENERATED
                                          for n in shape):
        c.fail(path + ("shape",), "shape must list 1 to 4 positive sizes", "shape = [100, 2048]")
    if math.prod(shape) > MAX_GENERATED:
        c.fail(path + ("shape",), f"shape {shape} has {math.prod(shape):,} elements", f"at most {MAX_GENERATED:,}")
    low = c.get(value, path, "low", "float", default=-1.0)
    high = c.get(value, path, "high", "float", default=1.0)
    if not low < high:
        c.fail(path + ("high",), f"high = {high:g} is not above low = {low:g}", "low < high")
    if not math.isfinite(high - low):  # numpy draws low + (high - low) * u
        c.fail(path + ("high",), f"the range from low = {low:g} to high = {high:g} is too wide to draw from",
               "a range narrower than 1.8e308, such as low = -1e6, high = 1e6")
    return GeneratedLeaf(tuple(shape), c.bounded_int(value, path, "seed", 0, 2 ** 32 - 1, default=0), low, high)


def _check_name(c: _Checker, path: tuple, name: str, what: str) -> None:
    if not _NAME.match(name):
        c.fail(path, f"the {what} name {name[:40]!r} is not valid",
               "a letter followed by letters, digits or '_' (ASCII)", at_value=False)
    if name in FUNCTIONS:
        c.fail(path, f"the {what} name {name!r} is also a function name", "another name", at_value=False)


def _model_parts(c: _Checker, doc: dict) -> dict:
    path = ("model",)
    m = c.table(doc, path, ("engine", "inputs", "layers", "activation", "output_activation", "loss", "seed",
                            "parameters", "dropout", "batchnorm"))
    engine = c.choice(m, path, "engine", ENGINES, default="scalar")
    inputs = c.bounded_int(m, path, "inputs", 1, MAX_LAYER, required=True)
    layers = c.get(m, path, "layers", "list", required=True)
    if not layers or len(layers) > 16 or any(isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= MAX_LAYER
                                             for n in layers):
        c.fail(path + ("layers",), "layers must list 1 to 16 layer sizes, each a whole number from 1 to 512",
               "layers = [4, 1]")
    activation = c.choice(m, path, "activation", ACTIVATIONS, default="relu")
    output_activation = c.choice(m, path, "output_activation", ACTIVATIONS, default="linear")
    loss_text = c.get(m, path, "loss", "str", required=True)
    loss = c.expression(loss_text, path + ("loss",))
    for name in loss.names:
        if name not in ("output", "target"):
            c.fail(path + ("loss",), f"the loss reads {name!r}", "an expression in output and target only")
    seed = c.bounded_int(m, path, "seed", 0, 2 ** 32 - 1, default=0)
    n_params = _parameter_count(inputs, layers)
    parameters = None
    if "parameters" in m:
        parameters = c.numbers(m["parameters"], path + ("parameters",), "parameters", MAX_VECTOR * 10)
        if len(parameters) != n_params:
            c.fail(path + ("parameters",), f"{len(parameters)} parameters given, the model has {n_params}",
                   f"{n_params} numbers in model.parameters() order (each neuron's weights, then its bias)")
    dropout = c.bounded_float(m, path, "dropout", 0.0, 0.95, default=0.0)
    batchnorm = c.get(m, path, "batchnorm", "bool", default=False)
    for key in ("dropout", "batchnorm"):  # layers only the tensor engine has: never silently dropped
        if key in m and engine != "tensor" and m[key]:
            c.fail(path + (key,), f"{key} needs the tensor engine (the scalar engine has no {key} layer)",
                   'engine = "tensor" in [model], or remove ' + key, at_value=False)
    model = ModelSpec(engine, inputs, tuple(layers), activation, output_activation, loss, seed, parameters,
                      dropout, batchnorm)
    data = _data(c, doc, inputs, layers[-1])
    starts = []
    raw_starts = _starts_list(c, doc)
    for i, entry in enumerate(raw_starts):
        if not isinstance(entry, dict):
            c.fail(("starts",), "starts must be an array of tables ([[starts]])", "[[starts]] with name and parameters")
        c.only(entry, ("starts", i), ("name", "parameters"))
        name = c.get(entry, ("starts", i), "name", "str", required=True)
        values = c.numbers(c.get(entry, ("starts", i), "parameters", "list", required=True),
                           ("starts", i, "parameters"), "parameters")
        if len(values) != n_params:
            c.fail(("starts", i, "parameters"), f"{len(values)} parameters given, the model has {n_params}",
                   f"{n_params} numbers in model.parameters() order")
        starts.append(Start(name, values))
    # "output" exists when one neuron sees one sample (the learning-slowdown neuron)
    single = layers[-1] == 1 and data.dataset is None and len(data.x) == 1
    training = _training(c, doc, outputs=("output", "loss") if single else ("loss",), samples=_sample_count(data))
    return dict(model=model, data=data, starts=tuple(starts), training=training, backward_from="loss")


def _sample_count(data: DataSpec) -> int:
    return data.samples if data.dataset is not None else len(data.x)


def _parameter_count(inputs: int, layers: list) -> int:
    sizes = [inputs] + list(layers)
    return sum((sizes[i] + 1) * sizes[i + 1] for i in range(len(layers)))


def _data(c: _Checker, doc: dict, inputs: int, outputs: int) -> DataSpec:
    path = ("data",)
    d = c.table(doc, path, ("x", "y", "dataset", "samples", "noise", "seed"))
    if "dataset" in d:
        for key in ("x", "y"):
            if key in d:
                c.fail(path + (key,), f"{key} cannot be given together with dataset", "either x and y, or dataset",
                       at_value=False)
        name = c.choice(d, path, "dataset", DATASETS)
        if DATASET_FEATURES[name] != inputs:
            c.fail(path + ("dataset",), f"the {name} data set has {DATASET_FEATURES[name]} input feature(s), "
                   f"the model has inputs = {inputs}", f"inputs = {DATASET_FEATURES[name]} in [model]")
        if outputs != 1:
            c.fail(path + ("dataset",), f"the {name} data set has one target per sample, the model has "
                   f"{outputs} outputs", "a last layer of 1 neuron")
        return DataSpec(None, None, name, c.bounded_int(d, path, "samples", 4, MAX_SAMPLES, default=100),
                        c.bounded_float(d, path, "noise", 0.0, 10.0, default=0.1),
                        c.bounded_int(d, path, "seed", 0, 2 ** 32 - 1, default=0))
    for key in ("samples", "noise", "seed"):
        if key in d:
            c.fail(path + (key,), f"{key} only applies to a generated dataset", "dataset = \"moons\" (or remove it)",
                   at_value=False)
    xs_raw = c.get(d, path, "x", "list", required=True)
    ys_raw = c.get(d, path, "y", "list", required=True)
    if not xs_raw or len(xs_raw) > MAX_SAMPLES:
        c.fail(path + ("x",), f"x has {len(xs_raw)} samples", f"1 to {MAX_SAMPLES} samples")
    xs = []
    for row in xs_raw:
        row = row if isinstance(row, list) else [row]
        values = c.numbers(row, path + ("x",), "each sample of x")
        if len(values) != inputs:
            c.fail(path + ("x",), f"a sample of x has {len(values)} numbers, the model has {inputs} inputs",
                   f"samples of {inputs} number(s)")
        xs.append(values)
    if len(ys_raw) != len(xs):
        c.fail(path + ("y",), f"y has {len(ys_raw)} targets for {len(xs)} samples", "one target per sample")
    ys = []
    for row in ys_raw:
        values = c.numbers(row if isinstance(row, list) else [row], path + ("y",), "each target in y")
        if len(values) != outputs:
            c.fail(path + ("y",), f"a target has {len(values)} numbers, the model has {outputs} outputs",
                   f"targets of {outputs} number(s)")
        ys.append(values)
    return DataSpec(tuple(xs), tuple(ys))


def _training(c: _Checker, doc: dict, outputs: tuple, expression_leaves: Optional[dict] = None,
              data_leaves: tuple = (), samples: int = 0):
    path = ("training",)
    keys = ("optimizer", "lr", "momentum", "iterations", "record")
    keys += ("parameters",) if expression_leaves is not None else ("batch_size",)
    t = c.table(doc, path, keys, required=False)
    if t is None:
        return None
    record = c.strings(t, path, "record", default=list(outputs))
    for name in record:
        if name not in outputs:
            c.fail(path + ("record",), f"record names {str(name)[:40]!r}, which is not an output",
                   "names drawn from " + ", ".join(outputs))
    params = None
    if expression_leaves is not None:
        scalars = [n for n, v in expression_leaves.items() if isinstance(v, float) and n not in data_leaves]
        params = c.strings(t, path, "parameters", default=scalars)
        for name in params:
            if name not in expression_leaves:
                c.fail(path + ("parameters",), f"{str(name)[:40]!r} is not a leaf", "leaf names to train")
            if name in data_leaves:
                c.fail(path + ("parameters",), f"{str(name)[:40]!r} is data (listed in data_leaves), it cannot "
                       f"be trained", "parameters that are not data leaves")
        params = tuple(params)
    return TrainingSpec(
        c.choice(t, path, "optimizer", OPTIMIZERS, default="sgd"),
        c.bounded_float(t, path, "lr", 1e-9, 100.0, default=0.1),
        c.bounded_float(t, path, "momentum", 0.0, 0.999, default=0.0),
        c.bounded_int(t, path, "iterations", 1, MAX_ITERATIONS, default=100),
        tuple(record), params,
        0 if expression_leaves is not None else (c.bounded_int(t, path, "batch_size", 1, max(samples, 1)) or 0))


def _check_by_building(c: _Checker, scenario: Scenario) -> None:
    """Check the work budget from the spec alone, then build a small stand-in so that type
    errors (a vector where a number belongs) point at the text: a model on two samples, an
    expression scenario only once the budget has shown it is small (never the whole of a
    large graph)."""
    check_load(scenario)
    try:
        built = build(_validation_stand_in(scenario), None)
    except OutputBuildError as error:
        raise c.located(error.error, error.path) from None
    except (UserError, ValueError) as error:  # a safety net: every check above should come first
        table = ("model",) if scenario.kind == "model" else ("outputs",)
        c.fail(table, f"the scenario cannot be built ({str(error)[:200]})", "a consistent scenario (see docs/scenarios.md)",
               at_value=False)
    if scenario.kind == "expression" and scenario.training is not None and scenario.backward_from not in built:
        c.fail(("training",), f"the output {scenario.backward_from!r} that training minimises is a vector",
               "backward_from naming an output that is one number, such as sum(...) of the vector", at_value=False)
    if scenario.kind == "expression":
        scenario.checked_build.append(built)  # the whole graph, unchanged: the first view uses it


def _validation_stand_in(scenario: Scenario) -> Scenario:
    """The scenario to build for validation: a model scenario on (at most) two samples, whose
    graph has every gate type the full one has; an expression scenario as it is."""
    if scenario.kind != "model":
        return scenario
    data = scenario.data
    if data.dataset is not None:
        data = dataclasses.replace(data, samples=min(data.samples, 4))
    else:
        data = dataclasses.replace(data, x=data.x[:2], y=data.y[:2])
    return dataclasses.replace(scenario, data=data)
