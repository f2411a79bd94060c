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
