"""A file named by an override is where the user stands; a file named in a spec file is
beside that file. So `zoo train sentiment_bilstm --set data.args.path=reviews.csv`
reads ./reviews.csv, though the shipped spec lives inside the installed package."""

from __future__ import annotations

from pathlib import Path

import pytest

from zoo.data import load_splits
from zoo.spec.loading import load_spec
from zoo.spec.shipped import spec_folder

ROWS = ["text,label", *(f"sentence number {i},{'ab'[i % 2]}" for i in range(20))]


def test_an_override_path_is_relative_to_the_current_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "reviews.csv").write_text("\n".join(ROWS) + "\n")
    monkeypatch.chdir(tmp_path)
    spec = load_spec("sentiment_bilstm", {"data.args.path": "reviews.csv"})
    assert spec.data.args["path"] == str(tmp_path / "reviews.csv")
    splits = load_splits(spec, spec_folder("sentiment_bilstm"))
    assert splits.train.classes == ["a", "b"]
    assert len(splits.train) + len(splits.validation) + len(splits.test) == 20


def test_a_path_in_a_spec_file_is_relative_to_its_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "project").mkdir()
    (tmp_path / "project" / "reviews.csv").write_text("\n".join(ROWS) + "\n")
    spec_file = tmp_path / "project" / "spec.yaml"
    spec_file.write_text(
        Path(spec_folder("sentiment_bilstm") / "sentiment_bilstm.yaml")
        .read_text()
        .replace("path: data/sentiment_sample.csv", "path: reviews.csv")
    )
    monkeypatch.chdir(tmp_path)
    spec = load_spec(spec_file)
    assert spec.data.args["path"] == "reviews.csv"
    assert len(load_splits(spec, spec_folder(spec_file)).train) > 0


def test_a_long_override_is_echoed_on_one_line(tmp_path: Path, monkeypatch, capsys) -> None:
    """The anchored path is long; YAML once folded it over two lines of the error."""
    from zoo.cli import main

    monkeypatch.chdir(tmp_path)
    assert main(["validate", "adding_sweep", "--set", f"data.args.path={'x' * 100}"]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith(f"error: --set data.args.path={tmp_path}/{'x' * 100}: ")
