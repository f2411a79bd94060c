"""The TF-IDF logistic regression set beside a text classifier: fitted on the training
split alone, scored by accuracy on the same examples as the model, printed by zoo train,
saved in results.json and shown as a row by zoo compare."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import zoo
from zoo.cli import main
from zoo.data import classical_text, references
from zoo.data.base import Dataset, RawText

TEXT = RawText(split="words", lowercase=True, length=20, min_count=1)
FILLER = ["the plot", "a cast", "this film", "its score", "the ending", "my evening"]


def labelled(sentences: list[str], labels: list[int]) -> Dataset:
    x = np.array(sentences, dtype=object)
    return Dataset(x, np.array(labels, "int32")[:, None], text=TEXT, classes=["neg", "pos"])


def corpus(seed: int, n: int, words: tuple[str, str] = ("dreadful", "superb")) -> Dataset:
    """Sentences whose class is told by one word among filler."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 2, n)
    sentences = [f"{rng.choice(FILLER)} was {words[y]} , {rng.choice(FILLER)}" for y in labels]
    return labelled(sentences, labels.tolist())


def test_it_learns_what_tells_the_classes_apart() -> None:
    scored = classical_text.scores(corpus(1, 50), corpus(0, 200))
    assert scored == {classical_text.NAME: {"accuracy": 1.0}}


def test_it_is_fitted_on_the_training_split_alone() -> None:
    """Words only the scored examples hold are not in its vocabulary, and their labels do
    not move its predictions: flipping them turns the accuracy into its complement."""
    train = corpus(0, 200)
    test = corpus(1, 50, words=("awful", "wonderful"))  # words training never saw
    fitted = classical_text.fitted(train)
    vocabulary = fitted.named_steps["tfidfvectorizer"].vocabulary_
    assert "awful" not in vocabulary and "wonderful" not in vocabulary
    accuracy = classical_text.scores(test, train)[classical_text.NAME]["accuracy"]
    flipped = labelled(list(test.x), (1 - test.y[:, 0]).tolist())
    assert classical_text.scores(flipped, train)[classical_text.NAME]["accuracy"] == pytest.approx(
        1 - accuracy
    )


def test_too_few_examples_of_a_class_leave_it_out() -> None:
    train = labelled(["good film"] * 10 + ["bad film"] * 2, [1] * 10 + [0] * 2)
    assert classical_text.scores(train, train) == {}


def test_only_labelled_text_gets_it() -> None:
    series = Dataset(np.zeros((10, 4, 1)), np.zeros((10, 1)))
    assert references.scores(series, series, None) == {}


@pytest.mark.slow
def test_zoo_train_prints_and_saves_it_and_compare_shows_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    monkeypatch.chdir(tmp_path)
    rng = np.random.default_rng(0)
    rows = [(f"{rng.choice(FILLER)} was {w}", w) for w in rng.choice(["superb", "dreadful"], 80)]
    (tmp_path / "reviews.csv").write_text(
        "text,label\n" + "\n".join(f"{t},{'pos' if w == 'superb' else 'neg'}" for t, w in rows)
    )
    assert main(["train", "sentiment_bilstm", "-q", "--set", "data.args.path=reviews.csv",
                 "--set", "train.epochs=1", "--set", "model.units=4"]) == 0  # fmt: skip
    printed = capsys.readouterr().out
    assert "classical: TF-IDF logistic regression: accuracy 1" in printed
    (run,) = (tmp_path / "runs").iterdir()
    saved = json.loads((run / "results.json").read_text())["classical"]
    assert saved == {classical_text.NAME: {"accuracy": 1.0}}
    assert not [row for row in zoo.compare([run]) if "classical" in str(row["run"])]
    assert main(["compare", str(run), "-o", "c.png"]) == 0
    assert "rank by a metric that measures it (--metric val_accuracy)" in capsys.readouterr().out
    rows = zoo.compare([run], metric="val_accuracy")
    assert rows[-1]["run"] == f"classical: {classical_text.NAME}"
    assert rows[-1]["test_accuracy"] == 1.0
