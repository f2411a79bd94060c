"""model.highway: a linear map of the last steps a many_to_one forecaster reads, added to
its head (LSTNet's autoregressive highway); with data.difference it reads the window's
levels beside the changes. Checked against the equation, and the specs it refuses."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import zoo
from tests.data.test_windowed import SEASON, SPEC, WINDOW, model_of, trend  # noqa: F401

STEPS = 6
HIGHWAY = {**SPEC, "model": {"units": 4, "highway": STEPS}}
DIFFERENCED = {**HIGHWAY, "data": {**SPEC["data"], "difference": SEASON}}


def standardised(x: np.ndarray) -> np.ndarray:
    """Each window by its own mean and spread, as WindowScaling does."""
    return (x - x.mean(axis=1, keepdims=True)) / np.sqrt(x.var(axis=1, keepdims=True) + 1e-5)


def test_with_the_net_silent_the_forecast_is_the_highways_linear_map(trend: Path) -> None:  # noqa: F811
    """y = W [levels, changes] of the last STEPS steps + b, each scaled as its window,
    put back on the window's level and spread, then on last season's values."""
    model, splits = model_of(DIFFERENCED, trend)
    head = model.get_layer("head")
    head.set_weights([np.zeros_like(w) for w in head.get_weights()])
    kernel, bias = (np.asarray(w, "float64") for w in model.get_layer("highway").get_weights())
    x = splits.test.x[:4].astype("float64")
    changes = x[:, SEASON:] - x[:, :-SEASON]
    levels = standardised(x)[:, SEASON:]
    scaled_changes = standardised(changes)
    read = np.concatenate([levels, scaled_changes], axis=-1)[:, -STEPS:].reshape(len(x), -1)
    made = read @ kernel + bias  # scaled changes over a season, one per step ahead
    sigma = np.sqrt(changes.var(axis=1) + 1e-5)
    made = made * sigma + changes.mean(axis=1)
    horizon = made.shape[1]
    expected = made + x[:, WINDOW - SEASON : WINDOW - SEASON + horizon, 0]
    np.testing.assert_allclose(model.predict(x, verbose=0), expected, rtol=1e-4, atol=1e-3)


def test_without_a_difference_it_reads_the_scaled_window_alone(trend: Path) -> None:  # noqa: F811
    model, _ = model_of(HIGHWAY, trend)
    assert model.get_layer("highway").get_weights()[0].shape == (
        STEPS * 1,
        SPEC["outputs"]["units"],
    )
    differenced, _ = model_of(DIFFERENCED, trend)
    assert differenced.get_layer("highway").get_weights()[0].shape[0] == STEPS * 2


def test_a_quantile_forecaster_gets_a_highway_per_quantile(trend: Path) -> None:  # noqa: F811
    spec = {**DIFFERENCED, "compile": {"loss": "quantile"}}
    model, splits = model_of(spec, trend)
    assert model.get_layer("highway").units == 3 * SPEC["outputs"]["units"]
    assert model.predict(splits.test.x[:2], verbose=0).shape == (2, 3, SPEC["outputs"]["units"])


@pytest.mark.parametrize(
    ("base", "changes", "message"),
    [
        (DIFFERENCED, {"model.highway": 13}, "13 steps are more than the 12 the stack reads"),
        (HIGHWAY, {"architecture": "many_to_many", "outputs.units": 1}, "many_to_one only"),
        (HIGHWAY, {"outputs.activation": "sigmoid"}, "needs a regression head"),
    ],
)
def test_specs_that_cannot_take_a_highway_are_located_errors(
    base: dict, changes: dict, message: str
) -> None:
    problems = zoo.validate(base, changes)
    assert any(p.path == "model.highway" and message in p.message for p in problems), problems
