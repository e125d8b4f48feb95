"""An overflowing constant is one sentence, located at its operator, never a sentence nested in
another (issue 25)."""
import pytest

from graphviz_nn.scenario_format.errors import ScenarioError
from graphviz_nn.scenario_format.loader import load_text

TEXT = 'id = "c"\ntitle = "t"\nkind = "expression"\nexplanation = "x"\n[leaves]\nx = 1.0\n[outputs]\nf = "{}"\n'


@pytest.mark.parametrize("expression, column", [("x * (1e308 * 10)", 6 + 11), ("(1e308 + 1e308) * x", 6 + 7)])
def test_an_overflowing_constant_is_one_located_sentence(expression, column):
    with pytest.raises(ScenarioError) as refused:
        load_text(TEXT.format(expression), "c.toml")
    message = str(refused.value)
    assert message == f"c.toml, line 8, column {column}: a constant works out to inf; expected constants that stay finite."
    assert message.count("line") == 1 and "(" not in message
