"""zoo backtest: a trained forecaster over the origins its training never saw, scored
per step ahead beside the classical forecasts from the same origins."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest

from zoo.backtesting import MODEL, backtest
from zoo.cli import main
from zoo.data import classical, load_splits
from zoo.opening import open_model
from zoo.training import train

SEASON, HORIZON = 12, 3
SPEC = """\
version: 1
name: monthly
architecture: many_to_one
cell: gru
inputs: {length: 24, features: 1}
model: {units: 4}
outputs: {units: 3}
data:
  source: csv_series
  difference: 12
  args: {path: monthly.csv, window: 24, horizon: 3, season: 12}
  validation: 0.15
  test: 0.2
train: {epochs: 1}
"""


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("backtest")
    t = np.arange(150)
    noise = np.random.default_rng(0).normal(size=len(t))
    values = 100 + t + 10 * np.sin(2 * np.pi * t / SEASON) + noise
    (folder / "monthly.csv").write_text("v\n" + "\n".join(f"{v:.3f}" for v in values))
    (folder / "spec.yaml").write_text(SPEC)
    return train(folder / "spec.yaml", runs=folder / "runs", verbose=0).directory


@pytest.mark.slow
def test_training_reports_the_mae_at_each_step_ahead_beside_the_classical_methods(
    run: Path,
) -> None:
    """zoo train keeps each forecaster's MAE by steps ahead on the test windows, as the
    backtest from every test origin scores it; the model's are its own forecasts'."""
    results = json.loads((run / "results.json").read_text())
    scored = backtest(run)
    assert list(results["by_step"]) == list(scored.forecasts)
    for name, values in results["by_step"].items():
        assert len(values) == HORIZON
        np.testing.assert_allclose(values, scored.per_step(name)["MAE"], rtol=1e-6)
    opened = open_model(run, unsafe=False)
    test = load_splits(opened.spec, opened.data_folder).test
    errors = np.abs(opened.model.predict(test.x, verbose=0) - test.y)
    np.testing.assert_allclose(results["by_step"][MODEL], errors.mean(axis=0), rtol=1e-4)


@pytest.mark.slow
def test_every_origin_lies_after_every_target_training_saw(run: Path) -> None:
    result = backtest(run)
    opened = open_model(run, unsafe=False)
    splits = load_splits(opened.spec, opened.data_folder)
    seen = max(int(part.spans[:, 1].max()) for part in (splits.train, splits.validation))
    assert result.origins.min() >= seen  # no forecast starts before a target it learnt
    assert len(result.origins) == len(splits.test)
    forward = opened.model.predict(splits.test.x, verbose=0)
    np.testing.assert_allclose(result.forecasts[MODEL].reshape(forward.shape), forward)


@pytest.mark.slow
def test_the_classical_forecasts_are_scored_from_the_same_origins(run: Path) -> None:
    result = backtest(run)
    assert list(result.forecasts) == [MODEL, "seasonal naive (12)", "AR(2)", "Holt-Winters (12)"]
    naive = np.stack([result.series[o - SEASON : o - SEASON + HORIZON, 0] for o in result.origins])
    np.testing.assert_allclose(result.forecasts["seasonal naive (12)"][..., 0], naive)
    by_step = np.abs(naive - result.truth[..., 0]).mean(axis=0)
    np.testing.assert_allclose(result.per_step("seasonal naive (12)")["MAE"], by_step)
    before = result.series[: result.origins.min(), 0]  # the series before the origins only
    scale = np.abs(before[SEASON:] - before[:-SEASON]).mean()
    np.testing.assert_allclose(result.scale, scale)  # the same for every origin
    mase = (np.abs(result.forecasts[MODEL] - result.truth) / scale).mean()
    assert result.overall(MODEL)["MASE"] == pytest.approx(mase)


@pytest.mark.slow
def test_the_command_writes_every_forecast_and_refuses_what_it_cannot_do(
    run: Path, tmp_path: Path, capsys
) -> None:
    table, picture = tmp_path / "b.csv", tmp_path / "b.png"
    argv = ["backtest", str(run), "--origins", "3", "--step", "2", "--csv", str(table)]
    assert main([*argv, "--png", str(picture)]) == 0
    out = capsys.readouterr().out
    assert "3 origins" in out and "MAE by steps ahead" in out
    with table.open() as file:
        rows = list(csv.DictReader(file))
    assert len(rows) == 3 * HORIZON
    origins = sorted({int(r["origin"]) for r in rows})
    assert np.diff(origins).tolist() == [2, 2]
    assert picture.stat().st_size > 1000
    assert main(["backtest", str(run), "--origins", "1000"]) == 2
    assert "--origins 1000: the test split holds" in capsys.readouterr().err
    assert main(["backtest", str(run), "--set", "seed=1"]) == 2
    assert "a trained model is backtested as it is" in capsys.readouterr().err


@pytest.mark.slow
def test_a_spec_is_trained_then_backtested(run: Path, tmp_path: Path, capsys) -> None:
    spec = run.parent.parent / "spec.yaml"
    table, picture = tmp_path / "b.csv", tmp_path / "b.png"
    argv = ["backtest", str(spec), "--set", "seed=1", "--runs", str(tmp_path / "runs")]
    assert main([*argv, "--csv", str(table), "--png", str(picture)]) == 0
    out = capsys.readouterr().out.splitlines()
    (trained,) = (tmp_path / "runs").glob("monthly-*")
    assert out[0] == f"trained {trained}" and out[1].startswith(f"{trained.name}: ")


@pytest.mark.slow
def test_refitting_trains_on_nothing_at_or_after_each_origin(
    run: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--refit K: before every K-th origin the spec's model is trained afresh, on windows
    whose targets all end by that origin; the classical methods are refitted there too."""
    import zoo.training.run

    seen: list[int] = []
    real_fit = zoo.training.run.fit

    def recording_fit(model, spec, splits, *args, **kwargs):
        assert splits.validation is None and splits.test is None
        seen.append(int(splits.train.spans[:, 1].max()))
        return real_fit(model, spec, splits, *args, **kwargs)

    monkeypatch.setattr(zoo.training.run, "fit", recording_fit)
    result = backtest(run, origins=8, refit=4)  # two refits
    firsts = result.origins[::4]
    assert len(seen) == len(firsts)
    assert all(end <= origin for end, origin in zip(seen, firsts, strict=True))
    assert seen[-1] > seen[0]  # later refits learn from later windows
    trained = backtest(run, origins=8)
    assert not np.allclose(result.forecasts[MODEL], trained.forecasts[MODEL])
    # Holt-Winters refitted at the last block's first origin forecasts differently from
    # one fitted once before the first origin, and the same as a fit at that origin
    last = slice(4 * (len(firsts) - 1), None)
    name = "Holt-Winters (12)"
    assert not np.allclose(result.forecasts[name][last], trained.forecasts[name][last])
    opened = open_model(run, unsafe=False)
    splits = load_splits(opened.spec, opened.data_folder)
    chosen = np.arange(len(splits.test))[-len(result.origins) :]  # the last origins
    block = splits.test.take(chosen[last])
    origin = int(result.origins[last][0])
    expected = classical.forecasts(block, splits.train, SEASON, until=origin)[name]
    np.testing.assert_allclose(result.forecasts[name][last].reshape(expected.shape), expected)
    assert "refitted every 4 origins" in result.text()


def test_refits_group_the_origins_in_time_order_on_one_clock_for_every_series() -> None:
    """Origins as rows before their series' end: a refit every 3 origin times, from the
    earliest, at the first of its group; series that end together share the refits."""
    from zoo.backtesting import refit_cutoffs

    (one,) = refit_cutoffs([np.array([7, 6, 5, 4, 3, 2, 1])], 3)
    assert one.tolist() == [7, 7, 7, 4, 4, 4, 1]
    long, short = refit_cutoffs([np.array([5, 4, 3, 2, 1]), np.array([3, 2, 1])], 2)
    assert long.tolist() == [5, 5, 3, 3, 1] and short.tolist() == [3, 3, 1]


def test_refitted_classical_methods_share_one_season_and_all_of_their_origins(
    monkeypatch,
) -> None:
    """A season detected at each refit named the methods differently block by block
    (sunspots: "Holt-Winters (10, detected)" beside "Holt-Winters"), and a method missing
    from a block was scored with zeros there. The season is now found once, before the
    first origin, and a method some refit lacks is left out."""
    from tests.data.test_classical import windows
    from zoo.backtesting import _classical, refit_cutoffs, rows_to_end

    t = np.arange(300)
    train, test = windows(10 * np.sin(2 * np.pi * t / SEASON) + 0.5 * t)
    (cutoffs,) = refit_cutoffs([rows_to_end(test)], 10)
    seasons, untils = [], []

    def fake(block, trained_on, season, until=None):
        seasons.append(season)
        untils.append(until)
        made = {"every refit": np.zeros((len(block), 6))}
        if until > int(test.spans[:, 0].min()):  # not at the first refit
            made["later refits only"] = np.ones((len(block), 6))
        return made

    monkeypatch.setattr(classical, "forecasts", fake)
    made = _classical(test, train, None, cutoffs)
    assert len(untils) == 3  # a season detected in the rows before, once
    assert seasons == [classical.Season(SEASON, detected=True)] * 3
    assert list(made) == ["every refit"]


def test_mase_scales_by_the_naive_step_where_no_season_precedes_the_test() -> None:
    """Fewer rows before the test than a season: the seasonal differences are empty (a
    mean of nothing, NaN and a warning), so the naive forecast's step scales MASE."""
    import warnings

    from zoo.backtesting import naive_scale

    before = np.array([[1.0], [3.0], [2.0], [6.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        np.testing.assert_allclose(naive_scale(before, 12), [(2 + 1 + 4) / 3])
        np.testing.assert_allclose(naive_scale(before, 2), [(1 + 3) / 2])
        np.testing.assert_allclose(naive_scale(np.ones((5, 1)), None), [1.0])  # flat
