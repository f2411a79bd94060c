"""Models load in Keras's safe mode: every command that loads a .keras file refuses one
holding a Lambda layer (Python code that runs on loading) unless given --unsafe."""

from __future__ import annotations

import zipfile
from pathlib import Path

import keras
import numpy as np
import pytest
import yaml

import zoo
from zoo.cli import main
from zoo.errors import UserError
from zoo.saving import read_record
from zoo.training import train
from zoo.training.records import LAST, STATE_MEMBER, RunState

SPEC = {
    "version": 1,
    "name": "lambda_lm",
    "architecture": "language_model",
    "cell": "rnn",
    "inputs": {"length": 5, "vocab_size": 30, "embedding": {"dim": 4}},
    "model": {"units": 4},
    "data": {"source": "text", "args": {"path": "corpus.txt", "length": 5}},
    "train": {"epochs": 1, "batch_size": 8, "steps_per_epoch": 1},
}


@pytest.fixture(scope="module")
def lambda_run(tmp_path_factory) -> Path:
    """A trained run whose best.keras and last.keras carry a Lambda layer on the output,
    saved the project's way (spec, vocabulary and run state inside the file)."""
    folder = tmp_path_factory.mktemp("lambda")
    (folder / "corpus.txt").write_text("the quick brown fox jumps over the lazy dog " * 6)
    (folder / "spec.yaml").write_text(yaml.safe_dump(SPEC))
    run = train(folder / "spec.yaml", runs=folder / "runs", verbose=0)
    trained = zoo.load_model(run.directory / "best.keras")
    identity = keras.layers.Lambda(lambda t: t * 1.0)(trained.output)
    model = keras.Model(trained.input, identity)
    # The trained optimizer, built already: its saved variables match on loading.
    model.compile(optimizer=trained.optimizer, loss=trained.loss)
    record = read_record(run.directory / "best.keras")
    zoo.save_model(model, run.directory / "best.keras", record)
    state = RunState.load(run.directory)
    zoo.save_model(model, run.directory / LAST, record, members={STATE_MEMBER: state.to_json()})
    np.save(folder / "tokens.npy", np.ones((2, 5), dtype="int32"))
    return run.directory


COMMANDS = {
    "evaluate": ["evaluate", "{run}"],
    "predict": ["predict", "{run}", "{folder}/tokens.npy"],
    "generate": ["generate", "{run}", "--prime", "the", "--length", "2", "--temperature", "0"],
    "diagnose": ["diagnose", "{run}", "-o", "{folder}/gradients.png"],
    "train --resume": ["train", "--resume", "{run}", "-q"],
}


@pytest.mark.parametrize("command", list(COMMANDS))
def test_lambda_layer_is_refused_without_unsafe(capsys, lambda_run: Path, command: str) -> None:
    argv = [a.format(run=lambda_run, folder=lambda_run.parents[1]) for a in COMMANDS[command]]
    code = main(argv)
    _, err = capsys.readouterr()
    loaded = lambda_run / (LAST if command == "train --resume" else "best.keras")
    assert code == 2
    assert err.splitlines() == [
        f"error: {loaded}: refused to load: the model holds Python code (a Lambda layer) that "
        "would run on loading; if you trust this file, pass --unsafe (Python: unsafe=True)"
    ]
    assert main([*argv, "--unsafe"]) == 0, capsys.readouterr().err


def test_load_model_refuses_a_lambda_layer_unless_unsafe(lambda_run: Path) -> None:
    with pytest.raises(UserError, match=r"holds Python code \(a Lambda layer\)"):
        zoo.load_model(lambda_run / "best.keras")
    model = zoo.load_model(lambda_run / "best.keras", unsafe=True)
    assert isinstance(model.layers[-1], keras.layers.Lambda)
    assert read_record(lambda_run / "best.keras").spec.name == "lambda_lm"


def test_a_file_that_is_not_a_keras_model_is_one_line(capsys, tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.keras"
    garbage.write_bytes(b"\x00\xffnot a zip")
    no_config = tmp_path / "no_config.keras"
    with zipfile.ZipFile(no_config, "w") as archive:
        archive.writestr("zoo_spec.yaml", yaml.safe_dump(SPEC))
    assert main(["evaluate", str(garbage)]) == 2
    assert capsys.readouterr().err == f"error: {garbage}: not a .keras model file\n"
    assert main(["evaluate", str(no_config)]) == 2
    assert capsys.readouterr().err == (
        f"error: {no_config}: not a .keras model file (no config.json)\n"
    )


def test_zoo_serve_refuses_a_lambda_layer_unless_unsafe(capsys, lambda_run: Path) -> None:
    assert main(["serve", str(lambda_run), "--port", "0"]) == 2
    assert "refused to load: the model holds Python code" in capsys.readouterr().err
    from fastapi.testclient import TestClient

    from zoo.serving import create_app

    with TestClient(create_app(lambda_run, unsafe=True)) as http:
        assert http.get("/health").json()["model"] == "lambda_lm"
