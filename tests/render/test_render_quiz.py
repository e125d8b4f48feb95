"""Quiz mode in the player and ``frames`` (issue 21, item 3): no number on any frame, in any step
line, the title or the page's packed data before the step that computes it; the leaves' values
(inputs, weights: the question's data) are given from the first frame.

"Known at step k" is worked out here from the trace's recorded numbers (``state_at(k)`` and the
steps up to k), never from what the player shows.
"""
import json
import math
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from graphviz_nn import player
from graphviz_nn.debugger.quiz import START_TEXT, hide_all_numbers, quiz_title, secret_numbers
from graphviz_nn.render.html_player import decode_frames, unpack

from render_helpers import SVG

ROOT = Path(__file__).resolve().parents[2]
NUMBER = re.compile(r"(?<![\w.])-?\d+\.\d+(?:e[-+]\d+)?(?![\w.])")


def numbers_of(x) -> list:
    """Every float inside a value (a number or an array)."""
    if x is None:
        return []
    if isinstance(x, (int, float)):
        return [float(x)]
    return [float(v) for v in __import__("numpy").asarray(x, dtype=float).ravel()]


def known_numbers(trace, k: int) -> list:
    """The numbers a class may see after k steps: every leaf's forward value (given), every value
    and gradient of the state, every step's upstream, local gradient and contribution up to k,
    the norms of known arrays, the constants folded into gates (``*0.25``), and 1 - v of known
    values (the sigmoid's local factor 0.73 × 0.27)."""
    state = trace.state_at(k)
    out = []
    for info in trace.nodes:
        if isinstance(info.const, (int, float)):
            out.append(float(info.const))
        value = state.value(info.id)
        if value is None and info.is_leaf:
            value = trace.forward_value(info.id)
        for x in (value, state.grad(info.id)):
            out += numbers_of(x)
            if x is not None and not isinstance(x, float):
                out.append(float(__import__("numpy").linalg.norm(x)))
                out.append(float(__import__("numpy").mean(x)))
    for step in trace.steps[:k]:
        for x in (step.upstream, step.local, step.contribution, step.grad_before, step.grad_after):
            out += numbers_of(x)
    out += [1 - x for x in out] + [-x for x in out]
    return out


def shown_as(token: str, x: float) -> bool:
    if "e" in token:
        return math.isclose(float(token), x, rel_tol=5e-3)
    places = len(token.split(".")[1])
    return abs(float(token) - x) <= 0.5 * 10 ** -places * (1 + 1e-9)


def unknown_tokens(text: str, known: list) -> list:
    return [t for t in NUMBER.findall(text) if not any(shown_as(t, x) for x in known)]


def svg_text(svg: str) -> str:
    """What a frame shows, and what its SVG carries besides (titles, tooltips, attributes)."""
    root = ET.fromstring(svg)
    shown = " | ".join("".join(t.itertext()) for t in root.iter(f"{SVG}text"))
    hidden = " | ".join("".join(t.itertext()) for t in root.iter(f"{SVG}title"))
    tooltips = " | ".join(v for e in root.iter() for a, v in e.attrib.items() if a.endswith("title"))
    return f"{shown} || {hidden} || {tooltips}"


def check_every_frame(made) -> None:
    trace = made.trace
    for k, (svg, text) in enumerate(zip(made.svgs, made.texts)):
        known = known_numbers(trace, k)
        shown = svg_text(svg) + " || " + text + " || " + (made.title or "")
        assert unknown_tokens(shown, known) == [], (k, text)


@pytest.fixture(scope="module")
def neuron_quiz():
    return player("sigmoid-neuron", quiz=True)


def test_the_neuron_quiz_player_shows_no_number_before_its_step(neuron_quiz):
    check_every_frame(neuron_quiz)
    assert neuron_quiz.texts[0] == START_TEXT


def test_the_quiz_player_gives_the_leaves_and_only_the_leaves_at_the_start(neuron_quiz):
    start = svg_text(neuron_quiz.svgs[0])
    for given in ("2.00", "-1.00", "-3.00", "-2.00"):  # w0, x0, w1 = w2, x1 of the slide
        assert given in start
    f = 1 / (1 + math.exp(-(2.0 * -1.0 + -3.0 * -2.0 + -3.0)))
    assert f"{f:.2f}" not in start and f"{f:.2f}" in svg_text(neuron_quiz.svgs[-1])
    # without quiz the start shows nothing at all (the leaves come with their steps)
    plain = player("sigmoid-neuron")
    assert "2.00" not in svg_text(plain.svgs[0])


def test_the_check_catches_a_number_from_the_future(neuron_quiz):
    """The checker itself can fail: the last frame's numbers are not known at the start."""
    trace = neuron_quiz.trace
    assert unknown_tokens(svg_text(neuron_quiz.svgs[-1]), known_numbers(trace, 0))


@pytest.mark.parametrize("sid, level", [("mlp-xor", "neuron"), ("mlp-moons", "neuron"), ("cost-examples", "gate")])
def test_quiz_players_of_networks_and_titles_keep_their_secrets(sid, level):
    made = player(sid, level=level, quiz=True, max_bytes=None)
    check_every_frame(made)


def test_a_title_keeps_its_given_numbers_and_hides_computed_ones():
    made = player("cost-examples", quiz=True, max_bytes=None)
    trace = made.trace
    computed = next(s.value for s in trace.steps if s.phase == "forward" and not trace.node(s.node).is_leaf)
    title = f"a = 0.80 gives {computed:.2f}"
    assert quiz_title(title, trace) == "a = 0.80 gives ?"
    assert [title[a:b] for a, b, k in secret_numbers(title, trace) if k == 0] == ["0.80"]
    # an explanation not traced yet (the picker): every number standing alone, not names or shapes
    assert hide_all_numbers("f = 0.73 and -0.20, ReLU 0, x0 of a 2-16-16-1 net, *-1 and 1/x.") == \
        "f = ? and ?, ReLU ?, x0 of a 2-16-16-1 net, *-1 and 1/x."


def test_frames_quiz_on_the_command_line_writes_frames_page_and_index_that_keep_secrets(tmp_path):
    out, page = tmp_path / "frames", tmp_path / "quiz.html"
    done = subprocess.run([sys.executable, "-m", "graphviz_nn", "frames", "sigmoid-neuron", "-o", str(out),
                           "--html", str(page), "--quiz"], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert done.returncode == 0, done.stderr
    made = player("sigmoid-neuron")  # the same trace, for the known numbers
    trace = made.trace
    index = json.loads((out / "index.json").read_text())
    frames = index["frames"]
    assert len(frames) == len(trace.steps) + 1
    for k, entry in enumerate(frames):
        svg = (out / entry["file"]).read_text()
        assert unknown_tokens(svg_text(svg) + " || " + entry["text"], known_numbers(trace, k)) == [], k
    html = page.read_text()
    data = unpack(re.search(r'<script type="application/gzip-base64" id="[^"]*">([^<]*)</script>', html).group(1))
    pages = decode_frames(data["pieces"], data["first"], data["edits"])
    assert data["texts"][0] == START_TEXT
    for k, (svg, text) in enumerate(zip(pages, data["texts"])):
        assert unknown_tokens(svg_text(svg) + " || " + text, known_numbers(trace, k)) == [], k
    assert "2.00" in svg_text(pages[0])  # w0 is given at the start


def test_the_quiz_page_in_chromium_shows_only_known_numbers_at_every_step(browser, tmp_path, neuron_quiz):
    page = tmp_path / "quiz.html"
    neuron_quiz.save(page)
    trace = neuron_quiz.trace
    browser.get(page.as_uri())
    body = browser.find_element(By.TAG_NAME, "body")
    for k in range(len(trace.steps) + 1):
        if k:
            body.send_keys(Keys.ARROW_RIGHT)
        stage = browser.find_element(By.ID, "stage")
        assert int(stage.get_attribute("data-k")) == k
        on_screen = browser.find_element(By.TAG_NAME, "body").text
        assert unknown_tokens(on_screen, known_numbers(trace, k)) == [], (k, on_screen)
    f = 1 / (1 + math.exp(-(2.0 * -1.0 + -3.0 * -2.0 + -3.0)))
    assert f"{f:.2f}" in browser.find_element(By.TAG_NAME, "body").text
