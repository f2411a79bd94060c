"""A trivial predictor scored per split: each split's baseline is that of its own
examples, and the training part the sources scale by is the one the split makes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from zoo.data.base import Context, Dataset, Naive, accuracy, commonest_class, split
from zoo.data.generators import forecast, window_count


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


def test_a_dataset_without_a_naive_predictor_keeps_its_baseline() -> None:
    data = Dataset(np.zeros((4, 1)), np.zeros((4, 1)), baseline={"memoryless": 0.3})
    assert data.take(np.array([1])).baseline == {"memoryless": 0.3}


def test_persistence_is_scored_on_each_split_of_a_series() -> None:
    series = np.array([0.0, 1, 0, 1, 0, 1, 0, 5, 0, 5])[:, None]  # calm, then wild
    splits = split(forecast(series, series, 2, 1, 1), validation=0.0, test=0.375, seed=0)
    assert splits.train.baseline == {"mse of persistence": 1.0}
    assert splits.test.baseline == {"mse of persistence": 25.0}


@pytest.mark.parametrize(("validation", "test"), [(0.1, 0.135), (0.2, 0.2), (0.0, 0.3)])
def test_training_count_is_the_training_split_of_time_ordered_data(
    validation: float, test: float
) -> None:
    series = np.arange(60.0)[:, None]
    count = window_count(len(series), 5, 2, 3)
    splits = split(forecast(series, series, 5, 2, 3), validation, test, seed=0)
    trained = Context(0, Path(), validation, test).training_count(count)
    assert len(splits.train) == trained
    np.testing.assert_array_equal(splits.train.x[-1, :, 0], series[(trained - 1) * 3 :][:5, 0])


def test_naive_scores_accuracy_of_its_own_predictions() -> None:
    naive = Naive("hits", np.array([1, 2, 3]), accuracy)
    assert naive.scored(np.array([1, 0, 3])) == {"hits": pytest.approx(2 / 3)}
