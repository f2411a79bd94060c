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

from zoo.training import train

SPEC = {
    "version": 1,
    "name": "resumable",
    "architecture": "many_to_one",
    "cell": "gru",
    "inputs": {"length": 10, "features": 2},
    "model": {"units": 8},
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


def test_resume_needs_a_run_directory(tmp_path: Path) -> None:
    from zoo.errors import UserError

    with pytest.raises(UserError, match="not a run directory"):
        train(resume=tmp_path, verbose=0)
