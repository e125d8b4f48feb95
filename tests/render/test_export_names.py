"""Messages that suggest the right fix (issue 25): a legal long file name is written (its
temporary name is kept short), and ``x.svg/`` is refused as a folder name, not written as a file."""
from graphviz_nn.cli import main


def test_a_legal_254_character_name_is_written(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    name = "a" * 250 + ".svg"
    assert len(name) == 254
    assert main(["render", "sigmoid-neuron", "-o", name]) == 0
    assert (tmp_path / name).read_bytes().startswith(b"<?xml") or b"<svg" in (tmp_path / name).read_bytes()
    assert [p.name for p in tmp_path.iterdir()] == [name]  # no temporary file left


def test_a_name_ending_in_a_slash_is_refused(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["render", "sigmoid-neuron", "-o", "x.svg/"]) == 2
    err = capsys.readouterr().err
    assert "names a folder" in err and "'x.svg'" in err and len(err.strip().splitlines()) == 1
    assert list(tmp_path.iterdir()) == []


def test_a_long_frames_folder_name_is_staged_beside_it(tmp_path):
    from graphviz_nn import Value
    from graphviz_nn.render.frame_set import write_frames
    folder = tmp_path / ("f" * 250)
    x = Value(2.0, label="x")
    written = write_frames(x * x, folder)
    assert sorted(p.name for p in folder.iterdir()) == sorted([f.file for f in written] + ["index.json"])
    assert [p.name for p in tmp_path.iterdir()] == [folder.name]


def test_a_4500_digit_integer_is_named_by_its_length_not_pythons_text(tmp_path, refused):
    path = tmp_path / "long.toml"
    path.write_text('id = "c"\ntitle = "t"\nkind = "expression"\nexplanation = "x"\n[leaves]\n'
                    f'x = {"9" * 4500}\n[outputs]\nf = "x"\n')
    result = refused("show", path)
    result.assert_one_sentence("line 6", "a number 4,500 digits long")
    assert "conversio" not in result.stderr and "4300" not in result.stderr
