"""The player's exercise in a real headless Chromium, offline: typing answers, the hints, the summary.

The page's script must say exactly what ``debugger.exercise`` says for the same answers, so every
verdict on the page is compared with the Python core's sentence for the same sequence.
"""

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from graphviz_nn import player
from graphviz_nn.debugger.exercise import Exercise, FIRST, HINTED, REVEALED


MARK = {None: "-", FIRST: "1", HINTED: "h", REVEALED: "r"}


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    made = player("sigmoid-neuron", exercise=True)
    path = tmp_path_factory.mktemp("exercise") / "exercise.html"
    made.save(path)
    return made, path


def _frame(browser) -> int:
    return int(browser.find_element(By.ID, "stage").get_attribute("data-k"))


def _open(browser, path):
    browser.get(path.as_uri())
    WebDriverWait(browser, 10).until(
        lambda b: b.find_element(By.ID, "player").get_attribute("data-ready") == "true")


def _variant(shown: str) -> str:
    """The number as a student might write it: -.20 for -0.20, 7.3e-1 for 0.73."""
    if shown.startswith("-0."):
        return "-" + shown[2:]
    if shown.startswith("0."):
        return f"{float(shown):.1e}" if len(shown.rstrip("0")) <= 4 else shown
    return shown


def test_the_exercise_waits_for_answers_and_says_what_the_core_says(browser, page):
    made, path = page
    _open(browser, path)
    body = browser.find_element(By.TAG_NAME, "body")
    for _ in range(9):  # the five leaves ask nothing; step 6 (n5 = w0 * x0) does
        body.send_keys(Keys.ARROW_RIGHT)
    assert _frame(browser) == 5
    panel = browser.find_element(By.ID, "ask")
    assert panel.is_displayed()
    assert browser.find_element(By.ID, "ask-step").text == "6"
    assert browser.find_element(By.ID, "prompt").text == "n5 = w0 * x0 = ?"
    assert browser.find_element(By.ID, "stage").text.count("-2.00") == 1  # x1's; n5's is not on the picture yet
    browser.find_element(By.ID, "next").click()
    assert _frame(browser) == 5  # Next waits too

    core = Exercise(_questions(made))
    scripts = {0: ["-3", "abc", "-2"], 1: ["5", "7", "6.0"], 2: ["1", "2", "3"], 3: ["show me"]}
    answer = browser.find_element(By.ID, "answer")
    verdict = browser.find_element(By.ID, "verdict")
    for i, q in enumerate(core.questions):
        while not panel.is_displayed():  # a step that asks nothing (the seed) is stepped over by hand
            browser.find_element(By.ID, "next").click()
        assert browser.find_element(By.ID, "ask-step").text == str(q.step)
        assert browser.find_element(By.ID, "prompt").text == q.prompt
        for typed in scripts.get(i, [_variant(q.shown)]):
            if typed == "show me":
                browser.find_element(By.ID, "reveal").click()
                expected = core.reveal(i).message
            else:
                answer.clear()
                answer.send_keys(typed, Keys.ENTER)
                expected = core.answer(i, typed).message
            assert verdict.text == expected, (i, typed)
        outcomes = browser.find_element(By.ID, "player").get_attribute("data-outcomes")
        assert outcomes == "".join(MARK[o] for o in core.outcome)
    assert core.done and _frame(browser) == 26
    assert not panel.is_displayed()
    score = browser.find_element(By.ID, "score").text
    assert score == "Exercise done: " + core.summary_text()
    assert core.summary_text() == "28 of 32 right first time, 2 after a hint, 2 revealed"
    assert browser.find_element(By.ID, "step-text").text == made.trace.steps[-1].text
    assert browser.execute_script("return performance.getEntriesByType('resource').length") == 0


def _questions(made):
    from graphviz_nn.debugger.exercise import Question
    return [Question(q["step"], q["kind"], tuple(q["keys"]), q["prompt"], q["expected"], q["shown"],
                     q["alternative"], tuple(q["hints"])) for q in made.exercise]


def test_going_back_is_free_and_the_slider_stops_at_the_step_that_asks(browser, page):
    _, path = page
    _open(browser, path)
    browser.execute_script("var s = document.getElementById('slider'); s.value = '20';"
                           "s.dispatchEvent(new Event('input'));")
    assert _frame(browser) == 5
    answer = browser.find_element(By.ID, "answer")
    answer.send_keys("-2", Keys.ENTER)
    assert _frame(browser) == 6 and browser.find_element(By.ID, "stage").text.count("-2.00") == 2  # x1, n5
    browser.find_element(By.ID, "prev").click()
    browser.find_element(By.ID, "prev").click()
    assert _frame(browser) == 4
    # step 6 stays answered: going forward again shows it and asks step 7
    browser.find_element(By.ID, "next").click()
    browser.find_element(By.ID, "next").click()
    assert _frame(browser) == 6 and browser.find_element(By.ID, "ask-step").text == "7"
    # typing in the answer box never steps: the arrow keys belong to the box
    answer.send_keys("1", Keys.ARROW_LEFT, Keys.ARROW_LEFT)
    assert _frame(browser) == 6


def test_the_questions_come_from_the_core_and_the_plain_player_asks_nothing():
    made = player("sigmoid-neuron", exercise="grad")
    assert [q["kind"] for q in made.exercise] == ["grad"] * 12
    assert 'id="' in made._repr_html_() and "gnn-exercise" in made._repr_html_()
    first, second = made.fragment(), made.fragment()
    assert first.split('id="', 2)[1] != second.split('id="', 2)[1]  # two displays step (and ask) apart
    plain = player("sigmoid-neuron")
    assert plain.exercise is None and "gnn-exercise\"" not in plain.page()


def test_frames_html_exercise_writes_the_exercise_page(tmp_path, capsys):
    from graphviz_nn.cli import main
    from graphviz_nn.render.html_player import unpack
    import re
    page = tmp_path / "ex.html"
    assert main(["frames", "sigmoid-neuron", "--html", str(page), "--exercise", "local,grad"]) == 0
    text = page.read_text()
    data = unpack(re.search(r'id="frames">([^<]+)<', text).group(1))
    assert {q["kind"] for q in data["exercise"]["questions"]} == {"local", "grad"}
    assert main(["frames", "sigmoid-neuron", "-o", str(tmp_path / "f"), "--exercise"]) == 2
    assert "--exercise is for the HTML player" in capsys.readouterr().err
    assert main(["frames", "sigmoid-neuron", "--html", str(page), "--exercise", "guess"]) == 2
    assert "'guess' is not a kind" in capsys.readouterr().err


def test_a_graph_of_arrays_has_no_exercise():
    from graphviz_nn.render.player import PlayerError
    with pytest.raises(PlayerError, match="asks nothing that can be typed"):
        player("sigmoid-jacobian", exercise=True)
