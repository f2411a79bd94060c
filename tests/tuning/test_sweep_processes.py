"""Sweeps as processes: killed and resumed, restarted to give memory back, and run by
a chief and worker processes over loopback with a worker killed mid-trial."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

SPEC = {
    "version": 1,
    "name": "process_sweep",
    "architecture": "many_to_one",
    "cell": "gru",
    "inputs": {"length": 5, "features": 2},
    "model": {"units": 4},
    "outputs": {"units": 1},
    "data": {"source": "adding", "args": {"samples": 256, "length": 5}},
    "train": {"epochs": 2, "batch_size": 16},
    "tune": {
        "max_trials": 4,
        "space": {"cell": {"choice": ["rnn", "lstm", "gru"]}, "model.units": {"int": [2, 16]}},
    },
}


def zoo_tune(folder: Path, *extra: str, **popen: object) -> subprocess.Popen:
    spec = folder / "sweep.yaml"
    if not spec.exists():
        spec.write_text(yaml.safe_dump(SPEC))
    command = [sys.executable, "-m", "zoo.cli", "tune", str(spec), "--dir", str(folder / "sweep")]
    return subprocess.Popen([*command, *extra], text=True, **popen)  # type: ignore[call-overload]


def trials(folder: Path) -> dict[str, dict]:
    """Keras Tuner's own record of each trial, by id."""
    found = {}
    for path in (folder / "sweep" / "keras_tuner").glob("trial_*/trial.json"):
        try:
            trial = json.loads(path.read_text())
        except (OSError, ValueError):
            continue
        found[trial["trial_id"]] = trial
    return found


def wait_for(condition: Callable[[], object], process: subprocess.Popen, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert process.poll() is None, "the sweep ended before the moment to interrupt it"
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def completed(folder: Path) -> dict[str, float]:
    return {id_: t["score"] for id_, t in trials(folder).items() if t["status"] == "COMPLETED"}


def csv_rows(folder: Path) -> list[dict[str, str]]:
    with (folder / "sweep" / "trials.csv").open() as file:
        return list(csv.DictReader(file))


@pytest.mark.slow
def test_killed_sweep_resumes_without_redoing_finished_trials(tmp_path: Path) -> None:
    process = zoo_tune(tmp_path, "-q", stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    running = lambda: any(t["status"] == "RUNNING" for t in trials(tmp_path).values())  # noqa: E731
    wait_for(lambda: len(completed(tmp_path)) >= 1 and running(), process, 180)
    process.send_signal(signal.SIGKILL)
    process.wait()
    finished = completed(tmp_path)
    assert 1 <= len(finished) < 4

    resumed = zoo_tune(tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = resumed.communicate(timeout=300)
    assert resumed.returncode == 0, err
    assert f"resuming the sweep in {tmp_path / 'sweep'}: {len(finished)} trials done" in out
    started = [
        line.split(":")[0].split()[1]
        for line in out.splitlines()
        if line.startswith("trial ") and " done" not in line
    ]
    assert started and not set(started) & set(finished), "a finished trial ran again"
    rows = csv_rows(tmp_path)
    assert len(rows) == 4 and all(r["status"] == "COMPLETED" for r in rows)
    for row in rows:  # the trials finished before the kill keep their results
        if row["trial"] in finished:
            assert float(row["val_loss"]) == pytest.approx(finished[row["trial"]])


def worker_pid(worker_id: str) -> int | None:
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            arguments = cmdline.read_bytes().split(b"\0")
        except OSError:
            continue
        if b"--worker" in arguments and worker_id.encode() in arguments:
            return int(cmdline.parent.name)
    return None


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/cmdline").exists(), reason="finds workers in /proc")
def test_chief_and_two_workers_on_loopback_survive_a_killed_worker(tmp_path: Path) -> None:
    process = zoo_tune(tmp_path, "--workers", "2", stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    oracle = tmp_path / "sweep" / "keras_tuner" / "oracle.json"

    def worker1_busy() -> bool:
        try:
            ongoing = json.loads(oracle.read_text())["ongoing_trials"]
        except (OSError, ValueError, KeyError):
            return False
        return "worker1" in ongoing and worker_pid("worker1") is not None

    wait_for(worker1_busy, process, 240)
    os.kill(worker_pid("worker1"), signal.SIGKILL)  # type: ignore[arg-type]
    out, err = process.communicate(timeout=400)
    assert process.returncode == 0, err
    assert "worker1 exited with code -9; restarting it" in out
    rows = csv_rows(tmp_path)
    assert sorted(r["trial"] for r in rows) == ["0", "1", "2", "3"]
    assert all(r["status"] == "COMPLETED" for r in rows)
    done_lines = [line for line in out.splitlines() if " done: " in line]
    done_ids = [line.split("trial ")[1].split()[0] for line in done_lines]
    assert sorted(done_ids) == ["0", "1", "2", "3"], "each trial should finish exactly once"
    assert {line.split("]")[0] for line in done_lines} <= {"[worker0", "[worker1"}
