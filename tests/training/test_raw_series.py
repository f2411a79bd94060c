"""A forecaster trained on a CSV series from a package's wheel (the monthly airline
passengers sktime ships), used as a new user would: from an empty folder, with
`zoo predict new.csv`, and by plain Keras in a fresh process, answering in
passengers, not in standardised units."""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import yaml

from zoo.cli import main

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        importlib.util.find_spec("sktime") is None, reason="the airline CSV ships with sktime"
    ),
]

SPEC = {
    "version": 1,
    "name": "airline",
    "architecture": "many_to_one",
    "cell": "gru",
    "inputs": {"length": 12, "features": 1},
    "model": {"units": 8},
    "outputs": {"units": 1},
    "compile": {"optimizer": {"name": "adam", "learning_rate": 0.01}},
    "data": {
        "source": "csv_series",
        "args": {"path": "Airline.csv", "columns": ["Passengers"], "window": 12},
    },
    "train": {"epochs": 3, "batch_size": 16},
}


def airline_csv() -> Path:
    import sktime

    return Path(sktime.__file__).parent / "datasets" / "data" / "Airline" / "Airline.csv"


@pytest.fixture(scope="module")
def trained(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("airline")
    shutil.copy(airline_csv(), folder / "Airline.csv")
    (folder / "airline.yaml").write_text(yaml.safe_dump(SPEC, sort_keys=False))
    assert main(["train", str(folder / "airline.yaml"), "--runs", str(folder / "runs"), "-q"]) == 0
    (run,) = (folder / "runs").iterdir()
    return run


def passengers() -> np.ndarray:
    rows = airline_csv().read_text().splitlines()[1:]
    return np.array([float(row.split(",")[1]) for row in rows])


def test_predict_a_csv_in_its_own_units(capsys, trained: Path, tmp_path: Path) -> None:
    capsys.readouterr()
    assert main(["predict", str(trained), str(airline_csv())]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == f"{airline_csv()}: the next 1 step after its last observed row"
    assert lines[1].split() == ["step", "Passengers"]
    step, value = lines[2].split()
    # a GRU of 8 units after 3 epochs is no oracle, but it answers in passengers
    series = passengers()
    assert step == "1" and series.min() / 2 < float(value) < series.max() * 2
    out = tmp_path / "forecast.json"
    assert main(["predict", str(trained), str(airline_csv()), "--steps", "3", "-o", str(out)]) == 0
    rows = json.loads(out.read_text())
    assert [row["step"] for row in rows] == [1, 2, 3]
    assert rows[0]["Passengers"] == pytest.approx(float(value), rel=1e-5)


def test_no_input_forecasts_after_the_csv_it_was_trained_on(capsys, trained: Path) -> None:
    capsys.readouterr()
    assert main(["predict", str(trained), str(airline_csv())]) == 0
    given = capsys.readouterr().out.splitlines()
    assert main(["predict", str(trained)]) == 0
    own = capsys.readouterr().out.splitlines()
    copy = trained.parent.parent / "Airline.csv"  # beside the spec, as the spec names it
    assert own[0] == f"{copy}: the next 1 step after its last observed row"
    assert own[1:] == given[1:]
    assert main(["trace", str(trained), "--units", "2"]) == 0  # the same window, traced
    assert capsys.readouterr().out.splitlines()[0].endswith(f"reading the last window of {copy}")
    from zoo.opening import open_model
    from zoo.serving.service import Service

    example = Service(open_model(trained)).example()  # where the served page starts
    assert example == {"series": [passengers()[-12:].tolist()]}
    copy.rename(moved := copy.with_name("elsewhere.csv"))  # the fixture's: put back after
    try:
        assert main(["predict", str(trained)]) == 2
        assert capsys.readouterr().err == f"error: {copy}: no such file\n"
    finally:
        moved.rename(copy)


def test_plain_keras_in_a_fresh_process_takes_raw_passengers(trained: Path) -> None:
    """No side files: the scaling is inside best.keras, so Keras alone gives the same
    forecast as zoo predict, in passengers."""
    window = passengers()[-12:].astype("float32").reshape(1, 12, 1)
    np.save(trained / "window.npy", window)
    code = (
        "import sys, numpy as np, keras, custom_layers, zoo\n"
        f"model = keras.saving.load_model({str(trained / 'best.keras')!r})\n"
        f"print(float(model.predict(np.load({str(trained / 'window.npy')!r}), verbose=0)[0, 0]))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    import zoo

    expected = zoo.predict(trained, airline_csv()).values[0, 0]
    assert float(result.stdout.strip().splitlines()[-1]) == pytest.approx(expected, rel=1e-5)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("Month,Riders\n1949-01,1\n", "has no column 'Passengers'; available: Month, Riders"),
        ("", "is empty; header: true expects a header row"),
        ("Date,Passengers\n" + "x,1\n" * 11 + "x,nan\n", ":13: column 'Passengers': 'nan' is"),
        ("Date,Passengers\n" + "x,1\n" * 11, "has 11 rows; a window of 12 needs at least 12"),
    ],
)
def test_a_bad_csv_is_one_line(capsys, trained: Path, tmp_path: Path, content, expected) -> None:
    path = tmp_path / "new.csv"
    path.write_text(content)
    capsys.readouterr()
    assert main(["predict", str(trained), str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and expected in err and len(err.splitlines()) == 1


def test_a_window_of_the_wrong_width_is_one_line(capsys, trained: Path, tmp_path: Path) -> None:
    np.save(tmp_path / "short.npy", np.zeros((2, 5, 1), dtype="float32"))
    capsys.readouterr()
    assert main(["predict", str(trained), str(tmp_path / "short.npy")]) == 2
    err = capsys.readouterr().err
    assert err == (
        f"error: {tmp_path / 'short.npy'} has examples of shape (5, 1); the model takes "
        "(12, 1) per example\n"
    )


def test_output_files_must_be_csv_json_or_npy(capsys, trained: Path, tmp_path: Path) -> None:
    capsys.readouterr()
    assert main(["predict", str(trained), str(airline_csv()), "-o", str(tmp_path / "f.txt")]) == 2
    assert "write predictions to a .csv, .json or .npy file" in capsys.readouterr().err


def test_a_time_column_labels_each_step_ahead(capsys, tmp_path: Path) -> None:
    """Airline.csv's Date column named as data.args.time: read as no value, and the
    forecast's months carry on from its last (1960-12)."""
    shutil.copy(airline_csv(), tmp_path / "Airline.csv")
    args = {**SPEC["data"]["args"], "time": "Date", "horizon": 2}
    del args["columns"]  # the dates are not read whether or not the columns are named
    spec = {
        **SPEC,
        "outputs": {"units": 2},
        "data": {**SPEC["data"], "args": args},
        "train": {"epochs": 1, "batch_size": 16},
    }
    (tmp_path / "airline.yaml").write_text(yaml.safe_dump(spec, sort_keys=False))
    runs = tmp_path / "runs"
    assert main(["train", str(tmp_path / "airline.yaml"), "--runs", str(runs), "-q"]) == 0
    (run,) = runs.iterdir()
    capsys.readouterr()
    assert main(["predict", str(run), "-o", str(tmp_path / "ahead.json")]) == 0
    rows = json.loads((tmp_path / "ahead.json").read_text())
    assert [(row["step"], row["time"]) for row in rows] == [(1, "1961-01"), (2, "1961-02")]
