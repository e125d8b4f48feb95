"""graphviz_nn.player: what it accepts, the notebook fragment, the saved page, the size limit."""
import re
from pathlib import Path

import pytest

from graphviz_nn import Value, player
from graphviz_nn.debugger import build_trace
from graphviz_nn.render.frame_set import write_frames
from graphviz_nn.render.frames import START_TEXT, render_frames
from graphviz_nn.render.html_player import decode_frames, inline_svg, unpack
from graphviz_nn.render.player import MAX_PLAYER_BYTES, Player, PlayerError, PlayerTooLargeError
from graphviz_nn.scenario_format import ScenarioError, load_scenario

from render_helpers import build_sigmoid_neuron

ROOT = Path(__file__).resolve().parents[2]


def packed_data(fragment: str) -> dict:
    """The frame data a fragment carries, unpacked as the browser does."""
    return unpack(re.search(r'<script type="application/gzip-base64" id="[^"]*">([^<]*)</script>', fragment).group(1))


@pytest.fixture(scope="module")
def neuron_player():
    f = build_sigmoid_neuron()
    return f, player(f)


def test_player_of_a_value_shows_the_trace_lines_and_phases(neuron_player):
    f, made = neuron_player
    # making the player runs one backward pass for its trace but leaves the user's grads alone
    assert f.grad == 0.0
    trace = build_trace(f)
    assert isinstance(made, Player) and made.steps == len(trace.steps) and len(made.texts) == made.steps + 1
    assert made.texts == [START_TEXT] + [s.text for s in trace.steps]
    assert made.phases[0] == "start" and made.phases[1] == "forward" and made.phases[-1] == "end"
    assert made.phases[trace.n_forward + 1] == "backward"


def test_fragment_data_rebuilds_every_frame(neuron_player):
    f, made = neuron_player
    data = packed_data(made._repr_html_())
    svgs = [s.decode() for s in render_frames(f, "svg")]
    assert decode_frames(data["pieces"], data["first"], data["edits"]) == [inline_svg(s) for s in svgs]
    assert data["texts"] == made.texts and data["phases"] == made.phases


def test_each_display_has_ids_of_its_own(neuron_player):
    f, made = neuron_player
    first, second = made._repr_html_(), made._repr_html_()
    ids_first = re.findall(r'\bid="([^"]*)"', first)
    ids_second = re.findall(r'\bid="([^"]*)"', second)
    scope = ids_first[0][: -len("player")]
    assert ids_first[0].endswith("player") and scope
    assert all(i.startswith(scope) for i in ids_first)  # the SVG's own group ids are gone too
    assert not set(ids_first) & set(ids_second)
    assert len(ids_first) == len(set(ids_first))
    # the script finds its elements by that scope and listens to keys on its own element only
    assert f'var scope = "{scope}", pageKeys = false' in first
    assert "document.addEventListener" not in first


def test_fragment_loads_nothing_from_elsewhere(neuron_player):
    _, made = neuron_player
    fragment = made._repr_html_()
    assert set(re.findall(r"https?://[^\s\"'<>)\\]+", fragment)) == {"http://www.w3.org/2000/svg"}
    for needle in ("<script src", "<link", "@import", "url(", "fetch(", "XMLHttpRequest", "import("):
        assert needle not in fragment
    # without scripts (GitHub's preview, an untrusted notebook) the start is still drawn
    assert "<svg" in fragment and "w0" in fragment and START_TEXT in fragment


def test_save_writes_the_same_page_as_frames_html(tmp_path):
    trace = build_trace(build_sigmoid_neuron())
    made = player(trace, title="CS231n neuron")
    saved = made.save(tmp_path / "player.html")
    write_frames(trace, tmp_path / "frames", html=tmp_path / "frames.html", title="CS231n neuron")
    assert saved.read_text() == (tmp_path / "frames.html").read_text() == made.page()
    assert "<h1>CS231n neuron</h1>" in made.page() and "Content-Security-Policy" in made.page()


def test_player_of_a_scenario_id_path_or_scenario_object(tmp_path):
    by_id = player("sigmoid-jacobian")
    scenario = load_scenario("sigmoid-jacobian")
    assert by_id.title == f"{scenario.title} [sigmoid-jacobian]"
    assert by_id.texts == [START_TEXT] + [s.text for s in scenario.trace().steps]
    path = tmp_path / "mine.toml"
    path.write_text((ROOT / "scenarios" / "sigmoid-jacobian.toml").read_text())
    assert player(path).texts == player(str(path)).texts == by_id.texts
    assert player(scenario).texts == by_id.texts


def test_a_scenario_start_picks_the_starting_point():
    slow = load_scenario("learning-slowdown-quadratic")
    texts = {k: player("learning-slowdown-quadratic", start=k).texts for k in (0, 1)}
    assert texts[0] == [START_TEXT] + [s.text for s in slow.trace(0).steps]
    assert texts[0] != texts[1]


def test_bad_sources_are_one_sentence():
    with pytest.raises(PlayerError, match=r"^player\(\) takes a Value or Tensor output, .* got int$"):
        player(42)
    with pytest.raises(PlayerError, match="got list"):
        player([])
    with pytest.raises(ScenarioError):
        player("no-such-scenario")
    with pytest.raises(PlayerError, match="start= chooses a scenario's starting point"):
        player(Value(1.0) * 2, start=1)


def test_too_large_a_player_is_refused_naming_level():
    f = build_sigmoid_neuron()
    with pytest.raises(PlayerTooLargeError) as refused:
        player(f, max_bytes=10_000)
    message = str(refused.value)
    assert re.match(r"the player for these \d+ steps at gate level would be \d+ kB, ", message)
    assert "more than the 10 kB" in message
    # the neuron has no groups, so no coarser level would be smaller: none is named
    assert message.endswith("; step through it with graphviz_nn.debug instead, or raise max_bytes=")
    assert "level=" not in message
    assert player(f, max_bytes=None).size > 10_000
    # an MLP has neuron and layer levels: the refusal at gate level names both, at neuron level the layer
    mlp = load_scenario("mlp-xor").trace()
    with pytest.raises(PlayerTooLargeError, match="draw it with level='neuron' or level='layer', or raise max_bytes="):
        player(mlp, level="gate", max_bytes=10_000)
    with pytest.raises(PlayerTooLargeError, match="draw it with level='layer', or raise max_bytes="):
        player(mlp, level="neuron", max_bytes=10_000)
    with pytest.raises(PlayerTooLargeError, match="graphviz_nn.debug instead"):
        player(mlp, level="layer", max_bytes=1_000)


@pytest.mark.parametrize("scenario_id, level, bound", [
    ("sigmoid-neuron", "gate", 60_000),
    ("mlp-moons", "layer", 100_000),
    ("mlp-xor", "neuron", 250_000),
])
def test_catalogue_players_fit_a_notebook(scenario_id, level, bound):
    made = player(scenario_id, level=level)
    # the README's Teaching materials reports these sizes; a bound well under the limit guards them
    assert made.size < bound < MAX_PLAYER_BYTES
    assert len(made.page().encode()) < bound


def test_a_far_too_large_player_is_refused_before_every_frame_is_drawn():
    from graphviz_nn.render.player import build_player
    trace = load_scenario("mlp-xor").trace()
    drawn = []
    with pytest.raises(PlayerTooLargeError, match=r"would be at least \d+ kB, more than the 50 kB .*"
                                                  r"draw it with level='neuron' or level='layer'"):
        build_player(trace, max_bytes=50_000, progress=lambda done, total: drawn.append((done, total)))
    assert drawn[-1] == (64, len(trace.steps) + 1)  # the first size check already says no


@pytest.mark.parametrize("name", ["graphviz_nn.render.player", "graphviz_nn.render.beamer"])
def test_docstring_examples(name):
    import doctest
    import importlib
    result = doctest.testmod(importlib.import_module(name))
    assert result.failed == 0 and result.attempted >= 1


def test_player_of_a_tensor_output():
    import numpy as np
    from graphviz_nn import Tensor
    x = Tensor(np.array([[1.0, 2.0]]), label="x")
    w = Tensor(np.array([[0.5], [-1.0]]), label="W")
    y = (x @ w).sum()
    made = player(y)
    assert made.texts[1:] == [s.text for s in build_trace(y).steps]
    assert any("W.grad" in text for text in made.texts)
