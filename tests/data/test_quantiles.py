"""compile.loss: quantile: a forecaster of quantiles trained by the pinball loss, its band
put back in the data's units like its median, scored by its median, and the band's
coverage reported by the backtest."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import keras
import numpy as np
import pytest

import zoo
from custom_layers import AtQuantile, Pinball
from tests.data.test_windowed import HORIZON, SEASON, WINDOW, write_trend
from tests.data.test_windowed import SPEC as WINDOWED
from zoo.builder import build_model
from zoo.data import load_splits
from zoo.data.preprocessing import fit_preprocessing
from zoo.errors import UserError

QUANTILES = [0.1, 0.5, 0.9]
SPEC = {
    **WINDOWED,
    "name": "banded",
    "compile": {"loss": {"name": "quantile", "quantiles": QUANTILES}, "metrics": ["mae"]},
    "data": {**WINDOWED["data"], "difference": SEASON},
    "train": {"epochs": 2, "batch_size": 16},
    "seed": 0,
}


@pytest.fixture
def trend(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return write_trend(tmp_path, noise=4)


def model_of(spec: dict, folder: Path) -> tuple[keras.Model, object]:
    loaded = zoo.load_spec(spec)
    splits = load_splits(loaded, folder)
    return build_model(loaded, fit_preprocessing(loaded, splits.train)), splits


def run_results(directory: Path) -> dict:
    return json.loads((directory / "results.json").read_text())


def pinball(y: np.ndarray, forecasts: np.ndarray, quantiles: list[float]) -> float:
    """The loss from its definition: (batch, outputs) truths, (batch, quantiles, outputs)."""
    q = np.asarray(quantiles)[None, :, None]
    e = y[:, None, :] - forecasts
    return float(np.mean(np.maximum(q * e, (q - 1) * e)))


def test_the_pinball_loss_is_its_definition_and_half_the_absolute_error_at_the_median() -> None:
    rng = np.random.default_rng(1)
    y, made = rng.normal(size=(5, 4)), rng.normal(size=(5, 3, 4))
    got = float(Pinball(QUANTILES)(y.astype("float32"), made.astype("float32")))
    assert got == pytest.approx(pinball(y, made, QUANTILES), rel=1e-5)
    median = float(Pinball([0.5])(y.astype("float32"), made[:, 1:2].astype("float32")))
    assert median == pytest.approx(np.mean(np.abs(y - made[:, 1])) / 2, rel=1e-5)


def test_the_pinball_loss_is_least_at_the_samples_quantiles() -> None:
    """A constant forecast minimising the loss over a sample is the sample's quantile:
    what makes the head's outputs quantiles once trained."""
    sample = np.random.default_rng(2).exponential(size=2001)
    candidates = np.linspace(0, 4, 801)
    for q in QUANTILES:
        losses = [
            pinball(sample[:, None], np.full((len(sample), 1, 1), c), [q]) for c in candidates
        ]
        assert candidates[int(np.argmin(losses))] == pytest.approx(np.quantile(sample, q), abs=0.01)


def test_metrics_score_the_median(trend: Path) -> None:
    model, splits = model_of(SPEC, trend)
    x, y = splits.test.x, splits.test.y
    made = model.predict(x, verbose=0)
    assert made.shape == (len(x), len(QUANTILES), HORIZON)
    scored = model.evaluate(x, y, verbose=0, return_dict=True)
    assert scored["mae"] == pytest.approx(np.mean(np.abs(made[:, 1] - y)), rel=1e-4)
    assert scored["loss"] == pytest.approx(pinball(y, made, QUANTILES), rel=1e-4)
    metric = AtQuantile("mse", 2)
    metric.update_state(y, made)
    assert float(metric.result()) == pytest.approx(np.mean((made[:, 2] - y) ** 2), rel=1e-4)


def test_every_quantile_is_put_back_on_the_windows_level(trend: Path) -> None:
    """With the head silent, every quantile is the seasonal naive forecast with drift;
    shifted and stretched windows shift and stretch every quantile alike."""
    model, splits = model_of(SPEC, trend)
    x = splits.test.x[:4]
    head = model.get_layer("head")
    weights = head.get_weights()
    head.set_weights([np.zeros_like(w) for w in weights])
    last_season = x[:, WINDOW - SEASON : WINDOW - SEASON + HORIZON, 0]
    drift = np.mean(x[:, SEASON:, 0] - x[:, :-SEASON, 0], axis=1, keepdims=True)
    for q in range(len(QUANTILES)):
        np.testing.assert_allclose(
            model.predict(x, verbose=0)[:, q], last_season + drift, rtol=1e-5
        )
    head.set_weights(weights)
    np.testing.assert_allclose(
        model.predict(3 * x + 500, verbose=0), 3 * model.predict(x, verbose=0) + 500, rtol=1e-4
    )


@pytest.mark.slow
def test_a_trained_quantile_forecaster_saves_predicts_and_backtests(
    trend: Path, tmp_path: Path
) -> None:
    run = zoo.train(SPEC, verbose=0)
    assert set(run.test_metrics) == {"loss", "mae"}
    loaded = keras.saving.load_model(run.directory / "best.keras")
    assert isinstance(loaded.loss, Pinball) and loaded.loss.quantiles == QUANTILES

    forecast = zoo.predict(run.directory, "trend.csv")
    assert forecast.columns == ["value q0.1", "value q0.5", "value q0.9"]
    assert forecast.values.shape == (HORIZON, 3)
    with pytest.raises(UserError, match="forecasts a band of quantiles"):
        zoo.predict(run.directory, "trend.csv", steps=10)

    result = zoo.backtest(run.directory)
    covered = result.coverage()
    assert covered is not None and covered.nominal == pytest.approx(0.8)
    result.write_csv(tmp_path / "b.csv")
    rows = list(csv.DictReader((tmp_path / "b.csv").read_text().splitlines()))
    inside = [float(r["model q0.1"]) <= float(r["truth"]) <= float(r["model q0.9"]) for r in rows]
    assert covered.covered == pytest.approx(np.mean(inside))
    assert [float(r["model"]) for r in rows] == [float(r["model q0.5"]) for r in rows]
    assert "interval q0.1 to q0.9 (should hold 80% of the truths)" in result.text()

    # the classical forecasts' MAE sits beside the median's MAE, never the pinball loss
    by_loss = zoo.compare([run.directory])
    assert not [row for row in by_loss if str(row["run"]).startswith("classical")]
    by_mae = zoo.compare([run.directory], metric="val_mae")
    classical = {row["run"]: row["test_mae"] for row in by_mae[1:]}
    assert classical["classical: seasonal naive (12)"] == pytest.approx(
        run_results(run.directory)["classical"]["seasonal naive (12)"]["mae"]
    )
    assert by_mae[0]["test_mae"] == pytest.approx(run.test_metrics["mae"])


@pytest.mark.parametrize(
    ("loss", "message"),
    [
        ({"name": "quantile", "quantiles": [0.1, 0.9]}, "must hold 0.5, the median"),
        ({"name": "quantile", "quantiles": [0.5, 1.0]}, "strictly between 0 and 1"),
        ({"name": "quantile", "quantiles": [0.9, 0.5]}, "increasing order"),
        ({"name": "quantile", "quantile": [0.5]}, "unknown key 'quantile'"),
    ],
)
def test_bad_quantiles_are_located_errors(loss: dict, message: str) -> None:
    problems = zoo.validate({**SPEC, "compile": {"loss": loss}})
    assert [p.path.startswith("compile.loss") for p in problems] == [True], problems
    assert message in problems[0].message


def test_loss_quantile_alone_takes_the_default_quantiles() -> None:
    spec = zoo.load_spec({**SPEC, "compile": {"loss": "quantile"}})
    assert spec.compile.loss.quantiles == QUANTILES


@pytest.mark.parametrize(
    "changes",
    [
        {"architecture": "many_to_many", "outputs.units": 1, "data.difference": None},
        {"outputs.activation": "softmax", "data.difference": None},
    ],
)
def test_a_quantile_loss_without_one_regression_answer_is_refused(changes: dict) -> None:
    problems = zoo.validate(SPEC, changes)
    assert any(p.path == "compile.loss" and "regression head" in p.message for p in problems), (
        problems
    )
