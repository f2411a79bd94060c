"""The emoji names as a parallel corpus, and the references beside a translation model:
pairs read as the package gives them (no name twice, skin-tone variants out unless
asked for), chrF from sacrebleu, copy and nearest neighbour fitted on training alone."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from zoo.cli import main
from zoo.data.base import Context
from zoo.data.classical_translation import (
    CHRF,
    applies,
    chrf,
    scores,
    source_texts,
    target_texts,
)
from zoo.data.generators import padded, seq2seq_dataset
from zoo.data.tokens import END, START
from zoo.data.translation import EmojiNamesArgs, emoji_names, name_pairs
from zoo.errors import UserError


def test_names_are_pairs_of_readable_text_each_english_name_once() -> None:
    pairs = dict(name_pairs("fr"))
    assert pairs["1st place medal"] == "médaille d’or"
    assert len(pairs) == len(name_pairs("fr")) > 1900  # no English name twice
    assert not any("skin tone" in english for english in pairs)
    with_tones = dict(name_pairs("fr", skin_tones=True))
    assert len(with_tones) > len(pairs) + 1500
    assert with_tones["waving hand light skin tone"] == "signe de la main peau claire"


def test_an_unknown_language_is_one_line() -> None:
    with pytest.raises(UserError, match="'xx' is not a language of the emoji package; one of"):
        name_pairs("xx")


def test_the_dataset_reads_back_as_the_names() -> None:
    dataset = emoji_names.load(EmojiNamesArgs(language="de"), Context(0, Path()))
    pairs = name_pairs("de")
    assert applies(dataset)
    assert source_texts(dataset) == [english for english, _ in pairs]
    assert target_texts(dataset) == [german for _, german in pairs]
    assert dataset.vocabulary[-2:] == [START, END]
    # teacher forcing: each decoder input is the target a step behind the start token
    np.testing.assert_array_equal(dataset.x[1][:, 1:], dataset.y[:, :-1])


def corpus(pairs: list[tuple[str, str]]):
    """A character seq2seq dataset of ``pairs``, as the emoji_names source makes one."""
    source_vocabulary = ["", *sorted({c for s, _ in pairs for c in s})]
    vocabulary = ["", *sorted({c for _, t in pairs for c in t}), START, END]
    source = padded([[source_vocabulary.index(c) for c in s] for s, _ in pairs], 16)
    end = vocabulary.index(END)
    targets = padded([[*(vocabulary.index(c) for c in t), end] for _, t in pairs], 16)
    return seq2seq_dataset(source, targets, vocabulary, source_vocabulary)


def test_the_references_copy_and_retrieve_from_training_alone() -> None:
    train = corpus([("red apple", "pomme rouge"), ("green apple", "pomme verte"), ("cat", "chat")])
    test = corpus([("red apples", "pommes rouges"), ("cat", "chat")])
    scored = scores(test, train)
    assert scored["copy the source"][CHRF] == pytest.approx(
        chrf(["red apples", "cat"], ["pommes rouges", "chat"])
    )
    nearest = scored["nearest neighbour (character 1-3 grams)"][CHRF]
    # "red apples" is nearest "red apple": its translation, from training, not the test's own
    assert nearest == pytest.approx(chrf(["pomme rouge", "chat"], ["pommes rouges", "chat"]))
    assert nearest < 100
    assert chrf(["pommes rouges"], ["pommes rouges"]) == pytest.approx(100)


@pytest.mark.slow
def test_zoo_train_scores_decoded_names_beside_the_references(tmp_path: Path, capsys) -> None:
    runs = tmp_path / "runs"
    small = ["model.units=16", "train.epochs=1", "train.callbacks=[]"]
    argv = ["train", "emoji_translation", "--runs", str(runs), "-q"]
    assert main([*argv, *(a for change in small for a in ("--set", change))]) == 0
    out = capsys.readouterr().out
    assert "classical: copy the source: chrF" in out and "chrF" in out.split("test split")[1]
    (run,) = runs.iterdir()
    results = json.loads((run / "results.json").read_text())
    assert results["split"] == "test" and 0 <= results["metrics"][CHRF] <= 100
    assert set(results["classical"]) == {
        "copy the source",
        "nearest neighbour (character 1-3 grams)",
    }
    assert main(["generate", str(run), "--input", "red apple"]) == 0
    assert main(["evaluate", str(run)]) == 0
    assert f"{CHRF} " in capsys.readouterr().out
