"""What `show` prints beside the steps (scenario_build/facts.py), checked against hand calculations."""
import pathlib

from graphviz_nn.cli import main

CATALOGUE = pathlib.Path(__file__).resolve().parents[2] / "scenarios"


def test_dropout_facts_name_the_slides_keep_probability_for_any_p(tmp_path, capsys):
    # the slide's p is the keep probability: with p = 0.25 of dropping, the slide would write 0.75
    text = (CATALOGUE / "dropout.toml").read_text()
    assert "dropout = 0.5\n" in text
    path = tmp_path / "dropout-quarter.toml"
    path.write_text(text.replace('id = "dropout"', 'id = "dropout-quarter"').replace("dropout = 0.5\n", "dropout = 0.25\n"))
    assert main(["show", str(path)]) == 0
    out = capsys.readouterr().out
    line = next(line for line in out.splitlines() if line.startswith("Dropout at inference"))
    assert "p = 0.25" in line and f"1 - p = {1 - 0.25:g} here" in line
    assert f"scaled by 1/(1 - p) = {1 / (1 - 0.25):g}" in line
    assert "also 0.5" not in line
