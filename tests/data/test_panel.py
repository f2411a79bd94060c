"""Many series in one long-format CSV (data.args.id): one model over them all, each series
split by time on its own, the classical methods fitted and run on each series alone, and
forecasts series by series."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import yaml

from zoo.backtesting import backtest, rows_to_end
from zoo.cli import main
from zoo.data import classical
from zoo.data.base import Context, split
from zoo.data.files import CsvSeriesArgs, csv_series
from zoo.errors import SpecError

WINDOW, HORIZON = 12, 3
LEVELS = {"north": 100.0, "south": 20.0, "east": 55.0}
LENGTHS = {"north": 150, "south": 110, "east": 130}


def series_of(name: str) -> np.ndarray:
    rng = np.random.default_rng(len(name) + int(LEVELS[name]))
    t = np.arange(LENGTHS[name])
    return LEVELS[name] * (1 + 0.1 * np.sin(2 * np.pi * t / 7)) + rng.normal(0, 1, len(t))


def write_long(path: Path) -> None:
    """The three series' rows interleaved, as a table of daily sales by store often is."""
    rows = []
    for name in LEVELS:
        rows += [(t, name, value) for t, value in enumerate(series_of(name))]
    rows.sort(key=lambda row: row[0])  # day by day: north, south, east, north, ...
    path.write_text("store,sales\n" + "".join(f"{n},{v:.4f}\n" for _, n, v in rows))


def args(**changes: object) -> CsvSeriesArgs:
    given = {"path": "stores.csv", "id": "store", "window": WINDOW, "horizon": HORIZON}
    return CsvSeriesArgs(**{**given, "season": 7, **changes})


def test_each_series_is_windowed_and_split_by_time_on_its_own(tmp_path: Path) -> None:
    write_long(tmp_path / "stores.csv")
    data = csv_series.load(args(), Context(0, tmp_path))
    assert data.series_names == list(LEVELS)
    splits = split(data, 0.1, 0.2, seed=0)
    for group, name in enumerate(LEVELS):
        values = series_of(name)
        parts = [p.one_series(group)[1] for p in (splits.train, splits.validation, splits.test)]
        np.testing.assert_allclose(parts[0].series[:, 0], values, atol=1e-4)
        for part in parts:  # every window's targets are its own series' rows
            for spans, y in zip(part.spans, part.y, strict=True):
                np.testing.assert_allclose(y, values[spans[0] : spans[1]], atol=1e-4)
        train, validation, test = parts
        assert train.spans[:, 1].max() <= validation.spans[:, 0].min()
        assert validation.spans[:, 1].max() <= test.spans[:, 0].min()
        assert test.spans[:, 1].max() == LENGTHS[name]  # its test is its own last rows
        windows = LENGTHS[name] - WINDOW - HORIZON + 1
        assert len(test) == round(windows * 0.2)


def test_the_classical_methods_see_each_series_alone(tmp_path: Path) -> None:
    """Fitted on a series' own training years and run on its own past: the same forecasts
    as for that series alone in its own file."""
    write_long(tmp_path / "stores.csv")
    data = csv_series.load(args(), Context(0, tmp_path))
    splits = split(data, 0.1, 0.2, seed=0)
    together = classical.forecasts(splits.test, splits.train, 7)
    assert {"seasonal naive (7)", "AR(2)"} <= set(together)
    for group, name in enumerate(LEVELS):
        (tmp_path / f"{name}.csv").write_text(
            "sales\n" + "".join(f"{v:.4f}\n" for v in series_of(name))
        )
        alone = split(
            csv_series.load(args(path=f"{name}.csv", id=None), Context(0, tmp_path)), 0.1, 0.2, 0
        )
        expected = classical.forecasts(alone.test, alone.train, 7)
        index = np.flatnonzero(splits.test.groups == group)
        for method, forecast in expected.items():
            np.testing.assert_allclose(together[method][index], forecast, rtol=1e-6)


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"id": "shop"}, "has no column 'shop'; available: store, sales"),
        ({"window": 108}, "series 'south' has 110 rows; a window of 108 and a horizon of 3 need"),
    ],
)
def test_a_mistake_names_the_column_or_the_series(
    tmp_path: Path, changes: dict, expected: str
) -> None:
    write_long(tmp_path / "stores.csv")
    with pytest.raises(SpecError, match=expected):
        csv_series.load(args(**changes), Context(0, tmp_path))


def test_the_id_is_neither_an_input_nor_a_target() -> None:
    with pytest.raises(ValueError, match="id: 'store' names the series"):
        args(columns=["store", "sales"])


@pytest.mark.slow
def test_one_model_trains_on_every_series_and_forecasts_each(
    tmp_path: Path, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_long(tmp_path / "stores.csv")
    spec = {
        "version": 1,
        "name": "stores",
        "architecture": "many_to_one",
        "cell": "gru",
        "inputs": {"length": WINDOW, "features": 1},
        "model": {"units": 8},
        "outputs": {"units": HORIZON},
        "compile": {"metrics": ["mae"]},
        "data": {
            "source": "csv_series",
            "args": {"path": "stores.csv", "id": "store", "window": WINDOW, "horizon": HORIZON},
            "validation": 0.1,
            "test": 0.2,
        },
        "train": {"epochs": 2, "batch_size": 16},
    }
    (tmp_path / "stores.yaml").write_text(yaml.safe_dump(spec))
    assert (
        main(["train", str(tmp_path / "stores.yaml"), "--runs", str(tmp_path / "runs"), "-q"]) == 0
    )
    (run,) = (tmp_path / "runs").iterdir()
    results = json.loads((run / "results.json").read_text())
    # detected once, on north, and named so as for one series
    assert {"seasonal naive (7, detected)", "AR(2)"} <= set(results["classical"])
    assert set(results["by_step"]) == {"model", *results["classical"]}  # the same methods
    capsys.readouterr()
    assert main(["predict", str(run), str(tmp_path / "stores.csv")]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].endswith("the next 3 steps after each series' last observed row (3 series)")
    assert [line.split()[:2] for line in lines[2:]] == [
        [name, str(step)] for name in LEVELS for step in (1, 2, 3)
    ]
    # each at its own level: the default scaling is each window's own
    forecasts = {line.split()[0]: float(line.split()[2]) for line in lines[2:]}
    assert forecasts["north"] > forecasts["east"] > forecasts["south"]
    # backtested series by series, over the same test windows zoo train scored
    csv = tmp_path / "backtest.csv"
    made = ["--csv", str(csv), "--png", str(tmp_path / "backtest.png")]
    assert main(["backtest", str(run), *made]) == 0
    printed = capsys.readouterr().out
    assert "origins (3 series), 3 steps ahead" in printed
    model_mae = float(printed.split("\nmodel")[1].split()[0])
    assert model_mae == pytest.approx(results["metrics"]["mae"], rel=1e-3)
    rows = csv.read_text().splitlines()
    assert rows[0].startswith("id,origin,step,series,truth,model")
    assert {row.split(",")[0] for row in rows[1:]} == set(LEVELS)
    # refitted twice on every series, each time on windows that end by the refit's time,
    # in rows before each series' end (the clock on which each series' test is its last)
    import zoo.training.run

    seen: list[tuple[int, set[int]]] = []
    real_fit = zoo.training.run.fit

    def recording_fit(model, spec, splits, *args, **kwargs):
        trained_on = splits.train
        seen.append((int(rows_to_end(trained_on, ends=True).min()), set(trained_on.groups)))
        return real_fit(model, spec, splits, *args, **kwargs)

    monkeypatch.setattr(zoo.training.run, "fit", recording_fit)
    refitted = backtest(run, origins=4, refit=2)
    assert [groups for _, groups in seen] == [{0, 1, 2}, {0, 1, 2}]
    for name in LEVELS:
        own = refitted.origins[np.array(refitted.ids) == name]
        left = LENGTHS[name] - own  # each origin, in rows before its series' end
        assert seen[0][0] >= left[0] and seen[1][0] >= left[2] and seen[1][0] < left[0]
    assert "refitted every 2 origins" in refitted.text() and "(3 series)" in refitted.text()
    assert not np.allclose(refitted.forecasts["model"], backtest(run, origins=4).forecasts["model"])
