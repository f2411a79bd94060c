"""zoo train / evaluate / predict / generate from the command line."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml

from zoo.cli import main

SPEC = {
    "version": 1,
    "name": "cli_tiny",
    "architecture": "many_to_one",
    "cell": "rnn",
    "inputs": {"length": 6, "features": 2},
    "model": {"units": 4},
    "outputs": {"units": 1},
    "data": {"source": "adding", "args": {"samples": 60, "length": 6}},
    "train": {"epochs": 2, "batch_size": 16},
}


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def trained(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("cli")
    spec = folder / "spec.yaml"
    spec.write_text(yaml.safe_dump(SPEC))
    assert main(["train", str(spec), "--runs", str(folder / "runs"), "-q"]) == 0
    (directory,) = (folder / "runs").iterdir()
    return directory


def test_train_prints_a_summary(trained: Path) -> None:
    assert (trained / "best.keras").is_file()
    assert (trained / "history.png").stat().st_size > 1000


def test_train_user_mistakes_exit_2(capsys, tmp_path: Path) -> None:
    code, _, err = run(capsys, "train")
    assert (code, err) == (2, "error: give a spec to train, or --resume RUN_DIR\n")
    code, _, err = run(capsys, "train", "--resume", tmp_path)
    assert (code, err) == (2, f"error: {tmp_path}: not a run directory (no state.json)\n")
    spec = tmp_path / "s.yaml"
    spec.write_text(yaml.safe_dump({**SPEC, "data": {"source": "addding"}}))
    code, _, err = run(capsys, "train", spec, "--runs", tmp_path / "r")
    assert code == 2 and "data.source: must be 'adding'" in err
    assert not (tmp_path / "r").exists(), "nothing is written for an invalid spec"


def test_diverging_run_exits_3_naming_clipping(capsys, tmp_path: Path) -> None:
    spec = tmp_path / "s.yaml"
    spec.write_text(
        yaml.safe_dump({**SPEC, "compile": {"optimizer": {"name": "sgd", "learning_rate": 1e30}}})
    )
    code, _, err = run(capsys, "train", spec, "--runs", tmp_path / "r", "-q")
    assert code == 3
    assert "loss became NaN/inf at epoch 1" in err and "gradient clipping" in err


def test_evaluate(capsys, trained: Path) -> None:
    code, out, _ = run(capsys, "evaluate", trained)
    assert code == 0
    assert out.splitlines()[0] == f"{trained / 'best.keras'}: test split, 6 examples"
    assert "  loss: " in out and "baseline, mse of predicting the mean" in out


def test_predict(capsys, trained: Path, tmp_path: Path) -> None:
    inputs = tmp_path / "x.npy"
    np.save(inputs, np.zeros((3, 6, 2), dtype="float32"))
    code, out, _ = run(capsys, "predict", trained, inputs, "-o", tmp_path / "y.npy")
    assert (code, out.strip()) == (0, f"wrote {tmp_path / 'y.npy'}: shape (3, 1)")
    assert np.load(tmp_path / "y.npy").shape == (3, 1)
    code, _, err = run(capsys, "predict", trained, tmp_path / "none.npy")
    assert (code, err) == (2, f"error: {tmp_path / 'none.npy'}: no such file\n")


def test_generate_needs_a_language_model(capsys, trained: Path) -> None:
    code, _, err = run(capsys, "generate", trained, "--prime", "ab")
    assert code == 2 and "generate needs a language_model or seq2seq, this is a many_to_one" in err


def test_evaluate_on_other_data(capsys, trained: Path, tmp_path: Path, monkeypatch) -> None:
    # The same generator with another seed, all of it: a different set of examples.
    code, out, _ = run(
        capsys,
        "evaluate",
        trained,
        "--set",
        "data.seed=7",
        "--set",
        "data.test=0",
        "--set",
        "data.validation=0",
    )
    assert code == 0
    assert out.splitlines()[0] == f"{trained / 'best.keras'}: whole split, 60 examples"
    monkeypatch.chdir(tmp_path)
    np.savez(tmp_path / "mine.npz", x=np.zeros((4, 6, 2), "float32"), y=np.ones((4, 1), "float32"))
    code, out, _ = run(
        capsys,
        "evaluate",
        trained,
        "--set",
        "data.source=npz",
        "--set",
        "data.args={}",
        "--set",
        "data.args.path=mine.npz",
        "--set",
        "data.test=0",
        "--set",
        "data.validation=0",
    )
    assert code == 0 and "whole split, 4 examples" in out
