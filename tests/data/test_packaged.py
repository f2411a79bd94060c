"""The real data sets shipped inside sktime's wheel: shapes, log10 lynx counts whose
scaling is fitted on the training years alone, per-split baselines, and one line
naming the extra when sktime is missing."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from tests.zoo.test_cli import run
from zoo.catalog import specs_folder
from zoo.data import packaged
from zoo.data.base import Context, Dataset, split
from zoo.errors import SpecError, UserError

needs_sktime = pytest.mark.skipif(
    importlib.util.find_spec("sktime") is None,
    reason='the real data need the extra: pip install -e ".[real-data]"',
)

# specs/lynx_gru.yaml's split: 104 windows of 10 + 1 years, the last 14 for test
VALIDATION, TEST = 0.1, 0.135


def lynx(**args) -> Dataset:
    return packaged.lynx.load(packaged.LynxArgs(**args), Context(0, Path()))


def vowels() -> Dataset:
    return packaged.japanese_vowels.load(packaged.JapaneseVowelsArgs(), Context(0, Path()))


@needs_sktime
def test_lynx_windows_one_series_into_next_years() -> None:
    data = lynx()
    assert data.x.shape == (104, 10, 1) and data.x.dtype == np.float32
    assert data.y.shape == (104, 1) and data.y.dtype == np.float32
    np.testing.assert_array_equal(data.spans[:3], [[10, 11], [11, 12], [12, 13]])  # the years
    np.testing.assert_array_equal(data.x[1:, -1, 0], data.y[:-1, 0])  # next window, next year
    data = lynx(window=20, horizon=3, stride=2)
    assert data.x.shape == (46, 20, 1) and data.y.shape == (46, 3)


def lynx_counts():
    from sktime.datasets import load_lynx

    return load_lynx()


@needs_sktime
def test_lynx_is_log10_counts() -> None:
    expected = np.log10(lynx_counts().to_numpy())
    data = lynx()
    np.testing.assert_allclose(data.x[0, :, 0], expected[:10], rtol=1e-6)
    np.testing.assert_allclose(data.y[:, 0], expected[10:], rtol=1e-6)


@needs_sktime
def test_lynx_test_years_do_not_shape_the_scaling(monkeypatch) -> None:
    from zoo.data.preprocessing import fit_preprocessing
    from zoo.spec.loading import load_spec

    spec = load_spec(specs_folder() / "lynx_gru.yaml")
    before = fit_preprocessing(spec, split(lynx(), VALIDATION, TEST, 0).train)
    changed = lynx_counts()
    changed.iloc[-14:] *= 100  # the test years only
    monkeypatch.setattr(
        packaged, "_sktime_datasets", lambda name: SimpleNamespace(load_lynx=lambda: changed)
    )
    after = split(lynx(), VALIDATION, TEST, 0)
    assert before is not None and before == fit_preprocessing(spec, after.train)
    assert before != fit_preprocessing(spec, lynx())  # the whole series would differ


@needs_sktime
def test_each_lynx_split_scores_persistence_on_its_own_years() -> None:
    splits = split(lynx(), VALIDATION, TEST, 0)
    assert (len(splits.train), len(splits.validation), len(splits.test)) == (80, 10, 14)
    for part in (splits.train, splits.validation, splits.test):
        persistence = np.mean((part.y[:, 0] - part.x[:, -1, 0]) ** 2)
        assert splits.baseline(part) == {"mse of persistence": pytest.approx(persistence, rel=1e-5)}
    assert splits.baseline(splits.test) != splits.baseline(splits.train)


def test_lynx_window_must_fit_the_series() -> None:
    with pytest.raises(ValueError, match="longer than the 114 years of the series"):
        packaged.LynxArgs(window=110, horizon=5)


@needs_sktime
def test_too_few_lynx_windows_for_the_split_is_a_spec_error() -> None:
    with pytest.raises(SpecError, match="1 examples cannot be split into train/validation/test"):
        split(lynx(window=110, horizon=4), VALIDATION, TEST, 0)  # one window


@needs_sktime
def test_japanese_vowels_are_right_aligned_frames_and_speaker_ids() -> None:
    data = vowels()
    assert data.x.shape == (640, 29, 12) and data.x.dtype == np.float32
    assert data.y.shape == (640, 1) and data.y.dtype == np.int32
    frames = np.any(data.x != 0, axis=-1)
    lengths = frames.sum(axis=1)
    assert lengths.min() == 7 and lengths.max() == 29
    # padding in front, then every frame of the utterance
    np.testing.assert_array_equal(frames, np.arange(29) >= 29 - lengths[:, None])
    # 30 training utterances per speaker, then the archive's test counts
    test_counts = np.array([31, 35, 88, 44, 29, 24, 40, 50, 29])
    np.testing.assert_array_equal(np.bincount(data.y[:, 0]), 30 + test_counts)


@needs_sktime
def test_japanese_vowels_baseline_is_the_commonest_speaker_per_split() -> None:
    data = vowels()
    assert data.baseline(data) == {"accuracy of predicting the commonest class": 118 / 640}
    splits = split(data, 0.15, 0.2, 0)
    commonest = np.bincount(splits.train.y[:, 0]).argmax()  # of the training split alone
    expected = np.mean(splits.test.y[:, 0] == commonest)
    assert splits.baseline(splits.test) == {"accuracy of predicting the commonest class": expected}


@pytest.fixture
def without_sktime(monkeypatch):
    """Imports of sktime fail as they do when it is not installed."""
    for name in [m for m in sys.modules if m == "sktime" or m.startswith("sktime.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "sktime", None)


@pytest.mark.parametrize("source", ["lynx", "japanese_vowels"])
def test_without_the_extra_one_line_names_it(without_sktime, source: str) -> None:
    data_source = getattr(packaged, source)
    with pytest.raises(UserError) as caught:
        data_source.load(data_source.Args(), Context(0, Path()))
    message = str(caught.value)
    assert message == (
        f"the {source} data set ships with sktime, an optional extra: "
        'pip install "rnn-spec-zoo[real-data]"'
    )


@pytest.mark.slow
def test_zoo_train_without_the_extra_exits_2_with_one_line(
    without_sktime, capsys, tmp_path: Path
) -> None:
    spec = specs_folder() / "lynx_gru.yaml"
    code, out, err = run(capsys, "train", spec, "--runs", tmp_path)
    assert (code, out) == (2, "")
    assert err.splitlines() == [
        "error: the lynx data set ships with sktime, an optional extra: "
        'pip install "rnn-spec-zoo[real-data]"'
    ]
    assert not any(tmp_path.iterdir())  # stopped before a run folder was made
