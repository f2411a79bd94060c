"""Future covariates of a CSV series (data.args.future): columns known ahead, read by each
window `horizon` rows ahead, so the model sees them over the horizon it forecasts; a file
to forecast from gives them past its last observed row."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
import yaml

from zoo.cli import main
from zoo.data.base import Context
from zoo.data.files import CsvSeriesArgs, csv_series
from zoo.errors import SpecError

WINDOW, HORIZON = 14, 3


def write_sales(path: Path, rows: int = 600) -> tuple[np.ndarray, np.ndarray]:
    """Daily sales that a promotion lifts by 8 on its day, planned (known) ahead."""
    rng = np.random.default_rng(0)
    promo = (rng.random(rows) < 0.3).astype(int)
    t = np.arange(rows)
    sales = 20 + 8 * promo + 3 * np.sin(2 * np.pi * t / 7) + rng.normal(0, 1, rows)
    path.write_text(
        "sales,promo\n" + "".join(f"{s:.3f},{p}\n" for s, p in zip(sales, promo, strict=True))
    )
    return sales, promo


def args(**changes: object) -> CsvSeriesArgs:
    given = {"path": "sales.csv", "columns": ["sales"], "future": ["promo"]}
    return CsvSeriesArgs(**{**given, "window": WINDOW, "horizon": HORIZON, **changes})


def test_a_window_reads_its_future_covariates_over_the_horizon(tmp_path: Path) -> None:
    sales, promo = write_sales(tmp_path / "sales.csv")
    data = csv_series.load(args(), Context(0, tmp_path))
    assert data.x.shape[1:] == (WINDOW, 2)
    start = data.spans[:, 0] - WINDOW  # each window's first row
    for i in (0, 7, len(data) - 1):
        rows = start[i] + np.arange(WINDOW)
        np.testing.assert_allclose(data.x[i, :, 0], sales[rows], atol=1e-3)
        np.testing.assert_array_equal(data.x[i, :, 1], promo[rows + HORIZON])
        # its last HORIZON rows hold the promotions of the days it forecasts
        np.testing.assert_array_equal(data.x[i, -HORIZON:, 1], promo[data.spans[i, 0] :][:HORIZON])
        np.testing.assert_allclose(data.y[i], sales[data.spans[i, 0] :][:HORIZON], atol=1e-3)


def test_every_column_but_the_future_is_an_input_by_default(tmp_path: Path) -> None:
    write_sales(tmp_path / "sales.csv")
    data = csv_series.load(args(columns=None), Context(0, tmp_path))
    assert data.x.shape[1:] == (WINDOW, 2) and data.target_columns == [0]


def test_a_forecast_column_cannot_be_known_ahead() -> None:
    with pytest.raises(ValueError, match=r"'sales' is forecast .*give the answer away"):
        args(future=["sales"])
    with pytest.raises(ValueError, match="'promo' is forecast"):
        args(columns=["sales", "promo"], target=["promo"], future=["promo"])


def test_a_future_covariate_missing_from_the_file_is_named(tmp_path: Path) -> None:
    write_sales(tmp_path / "sales.csv")
    with pytest.raises(SpecError, match="has no column 'price'; available: sales, promo"):
        csv_series.load(args(future=["price"]), Context(0, tmp_path))


SPEC = {
    "version": 1,
    "name": "promo",
    "architecture": "many_to_one",
    "cell": "gru",
    "inputs": {"length": WINDOW, "features": 2},
    "model": {"units": 16},
    "outputs": {"units": HORIZON},
    "compile": {"optimizer": {"name": "adam", "learning_rate": 0.01}, "metrics": ["mae"]},
    "data": {
        "source": "csv_series",
        "args": {"path": "sales.csv", "columns": ["sales"], "future": ["promo"]}
        | {"window": WINDOW, "horizon": HORIZON},
        "validation": 0.15,
        "test": 0.2,
    },
    "train": {"epochs": 12, "batch_size": 16},
}


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two runs on the sales: the promotions known ahead, and only up to each window's end."""
    folder = tmp_path_factory.mktemp("promo")
    write_sales(folder / "sales.csv")
    past = {"path": "sales.csv", "columns": ["sales", "promo"], "target": ["sales"]}
    for name, data_args in (("future", SPEC["data"]["args"]), ("past", past)):
        spec = {**SPEC, "name": name, "data": {**SPEC["data"], "args": data_args}}
        spec["data"]["args"] = {**data_args, "window": WINDOW, "horizon": HORIZON}
        (folder / f"{name}.yaml").write_text(yaml.safe_dump(spec, sort_keys=False))
        assert main(["train", str(folder / f"{name}.yaml"), "--runs", str(folder), "-q"]) == 0
    return folder


def test_known_promotions_are_forecast_and_unknown_ones_are_not(folder: Path) -> None:
    """A promotion lifts sales by 8 on its day: known ahead, the forecast follows it."""
    (future,) = folder.glob("future-*")
    (past,) = folder.glob("past-*")
    mae = {
        r: json.loads((r / "results.json").read_text())["metrics"]["mae"] for r in (future, past)
    }
    assert mae[future] < 1.6 < 2.5 < mae[past]


@pytest.mark.parametrize(
    ("tail", "expected"),
    [
        (",1\n,0\n,1\n", None),
        (",1\n,0\n,1\n,1\n", None),  # rows past the horizon are not read
        (",1\n", r"given for 1 row after the last observed one \(ahead.csv:31\); a forecast of 3"),
        ("", r"given for 0 rows after the last observed one \(ahead.csv:31\)"),
        (",1\n,\n,1\n", r"ahead.csv:33: a future covariate is blank"),
        (",1\n21,0\n,1\n", r"ahead.csv:33: the inputs are given again after ahead.csv:32"),
    ],
)
def test_a_file_to_forecast_from_gives_the_future_past_its_last_observed_row(
    folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture, tail: str, expected: str | None
) -> None:
    (run,) = folder.glob("future-*")
    observed = (folder / "sales.csv").read_text().splitlines()[-30:]
    (tmp_path / "ahead.csv").write_text("sales,promo\n" + "\n".join(observed) + "\n" + tail)
    capsys.readouterr()
    code = main(["predict", str(run), str(tmp_path / "ahead.csv")])
    out, err = capsys.readouterr()
    if expected is None:
        assert code == 0, err
        lines = out.splitlines()
        assert lines[0].endswith("ahead.csv: the next 3 steps after its last observed row")
        forecast = [float(line.split()[1]) for line in lines[2:]]
        assert forecast[0] - forecast[1] > 4 and forecast[2] - forecast[1] > 4  # 1, 0, 1
    else:
        assert code == 2 and out == ""
        assert len(err.splitlines()) == 1
        assert err.startswith("error: ")
        assert re.search(expected, err.replace(f"{tmp_path}/", "")), err


def test_a_forecast_fed_back_is_refused_with_future_covariates(
    folder: Path, capsys: pytest.CaptureFixture
) -> None:
    (run,) = folder.glob("future-*")
    assert main(["predict", str(run), str(folder / "sales.csv"), "--steps", "6"]) == 2


def test_served_it_takes_rows_with_the_inputs_null_over_the_horizon(
    folder: Path, tmp_path: Path
) -> None:
    """zoo serve answers as zoo predict does from the same rows, a CSV's blanks as nulls."""
    pytest.importorskip("fastapi", reason="the serve extra is not installed")
    from fastapi.testclient import TestClient

    import zoo
    from zoo.serving import Limits, create_app

    (run,) = folder.glob("future-*")
    observed = [
        [float(v) for v in line.split(",")]
        for line in (folder / "sales.csv").read_text().splitlines()[-30:]
    ]
    ahead = [[None, 1.0], [None, 0.0], [None, 1.0]]
    (tmp_path / "ahead.csv").write_text(
        "sales,promo\n" + "".join(f"{s},{p}\n" for s, p in observed) + ",1\n,0\n,1\n"
    )
    expected = zoo.predict(run, tmp_path / "ahead.csv")
    with TestClient(create_app(run, Limits(), True), raise_server_exceptions=False) as http:
        answer = http.post("/predict", json={"series": [observed + ahead]})
        assert answer.status_code == 200, answer.text
        (forecast,) = (p["forecast"] for p in answer.json()["predictions"])
        np.testing.assert_allclose(
            [row["sales"] for row in forecast], expected.values[:, 0], rtol=1e-5
        )
        short = http.post("/predict", json={"series": [observed + ahead[:1]]})
        assert short.status_code == 422
        assert "given for 1 row after the last observed one (series.0.29)" in short.json()["error"]


def test_differencing_takes_the_future_covariates_as_they_are(tmp_path: Path) -> None:
    """A calendar differenced over its own period reads as zero: data.difference changes
    the measured columns and leaves the future covariates as they are."""

    from custom_layers.windows import Differencing
    from zoo import load_spec
    from zoo.data.preprocessing import fit_preprocessing

    x = (np.arange(2 * 5 * 3, dtype="float32").reshape(2, 5, 3)) ** 2
    layer = Differencing(2, as_is=[2])
    out = np.asarray(layer(x))
    np.testing.assert_allclose(out[..., :2], x[:, 2:, :2] - x[:, :-2, :2])
    np.testing.assert_allclose(out[..., 2], x[:, 2:, 2])
    assert Differencing.from_config(layer.get_config()).as_is == [2]
    assert Differencing.from_config({**layer.get_config(), "as_is": None}).as_is == []

    write_sales(tmp_path / "sales.csv")
    spec_dict = {**SPEC, "data": {**SPEC["data"], "difference": 7}}
    spec_dict["data"]["args"] = {**SPEC["data"]["args"], "window": WINDOW, "horizon": HORIZON}
    (tmp_path / "spec.yaml").write_text(yaml.safe_dump(spec_dict))
    spec = load_spec(tmp_path / "spec.yaml")
    train = csv_series.load(args(), Context(0, tmp_path))
    assert fit_preprocessing(spec, train).window.as_is == [1]
