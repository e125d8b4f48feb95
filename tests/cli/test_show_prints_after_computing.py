"""``show`` never fails after printing (issue 25): everything is computed first, and a
``[view] jacobian`` the scalar engine cannot compute is refused by the loader, located."""
import pytest

from graphviz_nn.cli import main
from graphviz_nn.errors import UserError

JACOBIAN = """
id = "jac"
title = "softmax's Jacobian"
kind = "expression"
explanation = "The Jacobian of softmax."
{engine}
[leaves]
x = [1.0, 2.0, 3.0]

[outputs]
f = "softmax(x)"

[view]
jacobian = ["f"]
"""


def test_a_jacobian_on_the_scalar_engine_is_refused_where_it_is_asked(tmp_path, refused):
    path = tmp_path / "jac.toml"
    path.write_text(JACOBIAN.format(engine=""))
    result = refused("show", path)
    result.assert_one_sentence("line 14", "scalar engine", 'engine = "tensor"')
    assert result.stdout == ""  # nothing printed before the refusal


def test_the_tensor_jacobian_is_softmaxs(tmp_path, capsys):
    import numpy as np
    path = tmp_path / "jac.toml"
    path.write_text(JACOBIAN.format(engine='engine = "tensor"'))
    assert main(["show", str(path)]) == 0
    out = capsys.readouterr().out
    x = np.array([1.0, 2.0, 3.0])
    s = np.exp(x) / np.exp(x).sum()
    jacobian = np.diag(s) - np.outer(s, s)  # independent: ∂sᵢ/∂xⱼ = sᵢ(δᵢⱼ - sⱼ)
    for row in jacobian:
        assert "[" + "  ".join(f"{v:8.4f}" for v in row) + " ]" in out


def test_a_failure_while_computing_prints_nothing(monkeypatch, capsys):
    from graphviz_nn.scenario_build import facts as facts_module

    def failing(*args, **kwargs):
        raise UserError("the facts could not be computed")
    monkeypatch.setattr(facts_module, "facts", failing)
    assert main(["show", "sigmoid-neuron"]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and "the facts could not be computed" in captured.err
