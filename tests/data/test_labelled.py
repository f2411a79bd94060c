"""text_classes: word ids and class ids from a labelled CSV."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pydantic
import pytest
import tensorflow as tf

import zoo
from custom_layers.text import TextIds, split_text
from zoo.data.base import Context, Numbering, RawText
from zoo.data.labelled import TextClassesArgs, text_classes
from zoo.data.preprocessing import fit_vocabulary
from zoo.errors import SpecError

CSV = """text,label,source
"Good film, good cast!",pos,a
Bad film.,neg,b
"good, GOOD, good",pos,c
"""


SPEC = {
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


def load(tmp_path: Path, content: str = CSV, **args) -> object:
    (tmp_path / "reviews.csv").write_text(content)
    parsed = TextClassesArgs.model_validate({"path": "reviews.csv", **args})
    return text_classes.load(parsed, Context(seed=0, folder=tmp_path))


def test_tokenize_splits_words_and_punctuation() -> None:
    def words(text: str, lowercase: bool = True, split: str = "words") -> list[str]:
        (row,) = split_text([text], split, lowercase).to_list()
        return [token.decode("utf-8") for token in row]

    assert words("Don't stop, NOW!") == ["don't", "stop", ",", "now", "!"]
    assert words("Now", lowercase=False) == ["Now"]
    # the same tokens as Python's Unicode-aware r"[\w']+|[^\w\s]" on the lowercased text
    for text in ["Été  à\u00a0Paris...", "a.b 1/2 ''x", "naïve café_au-lait?!", " \t "]:
        assert words(text) == re.findall(r"[\w']+|[^\w\s]", text.lower())
    assert words("1/2 dogs.", split="spaces") == ["1/2", "dogs."]


def test_texts_and_class_ids(tmp_path: Path) -> None:
    data = load(tmp_path, length=5)
    assert list(data.x) == ["Good film, good cast!", "Bad film.", "good, GOOD, good"]
    assert data.text == RawText("words", True, 5, 1) and data.classes == ["neg", "pos"]
    np.testing.assert_array_equal(data.y, [[1], [0], [1]])  # classes sorted: neg = 0, pos = 1
    assert data.baseline(data) == {
        "accuracy of predicting the commonest class": pytest.approx(2 / 3)
    }


def test_a_trained_models_classes_number_a_new_file(tmp_path: Path) -> None:
    """A file of one class is numbered by the model's classes, not afresh (where the
    one class it holds would become class 0)."""
    known = Numbering(classes=["neg", "pos"])
    (tmp_path / "positive.csv").write_text("text,label\ngreat,pos\nfine,pos\n")
    parsed = TextClassesArgs.model_validate({"path": "positive.csv"})
    data = text_classes.load(parsed, Context(0, tmp_path, known))
    np.testing.assert_array_equal(data.y, [[1], [1]])
    assert data.classes == ["neg", "pos"]
    (tmp_path / "other.csv").write_text("text,label\ngreat,pos\nmeh,neutral\n")
    other = TextClassesArgs.model_validate({"path": "other.csv"})
    with pytest.raises(SpecError, match=r"other.csv has 1 label the model was not trained on"):
        text_classes.load(other, Context(0, tmp_path, known))


VOCABULARY_SPEC = {**SPEC, "inputs": {"vocab_size": 5, "embedding": {"dim": 4}}}


def test_vocabulary_is_fitted_on_the_training_split(tmp_path: Path) -> None:
    spec = zoo.load_spec(
        {**VOCABULARY_SPEC, "data": {**SPEC["data"], "args": {"path": "reviews.csv"}}}
    )
    data = load(tmp_path, length=5)
    # "good" x5, "," x3, "film" x2, then ties in first-seen order: "cast", "!", ...
    assert fit_vocabulary(spec, data).tokens == ["", "[UNK]", "good", ",", "film"]
    # without the first review, "cast" and "!" are gone, and "bad" is seen first
    assert fit_vocabulary(spec, data.take(np.array([1, 2]))).tokens == [
        "",
        "[UNK]",
        "good",
        ",",
        "bad",
    ]


def test_the_vocabulary_size_is_stated_once(tmp_path: Path) -> None:
    """inputs.vocab_size alone sizes the vocabulary: a corpus with more words fills it,
    one with fewer leaves rows unused; no second size in data.args cuts it."""
    spec = zoo.load_spec(SPEC)  # inputs.vocab_size 50
    data = load(tmp_path)
    tokens = fit_vocabulary(spec, data).tokens
    assert tokens[2:] == ["good", ",", "film", "cast", "!", "bad", "."]  # every token
    assert len(fit_vocabulary(zoo.load_spec(SPEC, {"inputs.vocab_size": 4}), data).tokens) == 4
    with pytest.raises(pydantic.ValidationError, match="vocab_size"):
        TextClassesArgs.model_validate({"path": "reviews.csv", "vocab_size": 200})


def test_min_count_leaves_rare_words_unknown(tmp_path: Path) -> None:
    spec = zoo.load_spec(SPEC)
    data = load(tmp_path, min_count=2)
    assert fit_vocabulary(spec, data).tokens == ["", "[UNK]", "good", ",", "film"]


def test_training_texts_longer_than_length_are_counted(tmp_path: Path) -> None:
    spec = zoo.load_spec(SPEC)
    vocabulary = fit_vocabulary(spec, load(tmp_path, length=4))
    assert (vocabulary.cut, vocabulary.texts) == (2, 3)
    assert vocabulary.note() == (
        "2 of 3 training texts (67%) are longer than data.args.length 4 tokens; the model "
        "reads the first 4 of each"
    )
    assert fit_vocabulary(spec, load(tmp_path, length=6)).note() is None


def test_the_model_reads_ids_as_the_old_python_pipeline_did(tmp_path: Path) -> None:
    """The TextIds layer cuts at ``length``, pads with 0 and maps unknown words to 1."""
    spec = zoo.load_spec(
        {**VOCABULARY_SPEC, "data": {**SPEC["data"], "args": {"path": "reviews.csv"}}}
    )
    data = load(tmp_path, length=5)
    vocabulary = fit_vocabulary(spec, data)
    layer = TextIds(vocabulary.tokens, 5, "words", True)
    np.testing.assert_array_equal(
        layer(tf.constant(list(data.x))),
        [[2, 4, 3, 2, 1], [1, 4, 1, 0, 0], [2, 3, 2, 3, 2]],
    )


def test_columns_by_index_and_errors(tmp_path: Path) -> None:
    data = load(tmp_path, text=0, label=2)
    np.testing.assert_array_equal(data.y, [[0], [1], [2]])
    with pytest.raises(
        SpecError, match=r"reviews.csv has no column 'review'; available: text, label"
    ):
        load(tmp_path, text="review")
    with pytest.raises(SpecError, match="needs a header row and at least one example"):
        load(tmp_path, "text,label\n")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('text,label\n"good",pos\n  ,neg\n', r"reviews.csv:3: the text column \('text'\) is empty"),
        ("text,label\ngood,pos\nbad,\n", r"reviews.csv:3: the label column \('label'\) is empty"),
    ],
)
def test_an_empty_cell_is_named_by_its_line(tmp_path: Path, content: str, message: str) -> None:
    with pytest.raises(SpecError, match=message) as raised:
        load(tmp_path, content)
    (problem,) = raised.value.problems
    assert problem.path in ("data.args.text", "data.args.label")


def test_tagged_text(tmp_path: Path) -> None:
    from zoo.data.labelled import TaggedTextArgs, tagged_text

    (tmp_path / "tags.txt").write_text("The/DET cat/NOUN sat/VERB\n\nA/DET 1/2/NUM cat/NOUN\n")
    args = TaggedTextArgs.model_validate({"path": "tags.txt", "length": 4})
    data = tagged_text.load(args, Context(seed=0, folder=tmp_path))
    assert list(data.x) == ["The cat sat", "A 1/2 cat"] and data.text.split == "spaces"
    assert data.classes == ["DET", "NOUN", "NUM", "VERB"]
    np.testing.assert_array_equal(data.y, [[0, 1, 3, 0], [0, 2, 1, 0]])  # DET NOUN NUM VERB
    # padding is id 0 (DET) too, but weighs nothing: neither trained on nor scored
    np.testing.assert_array_equal(data.weights, [[1, 1, 1, 0], [1, 1, 1, 0]])
    assert data.baseline(data) == {
        "accuracy of tagging every token with the commonest tag": pytest.approx(2 / 6)
    }
    # the commonest tag of the training split alone: NOUN in the second sentence
    first, second = data.take(np.array([0])), data.take(np.array([1]))
    assert second.baseline(first) == {
        "accuracy of tagging every token with the commonest tag": pytest.approx(1 / 3)
    }
    (tmp_path / "bad.txt").write_text("The/DET cat\n")
    bad = TaggedTextArgs.model_validate({"path": "bad.txt"})
    with pytest.raises(SpecError, match=r"bad.txt:1: 'cat' is not word/TAG"):
        tagged_text.load(bad, Context(seed=0, folder=tmp_path))


def test_class_ids_must_fit_the_head(tmp_path: Path) -> None:
    from zoo.data import load_splits

    (tmp_path / "reviews.csv").write_text(CSV)
    with pytest.raises(SpecError, match=r"has 3 classes \(ids up to 2\), but the head has 1 "):
        load_splits(zoo.load_spec(SPEC), tmp_path)
