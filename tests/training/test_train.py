"""zoo train end to end on tiny runs: the run directory, reproducibility, gradient
norms, divergence, evaluation."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest
import tensorflow as tf

import zoo
from zoo.data import load_splits
from zoo.inference import evaluate
from zoo.training import TrainingDiverged, pipeline, train

TINY = {
    "version": 1,
    "name": "tiny",
    "architecture": "many_to_one",
    "cell": "lstm",
    "inputs": {"length": 8, "features": 2},
    "model": {"units": 6},
    "outputs": {"units": 1},
    "compile": {"global_clipnorm": 0.5},
    "data": {"source": "adding", "args": {"samples": 96, "length": 8}},
    "train": {"epochs": 3, "batch_size": 16},
}


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open() as file:
        return list(csv.DictReader(file))


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory):
    return train(TINY, runs=tmp_path_factory.mktemp("runs"), verbose=0)


def test_run_directory_holds_everything(run) -> None:
    names = {p.name for p in run.directory.iterdir()}
    assert names >= {
        "spec.yaml",
        "state.json",
        "best.keras",
        "last.keras",
        "history.csv",
        "history.png",
        "gradient_norms.csv",
        "gradient_norms.png",
        "tensorboard",
    }
    assert zoo.load_spec(run.directory / "spec.yaml") == run.spec
    history = read_csv(run.directory / "history.csv")
    assert [row["epoch"] for row in history] == ["1", "2", "3"]
    assert set(history[0]) == {"epoch", "loss", "val_loss"}
    state = json.loads((run.directory / "state.json").read_text())
    assert (state["status"], state["epochs_done"]) == ("complete", 3)
    best = min(range(3), key=lambda i: float(history[i]["val_loss"]))
    assert state["best_epoch"] == best + 1
    assert zoo.read_spec(run.directory / "best.keras") == run.spec
    assert any((run.directory / "tensorboard").rglob("*tfevents*"))


def test_summary_says_what_happened(run) -> None:
    text = run.summary()
    assert text.startswith("tiny: 3 epochs in ")
    assert f"best epoch {run.state.best_epoch}: val_loss" in text
    assert "test split (best model): loss" in text
    assert "baseline: mse of predicting the mean" in text
    assert f"  cost: {zoo.build(run.spec).count_params():,} parameters, " in text
    assert str(run.directory) in text


def test_best_model_is_the_best_epoch(run) -> None:
    best = zoo.load_model(run.directory / "best.keras")
    splits = load_splits(run.spec, Path.cwd())
    loss = best.evaluate(pipeline.evaluation_pipeline(splits.validation, 16), verbose=0)
    np.testing.assert_allclose(loss, run.state.best_value, rtol=1e-5)


def test_same_spec_same_seed_same_losses(run, tmp_path: Path) -> None:
    again = train(TINY, runs=tmp_path, verbose=0)
    assert again.state.history == run.state.history


def test_gradient_norms_are_measured_before_and_after_clipping(run) -> None:
    rows = read_csv(run.directory / "gradient_norms.csv")
    assert len(rows) == 3 * 5  # 3 epochs of ceil(77 / 16) batches
    before = np.array([float(r["norm_before_clipping"]) for r in rows])
    after = np.array([float(r["norm_after_clipping"]) for r in rows])
    np.testing.assert_allclose(after, np.minimum(before, 0.5), rtol=1e-5)
    assert (before > 0.5).any(), "the clipping should have been active at least once"


def test_first_gradient_norm_equals_a_manual_computation(tmp_path: Path) -> None:
    spec = zoo.load_spec(TINY, {"train.epochs": 1, "compile.global_clipnorm": None})
    model = zoo.build(spec)
    splits = load_splits(spec, Path.cwd())
    x, y = next(iter(pipeline.training_pipeline(splits.train, 16, 1, 0, 0, None)))
    with tf.GradientTape() as tape:
        loss = model.compute_loss(x=x, y=y, y_pred=model(x, training=True))
    gradients = tape.gradient(loss, model.trainable_variables)
    expected = float(tf.linalg.global_norm(gradients))
    run = train(spec, runs=tmp_path, verbose=0)
    first = read_csv(run.directory / "gradient_norms.csv")[0]
    assert float(first["norm_before_clipping"]) == pytest.approx(expected, rel=1e-4)
    assert float(first["norm_after_clipping"]) == pytest.approx(expected, rel=1e-4)


def test_divergence_stops_with_advice_and_keeps_the_last_good_model(tmp_path: Path) -> None:
    # The learning rate grows 1000-fold per epoch: epoch 1 trains, a later one explodes.
    exploding = {
        **TINY,
        "cell": "rnn",
        "compile": {
            "optimizer": {
                "name": "sgd",
                "learning_rate": 0.01,
                "schedule": {
                    "name": "ExponentialDecay",
                    "args": {"decay_steps": 5, "decay_rate": 1000.0},
                },
            }
        },
        "train": {"epochs": 6, "batch_size": 16},
    }
    with pytest.raises(
        TrainingDiverged, match=r"compile.clipnorm.*last good model is .*last.keras"
    ) as caught:
        train(exploding, runs=tmp_path, verbose=0)
    (directory,) = tmp_path.iterdir()
    assert caught.value.directory == directory
    state = json.loads((directory / "state.json").read_text())
    assert state["status"] == "diverged" and state["epochs_done"] >= 1
    # the CSV goes on to the step that blew up; the state keeps whole epochs for --resume
    steps = [int(row["step"]) for row in read_csv(directory / "gradient_norms.csv")]
    assert steps == list(range(1, len(steps) + 1))
    assert len(steps) > len(state["gradient_norms"]) == 5 * state["epochs_done"]  # 5 per epoch
    last = zoo.load_model(directory / "last.keras")
    assert all(np.isfinite(w).all() for w in last.get_weights())
    assert len(read_csv(directory / "history.csv")) == state["epochs_done"]


def test_evaluate_a_run_directory(run) -> None:
    result = evaluate(run.directory)
    assert result["split"] == "test" and result["examples"] == 10
    assert result["metrics"]["loss"] == pytest.approx(run.test_metrics["loss"], rel=1e-6)
    assert "mse of predicting the mean" in result["baseline"]


def test_training_without_data_section_is_a_spec_error(tmp_path: Path) -> None:
    spec = {k: v for k, v in TINY.items() if k != "data"}
    with pytest.raises(zoo.SpecError, match="training needs a data section"):
        train(spec, runs=tmp_path, verbose=0)


def test_data_that_does_not_fit_the_inputs(tmp_path: Path) -> None:
    with pytest.raises(zoo.SpecError, match=r"adding produces inputs of shape \(12, 2\).*\(8, 2\)"):
        train(TINY, ["data.args.length=12"], runs=tmp_path, verbose=0)


def test_unknown_data_argument(tmp_path: Path) -> None:
    with pytest.raises(
        zoo.SpecError, match=r"data.args.lenght: unknown key 'lenght'; did you mean 'length'\?"
    ):
        train(TINY, ["data.args.lenght=12"], runs=tmp_path, verbose=0)
    assert list(tmp_path.iterdir()) == [], "a data mistake must not leave a run directory"


def test_callbacks_from_the_spec_run(tmp_path: Path) -> None:
    spec = {
        **TINY,
        "train": {
            "epochs": 30,
            "batch_size": 16,
            "callbacks": [
                {
                    "name": "early_stopping",
                    "args": {"monitor": "val_loss", "patience": 0, "min_delta": 1.0},
                }
            ],
        },
    }
    run = train(spec, runs=tmp_path, verbose=0)
    assert run.state.epochs_done == 2  # no epoch improves by 1.0, so it stops after one more


def test_mirrored_training_builds_under_the_strategy_and_matches_one_device(
    run, tmp_path: Path, monkeypatch
) -> None:
    """On this one-device machine, mirrored is one replica: the same losses, but the
    model must have been built in the strategy's scope (else it would not split batches)."""
    import zoo.training.run as run_module

    strategies = []
    fit = run_module.fit

    def recording_fit(model, *args, **kwargs):
        strategies.append(type(model.distribute_strategy).__name__)
        return fit(model, *args, **kwargs)

    monkeypatch.setattr(run_module, "fit", recording_fit)
    spec = {**TINY, "train": {**TINY["train"], "distribute": "mirrored"}}
    mirrored = train(spec, runs=tmp_path, verbose=0)
    assert strategies == ["MirroredStrategy"]
    for name, values in run.state.history.items():
        assert mirrored.state.history[name] == pytest.approx(values, rel=1e-4), name
