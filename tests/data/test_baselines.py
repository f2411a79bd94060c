"""A trivial predictor scored per split: each split's baseline is that of its own
examples, for every source."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from zoo.data.base import Context, Dataset, Naive, accuracy, commonest_class, split
from zoo.data.generators import forecast


def test_the_commonest_class_is_the_training_splits() -> None:
    """Fitted on the training split alone: the test split's own commonest class (2)
    would score 1.0 there, and the baseline would have seen the test split's answers."""
    y = np.array([[0], [0], [0], [1], [2], [2]], dtype="int32")
    data = Dataset(np.zeros((6, 3), dtype="float32"), y, naive=commonest_class())
    train, test = data.take(np.array([0, 1, 2, 3])), data.take(np.array([4, 5]))
    name = "accuracy of predicting the commonest class"
    assert test.baseline(train) == {name: 0.0}
    assert train.baseline(train) == {name: 0.75}
    assert data.take(np.array([0, 3])).baseline(train) == {name: 0.5}


def test_a_dataset_without_a_naive_predictor_has_no_baseline() -> None:
    data = Dataset(np.zeros((4, 1)), np.zeros((4, 1)))
    assert data.take(np.array([1])).baseline(data) == {}


# Each source with a trivial predictor, and an argument that changes what it scores.
SOURCES = [
    ("adding", {"samples": 200, "length": 10}),
    ("copy_memory", {"samples": 100, "delay": 5, "copy_length": 3}),
    ("reber", {"samples": 100}),
    ("reversal", {"samples": 200, "length": 5}),
    ("addition", {"samples": 200, "digits": 2}),
    ("trajectories", {"samples": 100, "steps": 5}),
    ("clusters", {"samples": 200}),
    ("sine", {"series_length": 400}),
]


@pytest.mark.parametrize(("source", "args"), SOURCES)
def test_every_generator_scores_its_baseline_on_each_split(source: str, args: dict) -> None:
    """One mechanism for every source: the baseline of a split is that of its own
    examples, so the test split's is the one printed beside the test metrics."""
    from zoo.registry import DATASETS

    generator = DATASETS[source].load()
    data = generator.load(generator.Args(**args), Context(0, Path()))
    assert data.naive is not None, source
    splits = split(data, 0.0, 0.5, seed=0)
    (name,) = splits.baseline(splits.train)
    scores = [splits.baseline(splits.train)[name], splits.baseline(splits.test)[name]]
    if source != "copy_memory":  # the memoryless guess scores the same on any examples
        assert scores[0] != pytest.approx(scores[1], rel=1e-6)


@pytest.mark.parametrize(("source", "args"), SOURCES)
def test_no_baseline_is_fitted_on_more_than_the_training_split(source: str, args: dict) -> None:
    from zoo.registry import DATASETS

    generator = DATASETS[source].load()
    data = generator.load(generator.Args(**args), Context(0, Path()))
    fitted_on = []
    if data.naive.fit is not None:
        fit = data.naive.fit
        data.naive = replace(data.naive, fit=lambda train: fitted_on.append(train) or fit(train))
    splits = split(data, 0.2, 0.3, seed=0)
    for part in (splits.train, splits.validation, splits.test):
        splits.baseline(part)
    assert all(train is splits.train for train in fitted_on)
    assert (data.naive.fit is None) == (data.naive.given is not None)


def test_persistence_is_scored_on_each_split_of_a_series() -> None:
    series = np.array([0.0, 1, 0, 1, 0, 1, 0, 5, 0, 5])[:, None]  # calm, then wild
    splits = split(forecast(series, series, 2, 1, 1), validation=0.0, test=0.375, seed=0)
    assert splits.baseline(splits.train) == {"mse of persistence": 1.0}
    assert splits.baseline(splits.test) == {"mse of persistence": 25.0}


def test_naive_scores_accuracy_of_its_own_predictions() -> None:
    naive = Naive("hits", accuracy, given=np.array([1, 2, 3]))
    data = Dataset(np.zeros((3, 1)), np.array([1, 0, 3]), naive=naive)
    assert data.baseline(data) == {"hits": pytest.approx(2 / 3)}
