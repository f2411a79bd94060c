"""A shipped spec by name wherever a spec path is accepted, from any folder: after a
plain pip install there is no specs/ folder to point at."""

from __future__ import annotations

from pathlib import Path

import pytest

import zoo
from zoo.cli import main
from zoo.errors import SpecError
from zoo.spec.shipped import find_spec, specs_folder


@pytest.fixture
def empty_folder(tmp_path: Path, monkeypatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize("name", ["hello", "hello.yaml", "adding_lstm", "tagger_bigru"])
def test_a_name_is_the_shipped_spec(empty_folder: Path, name: str) -> None:
    stem = name.removesuffix(".yaml")
    assert find_spec(Path(name)) == specs_folder() / f"{stem}.yaml"
    assert zoo.load_spec(name) == zoo.load_spec(specs_folder() / f"{stem}.yaml")


def test_an_existing_path_wins_over_a_name(empty_folder: Path) -> None:
    (empty_folder / "hello").write_text("version: 1\n")
    assert find_spec(Path("hello")) == Path("hello")


def test_an_unknown_name_suggests_the_closest(empty_folder: Path, capsys) -> None:
    with pytest.raises(SpecError, match="did you mean the shipped spec 'adding_lstm'"):
        zoo.load_spec("adding_lstn")
    assert main(["show", "adding_lstn"]) == 2
    assert "no such file or shipped spec: adding_lstn" in capsys.readouterr().err


def test_a_name_with_a_folder_is_a_path(empty_folder: Path) -> None:
    with pytest.raises(SpecError, match=r"no such file: specs/hello\.yaml"):
        zoo.load_spec("specs/hello.yaml")


def test_the_commands_take_names(empty_folder: Path, capsys) -> None:
    assert main(["validate", "hello", "adding_sweep"]) == 0
    assert main(["show", "tagger_bigru"]) == 0
    assert "name: tagger_bigru" in capsys.readouterr().out
    assert main(["build", "hello", "-o", str(empty_folder / "hello.keras")]) == 0
    assert (empty_folder / "hello.keras").is_file()


@pytest.mark.slow
def test_train_by_name_reads_the_specs_own_data_files(empty_folder: Path) -> None:
    """hello's corpus is a file beside the shipped spec, not in the current folder."""
    code = main(["train", "hello", "--set", "train.epochs=1", "--runs", "runs", "-q"])
    assert code == 0
    (run,) = (empty_folder / "runs").iterdir()
    assert (run / "best.keras").is_file() or (run / "last.keras").is_file()
