"""The bridge's refusals suggest the fix for the cause at hand (issue 25): a Python number, an
integer or bool result, integer inputs, a result made without gradients, meta tensors."""
import pytest

torch = pytest.importorskip("torch")

from graphviz_nn.torch import record  # noqa: E402
from graphviz_nn.errors import UserError  # noqa: E402

W = torch.tensor([2.0], requires_grad=True, dtype=torch.float64)


def without_gradients(x):
    with torch.no_grad():
        return (W * x).sum()


CASES = [
    ("a number", lambda: record(lambda x: (W * x).sum().item(), torch.tensor([3.0], dtype=torch.float64)),
     "not loss.item()"),
    ("an int result", lambda: record(lambda x: (x * 2).sum(), torch.tensor([3, 4])), ".float()"),
    ("a bool result", lambda: record(lambda x: x > 0, torch.tensor([3.0])), "torch.bool"),
    ("no_grad", lambda: record(without_gradients, torch.tensor([3.0], dtype=torch.float64)), "torch.no_grad()"),
    ("meta", lambda: record(torch.nn.Linear(2, 1, device="meta"), torch.zeros(1, 2, device="meta")),
     "'meta' device"),
]


@pytest.mark.parametrize("name, call, fix", CASES, ids=[c[0] for c in CASES])
def test_each_cause_has_its_own_advice(name, call, fix):
    with pytest.raises(UserError) as refused:
        call()
    text = str(refused.value)
    assert fix in text and "\n" not in text
    if name != "a number":
        assert "loss.item()" not in text  # the advice for another cause
