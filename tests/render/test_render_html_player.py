"""The HTML player in a real headless Chromium: arrow keys, buttons, slider, and no network."""
import re

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from graphviz_nn.debugger import build_trace
from graphviz_nn.render.html_player import decode_frames, encode_frames, inline_svg, player_html
from graphviz_nn.render.frame_set import write_frames

from render_helpers import build_sigmoid_neuron

@pytest.fixture(scope="module")
def page(tmp_path_factory):
    folder = tmp_path_factory.mktemp("player")
    trace = build_trace(build_sigmoid_neuron())
    html = folder / "player.html"
    write_frames(trace, folder / "frames", html=html, title="CS231n sigmoid neuron")
    return trace, html


def shown_frame(browser) -> int:
    """The frame on screen, checked against the picture itself: its SVG must be frame k's."""
    stage = browser.find_element(By.ID, "stage")
    assert len(stage.find_elements(By.TAG_NAME, "svg")) == 1
    return int(stage.get_attribute("data-k"))


def test_arrow_keys_buttons_and_slider_change_frame_and_text(browser, page):
    trace, html = page
    browser.get(html.as_uri())
    assert shown_frame(browser) == 0
    text = browser.find_element(By.ID, "step-text")
    assert text.text.startswith("start")
    body = browser.find_element(By.TAG_NAME, "body")
    picture_before = browser.find_element(By.ID, "stage").get_attribute("innerHTML")
    body.send_keys(Keys.ARROW_RIGHT)
    assert shown_frame(browser) == 1
    assert text.text == trace.steps[0].text
    # the first forward step makes w0's value appear on its edge: the picture changed
    assert browser.find_element(By.ID, "stage").get_attribute("innerHTML") != picture_before
    assert "2.00" in browser.find_element(By.ID, "stage").text
    body.send_keys(Keys.ARROW_RIGHT)
    assert shown_frame(browser) == 2 and text.text == trace.steps[1].text
    body.send_keys(Keys.ARROW_LEFT)
    assert shown_frame(browser) == 1
    browser.find_element(By.ID, "next").click()
    browser.find_element(By.ID, "next").click()
    assert shown_frame(browser) == 3
    browser.find_element(By.ID, "prev").click()
    assert shown_frame(browser) == 2
    # the slider jumps to the backward step along w0's edge: the lecture's "[0.20] × [-1.00]"
    k = next(s.index for s in trace.steps if "w0.grad" in s.text) + 1
    browser.execute_script(
        "var s = document.getElementById('slider'); s.value = arguments[0];"
        "s.dispatchEvent(new Event('input'));", k)
    assert shown_frame(browser) == k
    assert "w0.grad" in text.text
    picture = browser.find_element(By.ID, "stage")
    assert "[0.20] × [-1.00] = -0.20" in picture.text
    assert browser.find_element(By.ID, "counter").text == f"step {k} / 26"
    # the last frame stops the right arrow
    for _ in range(30):
        body.send_keys(Keys.ARROW_RIGHT)
    assert shown_frame(browser) == 26


def test_page_makes_no_network_request(browser, page):
    trace, html = page
    browser.get(html.as_uri())
    body = browser.find_element(By.TAG_NAME, "body")
    body.send_keys(Keys.ARROW_RIGHT)
    resources = browser.execute_script("return performance.getEntriesByType('resource').length")
    assert resources == 0
    source = html.read_text()
    urls = set(re.findall(r"https?://[^\s\"'<>)\\]+", source))  # JSON escapes quotes with a backslash
    assert urls == {"http://www.w3.org/2000/svg"}
    assert "<script src" not in source and "<link" not in source


def test_player_escapes_step_text_and_title():
    svg = '<?xml version="1.0"?>\n<svg width="10pt" height="10pt" xmlns="http://www.w3.org/2000/svg"><g id="a"/></svg>'
    html = player_html([svg, svg], ["start", "</script><script>alert(1)</script>"], title="<b>x</b>")
    assert "</script><script>alert" not in html
    assert "&lt;b&gt;x&lt;/b&gt;" in html
    with pytest.raises(ValueError):
        player_html([svg], ["a", "b"])


def test_frames_are_stored_once_and_rebuilt_exactly(page):
    trace, html = page
    folder = html.parent / "frames"
    svgs = [p.read_text() for p in sorted(folder.glob("frame-*.svg"))]
    pieces, first, edits = encode_frames(svgs)
    assert decode_frames(pieces, first, edits) == [inline_svg(s) for s in svgs]
    assert len(html.read_bytes()) < sum(len(s) for s in svgs) / 4
