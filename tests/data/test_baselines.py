"""A trivial predictor scored per split: each split's baseline is that of its own
examples, for every source."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from zoo.data.base import Context, Dataset, Naive, accuracy, commonest_class, split
from zoo.data.generators import forecast


def test_take_rescores_the_naive_predictor_on_the_examples_taken() -> None:
    y = np.array([[0], [0], [1], [2], [2], [2]], dtype="int32")
    data = Dataset(np.zeros((6, 3), dtype="float32"), y, naive=commonest_class(y))
    assert data.baseline == {"accuracy of predicting the commonest class": 0.5}
    assert data.take(np.array([3, 4])).baseline == {
        "accuracy of predicting the commonest class": 1.0
    }
    assert data.take(np.array([0, 1, 2])).take(np.array([2])).baseline == {
        "accuracy of predicting the commonest class": 0.0
    }


def test_a_dataset_without_a_naive_predictor_has_no_baseline() -> None:
    assert Dataset(np.zeros((4, 1)), np.zeros((4, 1))).take(np.array([1])).baseline == {}


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
    (name,) = data.baseline
    parts = [
        (splits.train.baseline[name], _scored(splits.train)),
        (splits.test.baseline[name], _scored(splits.test)),
    ]
    # the whole's score is the mean of the parts', weighted by what each part scores
    pooled = sum(score * count for score, count in parts) / sum(c for _, c in parts)
    assert data.baseline[name] == pytest.approx(pooled, rel=1e-5)
    if source != "copy_memory":  # the memoryless guess scores the same on any examples
        assert parts[0][0] != pytest.approx(parts[1][0], rel=1e-6)


def _scored(data: Dataset) -> int:
    """How many outputs the naive predictor is scored on (padding is not)."""
    predictions = data.naive.predictions
    if np.issubdtype(predictions.dtype, np.floating):
        return int(np.sum(~np.isnan(predictions)))
    return int(np.sum(predictions >= 0))


def test_persistence_is_scored_on_each_split_of_a_series() -> None:
    series = np.array([0.0, 1, 0, 1, 0, 1, 0, 5, 0, 5])[:, None]  # calm, then wild
    splits = split(forecast(series, series, 2, 1, 1), validation=0.0, test=0.375, seed=0)
    assert splits.train.baseline == {"mse of persistence": 1.0}
    assert splits.test.baseline == {"mse of persistence": 25.0}


def test_naive_scores_accuracy_of_its_own_predictions() -> None:
    naive = Naive("hits", np.array([1, 2, 3]), accuracy)
    assert naive.scored(np.array([1, 0, 3])) == {"hits": pytest.approx(2 / 3)}
