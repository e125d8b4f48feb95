"""The inline player in a real notebook: a kernel displays it, nbconvert exports it, Chromium plays it offline."""
import json
import re
import shutil

import nbformat
import pytest
from nbconvert import HTMLExporter
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from graphviz_nn.debugger import build_trace
from graphviz_nn.render.frames import START_TEXT

from render_helpers import build_sigmoid_neuron, run_notebook


CELLS = [
    "from graphviz_nn import Value, player\n"
    "w0, x0 = Value(2.0, label='w0'), Value(-1.0, label='x0')\n"
    "w1, x1 = Value(-3.0, label='w1'), Value(-2.0, label='x1')\n"
    "w2 = Value(-3.0, label='w2')\n"
    "f = 1 / (1 + (-(w0 * x0 + w1 * x1 + w2)).exp())\n"
    "f.label = 'f'",
    "player(f)",
    "player(f, palette='colorblind')",
]
# every host resolves to nothing and every proxy is a closed port: the browser is offline
OFFLINE_FLAGS = ["--host-resolver-rules=MAP * ~NOTFOUND", "--proxy-server=127.0.0.1:9",
                 "--proxy-bypass-list=<-loopback>"]


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """The notebook run by a real kernel, and its nbconvert HTML export on disk."""
    notebook = run_notebook(CELLS, timeout=180)
    body, _ = HTMLExporter().from_notebook_node(notebook)
    page = tmp_path_factory.mktemp("notebook") / "lesson.html"
    page.write_text(body, encoding="utf-8")
    return notebook, page


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver_path = shutil.which("chromedriver")
    # installed by scripts/setup.sh --dev; a missing browser must fail the test, not skip it
    assert chromium and driver_path, "chromium/chromedriver are not installed: run scripts/setup.sh --dev"
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
                 *OFFLINE_FLAGS, f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}"]:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    try:
        yield driver
    finally:
        driver.quit()


def test_kernel_displays_the_player_as_html(exported):
    notebook, _ = exported
    for cell in notebook.cells[1:]:
        (output,) = cell.outputs
        assert output["output_type"] == "execute_result"
        html = output["data"]["text/html"]
        assert 'class="gnn-player"' in html and "Next" in html and "<svg" in html
        steps = len(build_trace(build_sigmoid_neuron()).steps)
        assert output["data"]["text/plain"].startswith(f"<graphviz_nn player: {steps + 1} frames at gate level")


class Player:
    """One player on the page, found by its scoped ids."""

    def __init__(self, browser, root):
        self.browser, self.root = browser, root
        self.scope = root.get_attribute("id")[: -len("player")]

    def part(self, name):
        return self.browser.find_element(By.ID, self.scope + name)

    @property
    def k(self) -> int:
        stage = self.part("stage")
        assert len(stage.find_elements(By.TAG_NAME, "svg")) == 1
        return int(stage.get_attribute("data-k"))

    @property
    def text(self) -> str:
        return self.part("step-text").text


def test_exported_page_plays_offline_and_players_step_independently(exported, browser):
    _, page = exported
    trace = build_trace(build_sigmoid_neuron())
    lines = [START_TEXT] + [s.text for s in trace.steps]
    browser.get(page.as_uri())
    roots = browser.find_elements(By.CSS_SELECTOR, ".gnn-player")
    assert len(roots) == 2
    WebDriverWait(browser, 20).until(
        lambda b: all(r.get_attribute("data-ready") == "true" for r in b.find_elements(By.CSS_SELECTOR, ".gnn-player")))
    first, second = (Player(browser, r) for r in roots)
    assert first.scope != second.scope
    assert (first.k, first.text, second.k, second.text) == (0, lines[0], 0, lines[0])
    assert first.part("phase").text == "start"

    first.part("next").click()                       # clicking Next
    assert (first.k, first.text) == (1, lines[1])
    assert first.part("phase").text == "forward" and first.part("counter").text == f"step 1 / {len(trace.steps)}"
    first.root.send_keys(Keys.ARROW_RIGHT)           # the right arrow, with the player focused
    assert (first.k, first.text) == (2, lines[2])
    assert (second.k, second.text) == (0, lines[0])  # the other player did not move

    second.root.send_keys(Keys.ARROW_RIGHT)
    second.root.send_keys(Keys.ARROW_RIGHT)
    second.root.send_keys(Keys.ARROW_RIGHT)
    second.part("prev").click()
    assert (second.k, second.text) == (2, lines[2])
    assert (first.k, first.text) == (2, lines[2])
    # the slider jumps into the backward pass: the lecture's w0 step, in picture and text
    k = next(s.index for s in trace.steps if "w0.grad" in s.text) + 1
    browser.execute_script("var s = arguments[0]; s.value = arguments[1]; s.dispatchEvent(new Event('input'));",
                           second.part("slider"), k)
    assert (second.k, second.text) == (k, lines[k]) and second.part("phase").text == "backward"
    assert "[0.20] × [-1.00] = -0.20" in second.part("stage").text
    assert first.k == 2
    # the arrow keys do not leak to the page: the notebook's own shortcuts keep working
    browser.find_element(By.TAG_NAME, "body").send_keys(Keys.ARROW_RIGHT)
    assert (first.k, second.k) == (2, k)
    # Full size shows the picture at its own width with scroll bars, Fit shrinks it back
    width = lambda p: p.part("stage").find_element(By.TAG_NAME, "svg").size["width"]
    fitted = width(first)
    first.part("zoom").click()
    assert first.part("zoom").text == "Fit" and width(first) > fitted
    assert browser.execute_script("var s = arguments[0]; return s.scrollWidth > s.clientWidth;", first.part("stage"))
    first.part("next").click()  # the next frame keeps the size
    assert first.k == 3 and width(first) > fitted and width(second) == fitted
    first.part("zoom").click()
    assert first.part("zoom").text == "Full size" and width(first) == fitted
    severe = [e for e in browser.get_log("browser") if e["level"] == "SEVERE" and "gnn" in e["message"]]
    assert severe == []


def test_no_request_leaves_the_player(exported, browser):
    notebook, page = exported
    browser.get_log("performance")  # drop what earlier tests logged
    browser.get(page.as_uri())
    WebDriverWait(browser, 20).until(
        lambda b: all(r.get_attribute("data-ready") == "true" for r in b.find_elements(By.CSS_SELECTOR, ".gnn-player")))
    for root in browser.find_elements(By.CSS_SELECTOR, ".gnn-player"):
        for _ in range(3):
            root.send_keys(Keys.ARROW_RIGHT)
    requested = set()
    for entry in browser.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            requested.add(message["params"]["request"]["url"])
    assert page.as_uri() in requested  # the log does see the page's requests
    # the same notebook without its outputs: what nbconvert's page asks for by itself (MathJax, require.js)
    bare = nbformat.from_dict(json.loads(json.dumps(notebook)))
    for cell in bare.cells:
        cell.outputs = []
    bare_page, _ = HTMLExporter().from_notebook_node(bare)
    template_urls = set(re.findall(r"""(?:src|href)=["']([^"']+)""", bare_page))
    # (chrome:// and file:// are the browser's own pages and this file, not the network)
    outside = {url for url in requested if url.split(":", 1)[0] in ("http", "https", "ws", "wss", "ftp")}
    assert outside <= template_urls, outside - template_urls
    # and the players add no address to the page but the SVG namespace
    urls = lambda html: set(re.findall(r"https?://[^\s\"'<>)\\]+", html))
    assert urls(page.read_text(encoding="utf-8")) - urls(bare_page) == {"http://www.w3.org/2000/svg"}
    for cell in notebook.cells[1:]:
        assert urls(cell.outputs[0]["data"]["text/html"]) == {"http://www.w3.org/2000/svg"}
