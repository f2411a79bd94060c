"""A training process killed mid-run resumes where it stopped, and ends exactly where
an uninterrupted run ends."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from zoo.errors import UserError
from zoo.saving import zoo_record
from zoo.spec.loading import load_spec
from zoo.training import train
from zoo.training.records import RunState

SPEC = {
    "version": 1,
    "name": "resumable",
    "architecture": "many_to_one",
    "cell": "gru",
    "inputs": {"length": 10, "features": 2},
    # dropout draws masks from random generators whose states a resume must restore
    "model": {"units": 8, "dropout": 0.2, "recurrent_dropout": 0.2},
    "outputs": {"units": 1},
    "compile": {"clipnorm": 1.0},
    "data": {"source": "adding", "args": {"samples": 400, "length": 10}},
    "train": {"epochs": 8, "batch_size": 8},
}


def epochs_done(run_directory: Path) -> int:
    state = run_directory / "state.json"
    return json.loads(state.read_text())["epochs_done"] if state.is_file() else 0


@pytest.mark.slow
def test_killed_run_resumes_to_the_uninterrupted_result(tmp_path: Path) -> None:
    spec_path = tmp_path / "spec.yaml"
    spec_path.write_text(yaml.safe_dump(SPEC))
    runs = tmp_path / "runs"
    command = [sys.executable, "-m", "zoo.cli", "train", str(spec_path), "--runs", str(runs), "-q"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    run_directory = None
    while time.monotonic() < deadline and process.poll() is None:
        found = list(runs.glob("resumable-*")) if runs.exists() else []
        if found and epochs_done(found[0]) >= 2:
            run_directory = found[0]
            break
        time.sleep(0.05)
    assert run_directory is not None, "training did not reach epoch 2 in time"
    process.send_signal(signal.SIGKILL)
    process.wait()
    killed_at = epochs_done(run_directory)
    assert 2 <= killed_at < 8, "the kill should land mid-run"

    resumed = subprocess.run(
        [sys.executable, "-m", "zoo.cli", "train", "--resume", str(run_directory), "-q"],
        capture_output=True,
        text=True,
    )
    assert resumed.returncode == 0, resumed.stderr
    assert "resumable: 8 epochs" in resumed.stdout
    state = json.loads((run_directory / "state.json").read_text())
    assert state["epochs_done"] == 8 and state["history"]["epoch"] == list(range(1, 9))

    uninterrupted = train(SPEC, runs=tmp_path / "reference", verbose=0)
    for name, values in uninterrupted.state.history.items():
        assert state["history"][name] == pytest.approx(values, rel=1e-5), name


def test_resume_of_a_finished_run_does_nothing(tmp_path: Path) -> None:
    spec = {
        **SPEC,
        "data": {"source": "adding", "args": {"samples": 40, "length": 10}},
        "train": {"epochs": 1, "batch_size": 8},
    }
    first = train(spec, runs=tmp_path, verbose=0)
    again = train(resume=first.directory, verbose=0)
    assert again.state.history == first.state.history
    assert again.state.epochs_done == 1


def test_a_resumed_run_with_dropout_ends_with_the_uninterrupted_losses(tmp_path: Path) -> None:
    """The layers' random generators are saved with every epoch: without them a resumed
    run draws other dropout masks than the run it continues (losses 0.6077, 0.4871
    where the uninterrupted run had 0.6206, 0.4715)."""
    small = {**SPEC, "data": {"source": "adding", "args": {"samples": 80, "length": 10}}}
    whole = train({**small, "train": {"epochs": 3, "batch_size": 8}}, runs=tmp_path, verbose=0)
    first = train({**small, "train": {"epochs": 1, "batch_size": 8}}, runs=tmp_path, verbose=0)
    resumed = train(resume=first.directory, overrides={"train.epochs": 3}, verbose=0)
    for name, values in whole.state.history.items():
        assert resumed.state.history[name] == pytest.approx(values, rel=1e-6), name


def test_resume_continues_the_saved_model_not_an_edited_spec(tmp_path: Path) -> None:
    """spec.yaml edited after the model was saved (8 units -> 64) is refused: the new
    last.keras would record 64 units for a model of 8."""
    small = {**SPEC, "data": {"source": "adding", "args": {"samples": 40, "length": 10}}}
    first = train({**small, "train": {"epochs": 1, "batch_size": 8}}, runs=tmp_path, verbose=0)
    edited = yaml.safe_load((first.directory / "spec.yaml").read_text())
    edited["model"]["units"] = 64
    (first.directory / "spec.yaml").write_text(yaml.safe_dump(edited))
    with pytest.raises(UserError, match=r"spec.yaml: model.units was changed from 8 to 64"):
        train(resume=first.directory, verbose=0)
    assert zoo_record(first.directory / "last.keras").spec.model.units == 8


def test_a_corrupt_run_state_is_one_line(tmp_path: Path, capsys) -> None:
    from zoo.cli import main

    directory = tmp_path / "run"
    directory.mkdir()
    (directory / "state.json").write_text('{"spec_folder": "."')  # cut short by a crash
    code = main(["train", "--resume", str(directory)])
    err = capsys.readouterr().err
    assert code == 2 and len(err.splitlines()) == 1 and "Traceback" not in err
    assert "its run state cannot be read (JSONDecodeError" in err


def test_runs_in_an_unwritable_place_is_one_line(tmp_path: Path, capsys) -> None:
    from zoo.cli import main

    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    small = {**SPEC, "data": {"source": "adding", "args": {"samples": 40, "length": 10}}}
    (tmp_path / "spec.yaml").write_text(yaml.safe_dump(small))
    code = main(["train", str(tmp_path / "spec.yaml"), "--runs", str(blocked / "runs"), "-q"])
    err = capsys.readouterr().err
    assert code == 2 and len(err.splitlines()) == 1
    assert err.startswith(f"error: --runs {blocked / 'runs'}: cannot make a run folder there")


def test_resume_needs_a_run_directory(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="not a run directory"):
        train(resume=tmp_path, verbose=0)


@pytest.mark.slow
def test_early_stopping_keeps_its_patience_across_a_resume(tmp_path: Path) -> None:
    """With min_delta 100 only the first epoch counts as an improvement, so patience 1
    stops an uninterrupted run after epoch 2 (Keras's rule, whatever the losses). A run
    stopped after epoch 1 and resumed must stop there too, not count its patience from
    zero again and stop after epoch 3."""
    early = {"name": "early_stopping", "args": {"patience": 1, "min_delta": 100.0}}
    spec = {
        **SPEC,
        "data": {"source": "adding", "args": {"samples": 40, "length": 10}},
        "train": {"epochs": 5, "batch_size": 8, "callbacks": [early]},
    }
    # "Interrupted" after epoch 1: a one-epoch run whose spec then asks for five.
    first = train({**spec, "train": {**spec["train"], "epochs": 1}}, runs=tmp_path, verbose=0)
    (first.directory / "spec.yaml").write_text(yaml.safe_dump(spec))
    resumed = train(resume=first.directory, verbose=0)
    assert resumed.state.history["epoch"] == [1, 2]


def test_replayed_callbacks_continue_without_acting_twice() -> None:
    import keras

    from zoo.training.callbacks import ResumedCallbacks
    from zoo.training.records import RunState

    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.01), loss="mse")
    early = keras.callbacks.EarlyStopping(patience=3)
    plateau = keras.callbacks.ReduceLROnPlateau(patience=2, factor=0.5)
    history = {"epoch": [1, 2, 3, 4], "loss": [1.0] * 4, "val_loss": [1.0, 0.5, 0.6, 0.7]}
    replay = ResumedCallbacks([early, plateau], RunState("", 4, history=history))
    for callback in (early, plateau, replay):  # as fit's callback list does, in order
        callback.set_model(model)
        callback.on_train_begin()

    assert (early.best, early.wait) == (0.5, 2)
    assert (plateau.best, plateau.wait) == (0.5, 0)  # lowered the rate at epoch 4 and reset
    # The saved model already carries whatever the interrupted run did to it.
    assert float(keras.ops.convert_to_numpy(model.optimizer.learning_rate)) == pytest.approx(0.01)
    assert model.stop_training is False
    early.on_epoch_end(4, {"val_loss": 0.8})  # the third epoch without improvement
    assert model.stop_training is True


def test_restore_best_weights_gets_the_best_epochs_weights_back() -> None:
    """The best epoch's weights live in best.keras, not in memory: early stopping's
    restore_best_weights gets them from there when its best is the run's best."""
    import keras

    from zoo.training.callbacks import ResumedCallbacks
    from zoo.training.records import RunState

    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    best = [w + 1.0 for w in model.get_weights()]  # stands in for best.keras's weights
    fetched = []

    def best_weights() -> list:
        fetched.append(True)
        return best

    def replayed(val_loss: list[float], best_epoch: int) -> keras.callbacks.EarlyStopping:
        early = keras.callbacks.EarlyStopping(patience=5, restore_best_weights=True)
        history = {"epoch": list(range(1, len(val_loss) + 1)), "val_loss": val_loss}
        state = RunState("", len(val_loss), best_epoch=best_epoch, history=history)
        for callback in (early, ResumedCallbacks([early], state, best_weights)):
            callback.set_model(model)
            callback.on_train_begin()
        return early

    early = replayed([1.0, 0.5, 0.6], best_epoch=2)
    assert early.best_epoch == 1 and early.best_weights is best
    fetched.clear()
    early = replayed([1.0, 0.6, 0.5], best_epoch=3)  # the best is the resumed model itself
    assert not fetched and early.best_epoch == 2
    assert all((a == b).all() for a, b in zip(early.best_weights, model.get_weights(), strict=True))


def test_out_of_memory_is_one_line_and_keeps_the_finished_epochs(
    tmp_path: Path, monkeypatch, capsys
) -> None:
    import keras
    import tensorflow as tf

    from zoo.cli import main
    from zoo.training import run as training_run

    class AllocationFails(keras.callbacks.Callback):
        """What TensorFlow raises when a batch's tensors do not fit, at epoch 3."""

        def on_epoch_begin(self, epoch: int, logs=None) -> None:
            if epoch == 2:
                raise tf.errors.ResourceExhaustedError(None, None, "OOM when allocating")

    own = training_run.spec_callbacks
    monkeypatch.setattr(
        training_run, "spec_callbacks", lambda spec: [*own(spec), AllocationFails()]
    )
    spec_path = tmp_path / "spec.yaml"
    spec_path.write_text(yaml.safe_dump({**SPEC, "train": {"epochs": 4, "batch_size": 8}}))
    code = main(["train", str(spec_path), "--runs", str(tmp_path / "runs"), "-q"])
    err = capsys.readouterr().err
    assert code == 2 and len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert "out of memory training at train.batch_size 8: lower it " in err
    assert "epochs 1-2 are kept" in err
    (run_directory,) = (tmp_path / "runs").iterdir()
    assert f"--resume {run_directory} --set train.batch_size=4 continues" in err
    state = json.loads((run_directory / "state.json").read_text())
    assert state["epochs_done"] == 2 and state["status"] == "out of memory"
    assert (run_directory / "last.keras").is_file()

    monkeypatch.setattr(training_run, "spec_callbacks", own)  # smaller batches fit
    code = main(["train", "--resume", str(run_directory), "--set", "train.batch_size=4", "-q"])
    assert code == 0
    resumed = RunState.load(run_directory)
    assert resumed.epochs_done == 4 and resumed.history["epoch"] == [1, 2, 3, 4]
    assert json.loads((run_directory / "state.json").read_text())["status"] == "complete"
    # the run's spec says how its later epochs were trained
    assert load_spec(run_directory / "spec.yaml").train.batch_size == 4


def test_a_resumed_run_may_change_only_how_it_goes_on(tmp_path: Path, capsys) -> None:
    from zoo.cli import main

    directory = tmp_path / "run"
    directory.mkdir()
    RunState(spec_folder=str(tmp_path)).save(directory)
    code = main(["train", "--resume", str(directory), "--set", "model.units=8"])
    err = capsys.readouterr().err
    assert code == 2 and len(err.splitlines()) == 1
    assert err.startswith("error: --set model.units: a resumed run keeps the model, data and")
    assert "train.epochs, train.batch_size, train.steps_per_epoch" in err
