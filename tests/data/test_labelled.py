"""text_classes: word ids and class ids from a labelled CSV."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from zoo.data.base import Context
from zoo.data.labelled import TextClassesArgs, text_classes, tokenize
from zoo.errors import SpecError

CSV = """text,label,source
"Good film, good cast!",pos,a
Bad film.,neg,b
"good, GOOD, good",pos,c
"""


def load(tmp_path: Path, content: str = CSV, **args) -> object:
    (tmp_path / "reviews.csv").write_text(content)
    parsed = TextClassesArgs.model_validate({"path": "reviews.csv", **args})
    return text_classes.load(parsed, Context(seed=0, folder=tmp_path))


def test_tokenize_splits_words_and_punctuation() -> None:
    assert tokenize("Don't stop, NOW!", lowercase=True) == ["don't", "stop", ",", "now", "!"]
    assert tokenize("Now", lowercase=False) == ["Now"]


def test_word_and_class_ids(tmp_path: Path) -> None:
    data = load(tmp_path, length=5, vocab_size=5)
    # "good" x5, "," x3, "film" x2, then ties in first-seen order: "cast", "!", ...
    assert data.vocabulary == ["", "[UNK]", "good", ",", "film"]
    np.testing.assert_array_equal(
        data.x,
        [[2, 4, 3, 2, 1], [1, 4, 1, 0, 0], [2, 3, 2, 3, 2]],  # cut at 5, unknown = 1, pad = 0
    )
    np.testing.assert_array_equal(data.y, [[1], [0], [1]])  # classes sorted: neg = 0, pos = 1
    assert data.baseline == {"accuracy of predicting the commonest class": pytest.approx(2 / 3)}


def test_columns_by_index_and_errors(tmp_path: Path) -> None:
    data = load(tmp_path, text=0, label=2)
    np.testing.assert_array_equal(data.y, [[0], [1], [2]])
    with pytest.raises(
        SpecError, match=r"reviews.csv has no column 'review'; available: text, label"
    ):
        load(tmp_path, text="review")
    with pytest.raises(SpecError, match="needs a header row and at least one example"):
        load(tmp_path, "text,label\n")


def test_tagged_text(tmp_path: Path) -> None:
    from zoo.data.labelled import TaggedTextArgs, tagged_text

    (tmp_path / "tags.txt").write_text("The/DET cat/NOUN sat/VERB\n\nA/DET 1/2/NUM cat/NOUN\n")
    args = TaggedTextArgs.model_validate({"path": "tags.txt", "length": 4})
    data = tagged_text.load(args, Context(seed=0, folder=tmp_path))
    assert data.vocabulary == ["", "[UNK]", "cat", "the", "sat", "a", "1/2"]
    np.testing.assert_array_equal(data.x, [[3, 2, 4, 0], [5, 6, 2, 0]])
    np.testing.assert_array_equal(data.y, [[0, 1, 3, 0], [0, 2, 1, 0]])  # DET NOUN NUM VERB
    assert data.baseline == {
        "accuracy of tagging every token with the commonest tag": pytest.approx(2 / 6)
    }
    (tmp_path / "bad.txt").write_text("The/DET cat\n")
    bad = TaggedTextArgs.model_validate({"path": "bad.txt"})
    with pytest.raises(SpecError, match=r"bad.txt:1: 'cat' is not word/TAG"):
        tagged_text.load(bad, Context(seed=0, folder=tmp_path))


def test_class_ids_must_fit_the_head(tmp_path: Path) -> None:
    import zoo
    from zoo.data import load_splits

    (tmp_path / "reviews.csv").write_text(CSV)
    spec = {
        "version": 1,
        "name": "t",
        "architecture": "many_to_one",
        "cell": "gru",
        "inputs": {"vocab_size": 50, "embedding": {"dim": 4}},
        "model": {"units": 4},
        "outputs": {"units": 1, "activation": "softmax"},
        "data": {
            "source": "text_classes",
            "validation": 0,
            "test": 0,
            "args": {"path": "reviews.csv", "label": "source"},
        },
    }
    with pytest.raises(SpecError, match=r"has 3 classes \(ids up to 2\), but the head has 1 "):
        load_splits(zoo.load_spec(spec), tmp_path)
