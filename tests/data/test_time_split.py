"""Windows of one series or text are split by time, and no target row is in two splits:
overlapping windows split by example would score the model on rows it trained on."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest

from zoo.data.base import Context, split
from zoo.data.files import TextArgs, text
from zoo.data.generators import forecast
from zoo.errors import SpecError


def target_rows(spans: np.ndarray) -> set[int]:
    return {row for first, end in spans for row in range(first, end)}


def assert_no_target_shared(splits) -> None:
    parts = [p for p in (splits.train, splits.validation, splits.test) if p is not None]
    for i, one in enumerate(parts):
        for other in parts[i + 1 :]:
            assert not target_rows(one.spans) & target_rows(other.spans)
    # and they come in time order: validation after training, test after validation
    for earlier, later in itertools.pairwise(parts):
        assert earlier.spans[:, 1].max() <= later.spans[:, 0].min()


def test_a_twelve_step_horizon_shares_no_target_row() -> None:
    series = np.arange(200, dtype="float64")[:, None]
    data = forecast(series, series, 24, 12, 1)
    splits = split(data, 0.1, 0.2, seed=0)
    assert_no_target_shared(splits)
    # eleven windows straddle each of the two cuts
    assert splits.dropped == 2 * 11
    assert len(splits.train) + len(splits.validation) + len(splits.test) == len(data) - 22
    # a validation window reads its inputs from before the cut, as a forecast would
    first_validation = splits.validation.spans[0, 0]
    assert splits.validation.x[0, 0, 0] < first_validation
    np.testing.assert_array_equal(splits.validation.y[0], np.arange(12) + first_validation)


def test_character_windows_share_no_target_character(tmp_path: Path) -> None:
    corpus = "".join(chr(97 + (i * 7) % 26) for i in range(3000))
    (tmp_path / "corpus.txt").write_text(corpus)
    args = TextArgs(path="corpus.txt", length=64, stride=3)
    data = text.load(args, Context(0, tmp_path))
    splits = split(data, 0.1, 0.1, seed=0)
    assert_no_target_shared(splits)
    assert splits.dropped == 2 * 21  # ceil(63 / 3) windows straddle each cut
    # each window's targets are the corpus's characters at its span
    ids = {c: i for i, c in enumerate(data.vocabulary)}
    first, end = splits.test.spans[0]
    assert list(splits.test.y[0]) == [ids[c] for c in corpus[first:end]]


def test_a_split_too_small_for_one_window_says_so() -> None:
    series = np.arange(40, dtype="float64")[:, None]
    with pytest.raises(SpecError, match="the validation split holds no window whose targets"):
        split(forecast(series, series, 4, 12, 1), 0.1, 0.2, seed=0)


def test_independent_examples_are_still_shuffled() -> None:
    from zoo.data.base import Dataset

    data = Dataset(np.arange(100)[:, None], np.arange(100)[:, None])
    splits = split(data, 0.1, 0.1, seed=0)
    assert splits.dropped == 0 and len(splits.train) == 80
    assert not np.array_equal(np.sort(splits.train.y[:, 0]), np.arange(80))


def test_a_held_out_text_scores_each_character_once_with_the_longest_past(
    tmp_path: Path,
) -> None:
    """Windows 3 characters apart held each test character in ~21 windows, scored in all:
    most often after fewer characters of context than a window gives, none at its start."""
    corpus = "".join(chr(97 + (i * 7) % 26) for i in range(3000))
    (tmp_path / "corpus.txt").write_text(corpus)
    data = text.load(TextArgs(path="corpus.txt", length=64, stride=3), Context(0, tmp_path))
    splits = split(data, 0.1, 0.1, seed=0)
    for held_out in (splits.validation, splits.test):
        rows = held_out.spans[:, :1] + np.arange(64)
        scored = rows[held_out.scored]
        assert sorted(scored) == sorted(target_rows(held_out.spans))  # each once
        past = np.broadcast_to(np.arange(64), rows.shape)[held_out.scored]  # characters read
        assert (past[64:] >= 64 - 3).all()  # beyond the first window: 61 or more
    assert splits.train.scored.all()  # training learns from short contexts too


def test_a_language_models_baselines_score_the_targets_the_model_scores(
    tmp_path: Path,
) -> None:
    from zoo.data.classical_tokens import NGram

    corpus = "".join(chr(97 + (i * i) % 11) for i in range(2000))
    (tmp_path / "corpus.txt").write_text(corpus)
    data = text.load(TextArgs(path="corpus.txt", length=20, stride=5), Context(0, tmp_path))
    splits = split(data, 0.1, 0.2, seed=0)
    test, train = splits.test, splits.train
    counts = np.bincount(train.y.ravel(), minlength=len(train.vocabulary))[1:] + 1.0
    frequency = counts / counts.sum()
    once = -np.log(frequency[test.y[test.scored] - 1]).mean()
    (name,) = test.baseline(train)
    assert test.baseline(train)[name] == pytest.approx(once)
    unigram = NGram(1, len(train.vocabulary) - 1).fit(train)
    assert unigram.cross_entropy(test) == pytest.approx(
        np.mean([-np.log(unigram.probability((), int(t))) for t in test.y[test.scored]])
    )


def test_a_cut_moves_on_to_the_next_break_so_no_group_is_split() -> None:
    """Pieces that must stay together (a tune's settings) begin at breaks: the cuts move
    on to them, and each group's targets lie in one split."""
    from dataclasses import replace

    from zoo.data.files import next_token_windows

    tokens = np.arange(1, 1001, dtype="int32") % 7 + 1
    breaks = np.array([0, 130, 420, 760, 800, 905])
    data = replace(next_token_windows(tokens, list("_abcdefg"), 10, 2, "token"), breaks=breaks)
    splits = split(data, 0.1, 0.1, seed=0)
    assert_no_target_shared(splits)
    groups = np.searchsorted(breaks, np.arange(1001), side="right")  # each row's group
    held = [
        {int(g) for g in groups[rows[part.scored]]}
        for part in (splits.train, splits.validation, splits.test)
        for rows in [part.spans[:, :1] + np.arange(10)]
    ]
    # by counts, the cuts would fall at rows 795 and 893, inside groups 4 and 5
    assert held == [{1, 2, 3, 4}, {5}, {6}]
