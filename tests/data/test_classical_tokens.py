"""The n-gram models set beside a language model: proper distributions, counted on the
training split's text once however its windows overlap, scored by the model's own
per-token cross-entropy, and printed and saved by zoo train."""

from __future__ import annotations

import json
import math
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from zoo.cli import main
from zoo.data.base import Dataset
from zoo.data.classical_tokens import NGram, scores

VOCABULARY = ["", "a", "b", "c", "d"]


def windows(tokens: list[int], length: int, stride: int) -> Dataset:
    """A text's next-token windows, as the text source cuts them."""
    ids = np.array(tokens, "int32")
    starts = np.arange(0, len(ids) - length, stride)
    steps = starts[:, None] + np.arange(length)
    spans = np.stack([starts + 1, starts + length + 1], axis=1)
    return Dataset(ids[steps], ids[steps + 1], VOCABULARY, spans=spans)


CYCLE = [1, 2, 3] * 40  # a b c a b c ...


@pytest.mark.parametrize("history", [(), (1,), (1, 2), (4, 4), (3, 1, 2, 3)])
def test_every_history_gives_a_distribution_over_the_vocabulary(history: tuple) -> None:
    model = NGram(3, len(VOCABULARY) - 1).fit(windows(CYCLE, 8, 4))
    total = sum(model.probability(history, token) for token in range(1, len(VOCABULARY)))
    assert total == pytest.approx(1.0)
    assert model.probability(history, 4) > 0  # d never follows anything, and keeps a share


def test_a_trigram_predicts_a_cycle_and_a_unigram_cannot() -> None:
    train, test = windows(CYCLE, 8, 1), windows(CYCLE[:30], 8, 1)
    found = scores(test, train)
    assert found["3-gram"]["crossentropy"] < 0.1 < math.log(3) - 0.01
    assert NGram(1, 4).fit(train).cross_entropy(test) == pytest.approx(math.log(3), abs=0.05)


def test_overlapping_windows_count_the_text_once() -> None:
    """Windows one token apart share most targets; each of the text's tokens counts once,
    as a text read straight through would count it."""
    text = [int(t) for t in np.random.default_rng(0).integers(1, 5, 301)]
    model = NGram(3, 4).fit(windows(text, 10, 1))
    assert model.unigrams == Counter(text[1:])
    for a, b in [(1, 2), (3, 3), (4, 1)]:
        following = Counter(text[i + 2] for i in range(len(text) - 2) if text[i : i + 2] == [a, b])
        assert model.counts[(a, b)] == following


def test_padding_is_neither_history_nor_target() -> None:
    data = Dataset(
        np.array([[1, 2, 0, 0]], "int32"),
        np.array([[2, 3, 0, 0]], "int32"),
        VOCABULARY,
        weights=np.array([[1, 1, 0, 0]], "float32"),
    )
    model = NGram(3, 4).fit(data)
    assert model.unigrams == {2: 1, 3: 1}
    assert set(model.counts) == {(1,), (2,), (1, 2)}


@pytest.mark.slow
def test_zoo_train_prints_and_saves_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "cycle.txt").write_text("abc" * 200)
    overrides = ["data.args.path=cycle.txt", "data.test=0.2", "data.validation=0", "train.epochs=1"]
    assert main(["train", "hello", "-q", *(a for o in overrides for a in ("--set", o))]) == 0
    printed = capsys.readouterr().out
    assert "classical: 3-gram: crossentropy" in printed
    (run,) = (tmp_path / "runs").iterdir()
    saved = json.loads((run / "results.json").read_text())["classical"]
    assert set(saved) == {"3-gram", "5-gram"} and saved["3-gram"]["crossentropy"] < 0.1
