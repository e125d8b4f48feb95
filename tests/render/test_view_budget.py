"""Every view checks the size of what it will draw before building it (issue 25): a wide
network's neuron level is refused in every output format, from Python and the command line,
quickly and under a memory cap."""
import pytest

from graphviz_nn.debugger.network import MAX_NETWORK_EDGES, NetworkTooLargeError, network_size
from graphviz_nn.errors import UserError
from graphviz_nn.scenario_format.loader import load_text
from wide_network import WIDE

EDGES = 2 * 512 + 512 * 512 + 512 * 1 + 1  # one per weight, and each output into the loss


@pytest.fixture(scope="module")
def wide_trace():
    from graphviz_nn.scenario_build.to_trace import to_trace
    return to_trace(load_text(WIDE, "wide.toml")).trace


def test_the_size_is_counted_from_the_weights(wide_trace):
    assert network_size(wide_trace) == (2 + 512 + 512 + 1 + 1, EDGES)


@pytest.mark.parametrize("max_nodes", [None, 2000, 10 ** 9])
def test_to_dot_refuses_before_building_whatever_max_nodes(wide_trace, max_nodes, memory_capped):
    from graphviz_nn.render.dot import to_dot
    with pytest.raises(UserError, match=f"{EDGES:,} edges"):
        to_dot(wide_trace, level="neuron", max_nodes=max_nodes)
    assert to_dot(wide_trace, level="layer", max_nodes=max_nodes).source.count("->") < 20  # the coarser view draws


def test_the_network_itself_refuses(wide_trace, memory_capped):
    from graphviz_nn.debugger.network import network
    with pytest.raises(NetworkTooLargeError) as refused:
        network(wide_trace)
    assert isinstance(refused.value, ValueError) and f"{MAX_NETWORK_EDGES:,} edges" in str(refused.value)


@pytest.mark.parametrize("args", [["render", "-o", "x.dot"], ["render", "--format", "dot", "-o", "-"],
                                  ["render", "-o", "x.svg"], ["render", "-o", "x.png"],
                                  ["frames", "-o", "frames"], ["frames", "--html", "p.html"]])
def test_every_format_refuses_in_one_sentence(tmp_path, refused, args):
    (tmp_path / "wide.toml").write_text(WIDE)
    result = refused(args[0], "wide.toml", "--level", "neuron", *args[1:], cwd=tmp_path)
    result.assert_one_sentence(f"{EDGES:,} edges", "--level layer")
    assert result.peak_mb < 400, result.peak_mb
    assert sorted(p.name for p in tmp_path.iterdir()) == ["refused.err", "refused.out", "wide.toml"]
