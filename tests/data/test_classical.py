"""The classical forecasts set beside a forecaster's: each exact where it should be,
each fitted on the series before the scored windows alone, and printed and saved by
zoo train."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from zoo.cli import main
from zoo.data import classical
from zoo.data.base import Dataset, time_split
from zoo.data.generators import forecast

SEASON = 12


def windows(series: np.ndarray, window: int = 24, horizon: int = 6) -> tuple[Dataset, Dataset]:
    """(training windows, test windows) of one series, split by time."""
    data = forecast(series[:, None], series[:, None], window, horizon, stride=1)
    n = len(data)
    splits = time_split(data, n - 30, 0, 30)
    assert splits.test is not None
    return splits.train, splits.test


def test_seasonal_naive_is_exact_on_a_pure_season() -> None:
    t = np.arange(300)
    train, test = windows(np.sin(2 * np.pi * t / SEASON) + 5)
    scored = classical.scores(test, train, SEASON)
    naive = scored[f"seasonal naive ({SEASON})"]["mae"]
    assert naive == pytest.approx(0, abs=1e-6)  # float32 targets
    assert scored["AR(2)"]["mae"] > 0  # an AR(2) fits a sine too, not to the last digit


def test_ar2_is_exact_on_an_ar2_recursion() -> None:
    series = [1.0, 2.0]
    for _ in range(298):
        series.append(0.5 + 1.2 * series[-1] - 0.5 * series[-2])
    train, test = windows(np.array(series))
    assert classical.scores(test, train, None)["AR(2)"]["mae"] == pytest.approx(0, abs=1e-6)


def test_holt_winters_follows_a_trend_and_a_season() -> None:
    t = np.arange(300)
    series = 100 + 2.0 * t + 10 * np.sin(2 * np.pi * t / SEASON)
    train, test = windows(series)
    scored = classical.scores(test, train, SEASON)
    assert scored[f"Holt-Winters ({SEASON})"]["mae"] < 1.0  # on values around 600
    assert scored[f"seasonal naive ({SEASON})"]["mae"] == pytest.approx(2.0 * SEASON)


def test_each_method_is_fitted_before_the_first_scored_origin(monkeypatch) -> None:
    seen = []

    def fit(train: np.ndarray) -> classical.Forecaster:
        seen.append(len(train))
        return lambda series, origins, steps: np.zeros((len(origins), steps))

    monkeypatch.setattr(classical, "methods", lambda *_: [classical.Method("zero", fit)])
    train, test = windows(np.arange(300.0))
    classical.scores(test, train, None)
    assert seen == [int(test.spans[:, 0].min())]  # no target of a scored window


def test_no_method_reads_past_the_origin_it_forecasts_from() -> None:
    """Each window's forecasts are the same whatever follows its origin; those of later
    origins change with it (so the check can fail)."""
    rng = np.random.default_rng(1)
    t = np.arange(300)
    series = 50 + 0.5 * t + 8 * np.sin(2 * np.pi * t / SEASON) + rng.normal(size=len(t))
    train, test = windows(series)
    before = classical.forecasts(test, train, SEASON)
    middle = len(test) // 2
    origin = int(test.spans[middle, 0])
    changed = test.series.copy()
    changed[origin:] += 1000.0
    after = classical.forecasts(replace(test, series=changed), train, SEASON)
    assert set(after) == set(before) and len(before) == 3
    for name in before:
        np.testing.assert_array_equal(after[name][: middle + 1], before[name][: middle + 1])
        assert (after[name][middle + 1 :] != before[name][middle + 1 :]).any(), name


def test_a_season_longer_than_the_years_before_the_test_has_no_seasonal_naive() -> None:
    """It would repeat rows that do not exist: counted from the end, the test's own."""
    t = np.arange(120)
    train, test = windows(np.sin(2 * np.pi * t / 7) + 0.1 * t, window=8, horizon=2)
    first_origin = int(test.spans[:, 0].min())
    assert "seasonal naive (7)" in classical.scores(test, train, 7)
    assert f"seasonal naive ({first_origin + 1})" not in classical.scores(
        test, train, first_origin + 1
    )


def _holt_winters_by_hand(
    past: np.ndarray, steps: int, params: dict, m: int = SEASON
) -> np.ndarray:
    """Additive Holt-Winters from its recursions, as Hyndman and Athanasopoulos write
    them (Forecasting: Principles and Practice, 8.3)."""
    alpha, beta, gamma = (params[f"smoothing_{k}"] for k in ("level", "trend", "seasonal"))
    level, trend = params["initial_level"], params["initial_trend"]
    seasons = list(params["initial_seasons"])  # s_{-m} .. s_{-1}
    for y in past:
        last_level, last_trend = level, trend
        level = alpha * (y - seasons[-m]) + (1 - alpha) * (last_level + last_trend)
        trend = beta * (level - last_level) + (1 - beta) * last_trend
        seasons.append(gamma * (y - last_level - last_trend) + (1 - gamma) * seasons[-m])
    # y_{T+h} = l_T + h b_T + s_{T+h-m(k+1)}, k = (h - 1) // m: the season's latest factor
    return np.array([level + h * trend + seasons[-m + (h - 1) % m] for h in range(1, steps + 1)])


def test_holt_winters_forecasts_every_step_as_its_recursions_say() -> None:
    """A year and more ahead of a monthly series, the 12th and 24th steps included, where
    statsmodels' own forecast takes the factor of a season earlier (its issue 9538)."""
    from statsmodels.tsa.holtwinters import ExponentialSmoothing

    rng = np.random.default_rng(2)
    t = np.arange(200)
    series = 100 + 1.5 * t + (10 + 0.05 * t) * np.sin(2 * np.pi * t / SEASON)
    series += rng.normal(scale=2.0, size=len(t))
    fitted_until, origins, steps = 120, np.arange(120, 170, 7), 2 * SEASON
    made = classical._fit_holt_winters(series[:fitted_until], SEASON)(
        series[: origins.max()], origins, steps
    )
    params = (
        ExponentialSmoothing(
            series[:fitted_until], trend="add", seasonal="add", seasonal_periods=SEASON
        )
        .fit()
        .params
    )
    by_hand = np.stack([_holt_winters_by_hand(series[:o], steps, params) for o in origins])
    np.testing.assert_allclose(made, by_hand, rtol=1e-9)


def test_a_regression_baseline_is_scored_as_the_loss_scores_the_model() -> None:
    """An MAE forecaster's baseline was "mse of persistence": another measure."""
    train, test = windows(np.sin(np.arange(300) / 7.0) * 50)
    last = test.x[:, -1, :1]  # persistence repeats the window's last value
    ((name, value),) = test.baseline(train, "mae").items()
    assert name == "mae of persistence"
    assert value == pytest.approx(np.mean(np.abs(test.y - last)), rel=1e-6)
    squared = np.mean((test.y - last) ** 2)
    assert test.baseline(train) == {"mse of persistence": pytest.approx(squared, rel=1e-6)}


def test_a_season_left_out_is_detected_and_one_of_1_is_none() -> None:
    rng = np.random.default_rng(0)
    t = np.arange(300)
    monthly = 100 + 2.0 * t + 10 * np.sin(2 * np.pi * t / SEASON) + rng.normal(size=len(t))
    assert classical.detect_season(monthly) == SEASON  # a trend is not a season
    noise = np.cumsum(rng.normal(size=300))  # a random walk: no season in its changes
    assert classical.detect_season(noise) is None
    train, test = windows(monthly)
    assert set(classical.scores(test, train, None)) == {
        f"seasonal naive ({SEASON}, detected)",
        "AR(2)",
        f"Holt-Winters ({SEASON}, detected)",
    }
    assert set(classical.scores(test, train, 1)) == {"AR(2)", "Holt-Winters"}


def test_data_that_is_not_windows_of_a_series_has_none() -> None:
    data = Dataset(np.zeros((4, 3, 1), "float32"), np.zeros((4, 1), "float32"))
    assert classical.scores(data, data, SEASON) == {}


@pytest.mark.slow
def test_zoo_train_prints_and_saves_them(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    t = np.arange(120)
    noise = np.random.default_rng(0).normal(size=len(t))  # not predictable to the last digit
    values = 100 + t + 10 * np.sin(2 * np.pi * t / SEASON) + noise
    Path("monthly.csv").write_text("v\n" + "\n".join(f"{v:.3f}" for v in values))
    spec = Path("spec.yaml")
    spec.write_text(
        "version: 1\nname: monthly\narchitecture: many_to_one\ncell: gru\n"
        "inputs: {length: 24, features: 1}\nmodel: {units: 4}\noutputs: {units: 3}\n"
        "compile: {loss: mae}\n"
        "data:\n  source: csv_series\n  scale: window\n  difference: 12\n"
        "  args: {path: monthly.csv, window: 24, horizon: 3, season: 12}\n"
        "train: {epochs: 1}\n"
    )
    assert main(["train", str(spec), "-q"]) == 0
    out = capsys.readouterr().out
    for name in ("seasonal naive (12)", "AR(2)", "Holt-Winters (12)"):
        assert f"  classical: {name}: mse " in out
    assert "  baseline: mae of persistence " in out  # scored as the loss scores the model
    (run,) = Path("runs").glob("monthly-*")
    results = json.loads((run / "results.json").read_text())
    assert results["baseline_metric"] == "loss"
    saved = results["classical"]
    assert set(saved) == {"seasonal naive (12)", "AR(2)", "Holt-Winters (12)"}
    assert 10 < saved["seasonal naive (12)"]["mae"] < 14  # a season's trend, 12, and noise
