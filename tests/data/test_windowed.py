"""data.scale: window and data.difference: each window of a series scaled by its own
statistics, or differenced, inside the model, and the forecast put back; the effect
each has on what the model computes, and the specs that cannot use them."""

from __future__ import annotations

from pathlib import Path

import keras
import numpy as np
import pytest

import zoo
from custom_layers import Differencing, Undifferencing, WindowScaling, WindowUnscaling
from zoo.builder import build_model
from zoo.data import load_splits
from zoo.data.preprocessing import fit_preprocessing
from zoo.errors import SpecError

WINDOW, HORIZON, SEASON = 24, 6, 12
SPEC = {
    "version": 1,
    "name": "trend",
    "architecture": "many_to_one",
    "cell": "gru",
    "inputs": {"length": WINDOW, "features": 1},
    "model": {"units": 4},
    "outputs": {"units": HORIZON},
    "data": {
        "source": "csv_series",
        "args": {"path": "trend.csv", "window": WINDOW, "horizon": HORIZON, "season": SEASON},
        "scale": "window",
        "validation": 0.2,
        "test": 0.2,
    },
}


@pytest.fixture
def trend(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A seasonal series whose trend leaves the training range: the test years lie far
    above anything a scaler fitted on the training years saw."""
    monkeypatch.chdir(tmp_path)
    return write_trend(tmp_path)


def write_trend(folder: Path, noise: float = 0.0) -> Path:
    """trend.csv in ``folder``: 200 steps of a trend and a season (plus Gaussian noise of
    this scale, seeded)."""
    t = np.arange(200)
    values = 100 + 3.0 * t + 20 * np.sin(2 * np.pi * t / SEASON)
    values += np.random.default_rng(0).normal(scale=noise, size=len(t)) if noise else 0
    (folder / "trend.csv").write_text("value\n" + "\n".join(f"{v:.6f}" for v in values))
    return folder


def model_of(spec: dict, folder: Path) -> tuple[keras.Model, object]:
    loaded = zoo.load_spec(spec)
    splits = load_splits(loaded, folder)
    return build_model(loaded, fit_preprocessing(loaded, splits.train)), splits


def test_window_scaling_standardises_each_window() -> None:
    rng = np.random.default_rng(0)
    x = (rng.normal(size=(3, 10, 2)) * [5, 0.1] + [100, -3]).astype("float32")
    scaled, statistics = WindowScaling()(x)
    np.testing.assert_allclose(np.mean(scaled, axis=1), 0, atol=1e-4)
    np.testing.assert_allclose(np.std(scaled, axis=1), 1, atol=2e-3)  # epsilon
    # back: each target (here both columns, in another order) on its window's footing
    back = WindowUnscaling([1, 0])([np.asarray(scaled)[:, -1, ::-1], statistics])
    np.testing.assert_allclose(back, x[:, -1, ::-1], rtol=1e-4, atol=1e-3)


@pytest.mark.parametrize("lag", [1, SEASON])
def test_undifferencing_puts_the_true_changes_back_to_the_true_future(lag: int) -> None:
    series = np.cumsum(np.random.default_rng(lag).normal(size=(2, 60)), axis=1)
    window, future = series[:, :40, None], series[:, 40:60]  # a horizon beyond the lag
    history = np.concatenate([window[..., 0], future], axis=1)
    changes = (history[:, lag:] - history[:, :-lag])[:, -20:]
    read = np.asarray(Differencing(lag)(window.astype("float32")))
    np.testing.assert_allclose(read[..., 0], window[:, lag:, 0] - window[:, :-lag, 0], atol=1e-5)
    made = Undifferencing(lag, [0])([changes.astype("float32"), window.astype("float32")])
    np.testing.assert_allclose(made, future, rtol=1e-5, atol=1e-4)


def test_a_window_scaled_forecast_moves_with_its_window(trend: Path, tmp_path: Path) -> None:
    """Shift a window by c and stretch it by k: the forecast is k times it plus c.
    A scaler fitted once (standard) gives no such thing: far from its training range
    its net saturates."""
    model, splits = model_of(SPEC, trend)
    x = splits.test.x[:4]
    np.testing.assert_allclose(
        model.predict(3 * x + 500, verbose=0),
        3 * model.predict(x, verbose=0) + 500,
        rtol=1e-4,
    )
    standard, _ = model_of({**SPEC, "data": {**SPEC["data"], "scale": "standard"}}, trend)
    shifted = standard.predict(3 * x + 500, verbose=0)
    assert not np.allclose(shifted, 3 * standard.predict(x, verbose=0) + 500, rtol=1e-2)
    model.train_on_batch(x, splits.test.y[:4])  # Keras saves a built optimizer
    reloaded = keras.saving.load_model(
        zoo.save_model(model, tmp_path / "m.keras", zoo.load_spec(SPEC))
    )
    np.testing.assert_allclose(reloaded.predict(x, verbose=0), model.predict(x, verbose=0))


def test_a_differenced_forecaster_with_a_silent_head_is_seasonal_naive_with_drift(
    trend: Path,
) -> None:
    """With the head's weights zeroed, the net forecasts the window's mean change over a
    season (what the window scaling puts back), added to last season's values: the
    seasonal naive forecast with drift. What the net learns is a correction to it."""
    spec = {**SPEC, "data": {**SPEC["data"], "difference": SEASON}}
    model, splits = model_of(spec, trend)
    head = model.get_layer("head")
    head.set_weights([np.zeros_like(w) for w in head.get_weights()])
    x = splits.test.x[:4]
    last_season = x[:, WINDOW - SEASON : WINDOW - SEASON + HORIZON, 0]
    drift = np.mean(x[:, SEASON:, 0] - x[:, :-SEASON, 0], axis=1, keepdims=True)
    np.testing.assert_allclose(model.predict(x, verbose=0), last_season + drift, rtol=1e-5)


def test_difference_defaults_to_window_scaling(trend: Path) -> None:
    from zoo.data.preprocessing import scale_method

    data = {key: value for key, value in SPEC["data"].items() if key != "scale"}
    spec = zoo.load_spec({**SPEC, "data": {**data, "difference": 1}})
    assert scale_method(spec) == "window"
    model, _ = model_of({**SPEC, "data": {**data, "difference": 1}}, trend)
    names = [layer.name for layer in model.layers]
    assert names.index("differencing") < names.index("window_scaling") < names.index("rnn_1")
    assert names[-2:] == ["window_unscaling", "undifferencing"]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"data.difference": 12, "data.scale": "standard"}, "use data.scale: window"),
        ({"data.difference": 24}, "leaves no step of a 24-step window"),
        ({"architecture": "many_to_many", "outputs.units": 1}, "needs a many_to_one"),
        ({"outputs.activation": "softmax"}, "needs a many_to_one"),
    ],
)
def test_specs_that_cannot_window_are_located_errors(changes: dict, message: str) -> None:
    problems = zoo.validate(SPEC, changes)
    assert any(message in p.message for p in problems), problems
    assert {p.path for p in problems} & {"data.scale", "data.difference"}


def test_a_target_that_is_not_an_input_is_refused(trend: Path) -> None:
    (trend / "two.csv").write_text("a,b\n" + "\n".join(f"{i},{2 * i}" for i in range(100)))
    args = {"path": "two.csv", "columns": ["a"], "target": ["b"], "window": WINDOW}
    spec = zoo.load_spec({**SPEC, "outputs": {"units": 1}, "data": {**SPEC["data"], "args": args}})
    splits = load_splits(spec, trend)
    with pytest.raises(SpecError, match="every target must also be an input"):
        fit_preprocessing(spec, splits.train)


def test_a_differenced_model_is_traced_from_the_step_its_stack_reads(
    trend: Path, tmp_path: Path
) -> None:
    spec = {**SPEC, "data": {**SPEC["data"], "difference": SEASON}}
    model, splits = model_of(spec, trend)
    saved = zoo.save_model(model, tmp_path / "d.keras", zoo.load_spec(spec))
    traced = zoo.trace(saved, array=splits.test.x[0])
    (direction,) = traced.directions
    assert direction.positions == list(range(SEASON, WINDOW))  # the changes it reads
    assert traced.agreement < 1e-5
    np.testing.assert_allclose(traced.head.outputs[0], model.predict(splits.test.x[:1])[0])
    placed = direction.by_position(direction.inputs, WINDOW)
    assert np.isnan(placed[:SEASON]).all() and not np.isnan(placed[SEASON:]).any()
