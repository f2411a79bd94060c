"""data.forecast: recursive: a forecaster of one step ahead, its forecast fed back as the
window's next value until the horizon, inside the model. Checked against the loop
written out, through saving, tracing, diagnosis and a backtest, and the specs it
refuses."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml

import zoo
from tests.data.test_windowed import SEASON, SPEC, model_of, trend, write_trend  # noqa: F401
from zoo.builder.model import one_step
from zoo.cli import main
from zoo.data import load_splits
from zoo.errors import SpecError
from zoo.spec.cost import estimate
from zoo.training.diagnose import hidden_state_gradients

RECURSIVE = {
    **SPEC,
    "compile": {"loss": "mae"},
    "data": {**SPEC["data"], "difference": SEASON, "forecast": "recursive"},
}
HORIZON = SPEC["outputs"]["units"]
# the same net forecasting directly one step ahead: the one-step model inside RECURSIVE
ONE_AHEAD = {
    **RECURSIVE,
    "outputs": {"units": 1},
    "data": {
        **RECURSIVE["data"],
        "forecast": "direct",
        "args": {**SPEC["data"]["args"], "horizon": 1},
    },
}


def test_each_step_is_the_one_step_model_on_the_window_its_forecasts_extend(
    trend: Path,  # noqa: F811
) -> None:
    model, splits = model_of(RECURSIVE, trend)
    stepped = one_step(model)
    assert stepped is not model and stepped.output.shape[-1] == 1
    window = splits.test.x[:5].astype("float32")
    made = []
    for _ in range(HORIZON):
        ahead = np.asarray(stepped(window))
        made.append(ahead)
        window = np.concatenate([window[:, 1:], ahead[:, :, None]], axis=1)
    np.testing.assert_allclose(
        model.predict(splits.test.x[:5], verbose=0), np.concatenate(made, axis=1), rtol=1e-5
    )


def test_it_holds_the_weights_of_a_one_step_direct_forecaster(trend: Path) -> None:  # noqa: F811
    """One head unit, whatever the horizon; the cost estimate counts the same layers."""
    model, _ = model_of(RECURSIVE, trend)
    direct, _ = model_of(ONE_AHEAD, trend)
    assert [w.shape for w in model.get_weights()] == [w.shape for w in direct.get_weights()]
    assert estimate(zoo.load_spec(RECURSIVE)).parameters == model.count_params()


def test_its_gradient_profile_is_its_first_steps(tmp_path: Path) -> None:
    """zoo diagnose measures the one-step net, on the loss of the first step ahead: the
    profile of a direct one-step forecaster with the same weights."""
    noisy = write_trend(tmp_path, noise=2.0)  # a season's changes that are not constant
    model, splits = model_of(RECURSIVE, noisy)
    direct, _ = model_of(ONE_AHEAD, noisy)
    direct.set_weights(model.get_weights())
    x, y = splits.train.x[:8], splits.train.y[:8]
    profile = hidden_state_gradients(model, x, y)
    assert profile.shape == (SPEC["inputs"]["length"] - SEASON,) and np.all(profile > 0)
    np.testing.assert_allclose(profile, hidden_state_gradients(direct, x, y[:, :1]), rtol=1e-4)


def test_trained_saved_traced_and_backtested_from_the_cli(capsys, trend: Path) -> None:  # noqa: F811
    spec = {**RECURSIVE, "train": {"epochs": 1, "batch_size": 16}}
    Path("fed.yaml").write_text(yaml.safe_dump(spec))
    assert main(["train", "fed.yaml", "-q"]) == 0
    run = str(next(Path("runs").iterdir()))
    assert "test split (best model)" in capsys.readouterr().out
    assert main(["backtest", run, "--origins", "3"]) == 0
    assert "3 origins" in capsys.readouterr().out
    np.save("window.npy", np.linspace(100, 200, SPEC["inputs"]["length"])[:, None])
    assert main(["trace", run, "--input-npy", "window.npy"]) == 0
    assert "h_t agrees with each layer's own loop" in capsys.readouterr().out
    assert main(["predict", run, "trend.csv"]) == 0
    rows = [line for line in capsys.readouterr().out.splitlines() if line[:4].strip().isdigit()]
    assert len(rows) == HORIZON


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"compile.loss": "quantile"}, "a band of quantiles is not one value"),
        ({"inputs.features": 2}, "each step has 2 features"),
        ({"outputs.activation": "sigmoid"}, "a regression head"),
        ({"architecture": "many_to_many"}, "many_to_one forecaster"),
    ],
)
def test_specs_that_cannot_feed_back_are_located_errors(changes: dict, message: str) -> None:
    problems = zoo.validate(RECURSIVE, changes)
    assert any(p.path == "data.forecast" and message in p.message for p in problems), problems


def test_a_target_that_is_not_the_series_read_is_refused(tmp_path: Path) -> None:
    (tmp_path / "two.csv").write_text(
        "a,b\n" + "\n".join(f"{i},{2 * i}" for i in range(100)), encoding="utf-8"
    )
    spec = {
        **RECURSIVE,
        "data": {
            **RECURSIVE["data"],
            "args": {
                "path": "two.csv",
                "columns": ["a"],
                "target": ["b"],
                "window": 24,
                "horizon": HORIZON,
            },
        },
    }
    with pytest.raises(SpecError, match="target is not the series its windows read") as error:
        load_splits(zoo.load_spec(spec), tmp_path)
    assert error.value.problems[0].path == "data.forecast"


def built_on_a_sine(folder: Path) -> Path:
    """A recursive forecaster of a generated series (no file needed), as initialised."""
    spec = {
        **RECURSIVE,
        "data": {
            "source": "sine",
            "args": {"series_length": 300, "window": SPEC["inputs"]["length"], "horizon": HORIZON},
            "difference": SEASON,
            "forecast": "recursive",
        },
    }
    (folder / "fed.yaml").write_text(yaml.safe_dump(spec))
    built = folder / "fed.keras"
    assert main(["build", str(folder / "fed.yaml"), "-o", str(built)]) == 0
    return built


@pytest.mark.slow
@pytest.mark.parametrize("form", ["onnx", "litert"])
def test_its_feedback_loop_exports(capsys, tmp_path: Path, form: str) -> None:
    """The loop is in the model's graph: each runtime computes the whole horizon, checked
    by zoo export against the .keras model on test windows (exit 1 if they differ)."""
    built = built_on_a_sine(tmp_path)
    assert main(["export", str(built), "--format", form, "-o", str(tmp_path / "fed")]) == 0
    assert "test examples is within" in capsys.readouterr().out


@pytest.mark.slow
def test_served_it_forecasts_the_horizon_and_traces_its_one_step_net(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from zoo.serving import Limits, create_app

    built = built_on_a_sine(tmp_path)
    expected = zoo.predict(built)  # after the end of the generated series
    with TestClient(create_app(built, Limits(), True), raise_server_exceptions=False) as http:
        (series,) = http.get("/info").json()["example"]["series"]  # its last window
        answer = http.post("/predict", json={"series": [series]})
        assert answer.status_code == 200, answer.text
        (forecast,) = (p["forecast"] for p in answer.json()["predictions"])
        assert [row["step"] for row in forecast] == list(range(1, HORIZON + 1))
        got = [[row[c] for c in expected.columns] for row in forecast]
        np.testing.assert_allclose(got, expected.values, rtol=1e-5)
        traced = http.post("/trace", json={"series": series}).json()
        assert traced["agreement"] < 1e-4 and len(traced["tokens"]) == SPEC["inputs"]["length"]
