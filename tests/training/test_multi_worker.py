"""train.distribute: multi_worker: the cluster read and checked (one line for every
mistake), the batches sliced between workers, and on loopback two worker processes
giving a one-process run's losses, a worker killed mid-epoch and the run resumed."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from zoo.cli import main
from zoo.errors import UserError
from zoo.training import cluster
from zoo.training.multi_worker import shard
from zoo.tuning.launch import free_port

SPEC = {
    "version": 1,
    "name": "tiny_team",
    "architecture": "many_to_one",
    "cell": "lstm",
    "seed": 0,
    "inputs": {"length": 5, "features": 2},
    "model": {"units": 4},
    "outputs": {"units": 1},
    # clipping that acts: the workers must clip the global gradient, as one process does
    "compile": {"clipnorm": 0.05, "metrics": ["mae"]},
    "data": {"source": "adding", "args": {"samples": 1250, "length": 5}},
    "train": {
        "epochs": 4,
        "batch_size": 16,
        "distribute": "multi_worker",
        # its decisions, replayed on resume, must be the same on every worker and alone
        "callbacks": [{"name": "reduce_lr_on_plateau", "args": {"patience": 1, "factor": 0.5}}],
    },
}


def write_spec(folder: Path, **train: object) -> Path:
    path = folder / "team.yaml"
    path.write_text(yaml.safe_dump({**SPEC, "train": {**SPEC["train"], **train}}))
    return path


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (("a:1,b", 0), "--cluster: 'b' is not HOST:PORT (e.g. 10.0.0.2:2222)"),
        (("a:1", 0), "--cluster: 'a:1' names one worker; give every worker's HOST:PORT"),
        (("a:1,a:1", 0), "--cluster: 'a:1,a:1' names a worker twice"),
        (("a:1,b:99999", 0), "--cluster: 'b:99999' is not HOST:PORT"),
        (("a:1,b:2", None), "--cluster needs --task-index I"),
        (("a:1,b:2", 2), "--task-index: 2 is not one of the 2 workers in --cluster (0 to 1)"),
    ],
)
def test_cluster_flags_are_checked(flags, message) -> None:
    with pytest.raises(UserError, match=message.replace("(", r"\(").replace(")", r"\)")):
        cluster.from_flags(*flags)


def test_the_flags_write_tf_config(monkeypatch) -> None:
    monkeypatch.delenv(cluster.TF_CONFIG, raising=False)
    found = cluster.resolve("10.0.0.1:2222, 10.0.0.2:2222", 1)
    assert found == cluster.Cluster(("10.0.0.1:2222", "10.0.0.2:2222"), 1)
    assert not found.is_chief and found.address == "10.0.0.2:2222"
    assert json.loads(os.environ[cluster.TF_CONFIG]) == {
        "cluster": {"worker": ["10.0.0.1:2222", "10.0.0.2:2222"]},
        "task": {"type": "worker", "index": 1},
    }
    assert cluster.resolve(None, None) == found  # read back from TF_CONFIG
    monkeypatch.delenv(cluster.TF_CONFIG)
    assert cluster.resolve(None, None) is None
    with pytest.raises(UserError, match="--task-index names this worker's place"):
        cluster.resolve(None, 0)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{not json", "TF_CONFIG: not JSON"),
        ('{"task": {"type": "worker", "index": 0}}', "TF_CONFIG: no cluster"),
        ('{"cluster": {"worker": ["a:1"]}}', "TF_CONFIG: no task"),
        ('{"cluster": {"worker": ["a:1"]}, "task": {"type": "ps", "index": 0}}', "task.type 'ps'"),
        (
            '{"cluster": {"worker": ["a:1"]}, "task": {"type": "worker", "index": 3}}',
            "task.index 3",
        ),
        (
            '{"cluster": {"worker": "a:1"}, "task": {"type": "worker", "index": 0}}',
            'cluster.worker must be a list, got "a:1"',
        ),
        ('{"cluster": {"worker": ["a"]}, "task": {"type": "worker", "index": 0}}', "'a' is not"),
        (
            '{"cluster": {"worker": ["a:1"]}, "task": {"type": "worker", "index": true}}',
            "task.index must be a whole number, got true",
        ),
    ],
)
def test_a_malformed_tf_config_is_one_line(text, message) -> None:
    with pytest.raises(UserError, match=message):
        cluster.from_tf_config(text)


def test_a_chief_job_counts_as_task_zero() -> None:
    config = {"cluster": {"chief": ["c:1"], "worker": ["w:1", "w:2"]}}
    as_worker = cluster.from_tf_config(
        json.dumps({**config, "task": {"type": "worker", "index": 1}})
    )
    assert as_worker == cluster.Cluster(("c:1", "w:1", "w:2"), 2)
    as_chief = cluster.from_tf_config(json.dumps({**config, "task": {"type": "chief", "index": 0}}))
    assert as_chief.is_chief


def test_batches_are_sliced_evenly_or_skipped_together() -> None:
    assert [shard(16, 2, t) for t in (0, 1)] == [slice(0, 8), slice(8, 16)]
    assert [shard(5, 2, t) for t in (0, 1)] == [slice(0, 3), slice(3, 5)]
    assert [shard(7, 3, t) for t in (0, 1, 2)] == [slice(0, 3), slice(3, 6), slice(6, 7)]
    assert [shard(1, 2, t) for t in (0, 1)] == [None, None]  # too small for every worker
    assert [shard(4, 3, t) for t in (0, 1, 2)] == [None, None, None]


def run(capsys, *argv: object) -> tuple[int, str]:
    code = main([str(a) for a in argv])
    return code, capsys.readouterr().err


def test_cli_mistakes_are_one_line(tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.delenv(cluster.TF_CONFIG, raising=False)
    spec = write_spec(tmp_path)
    runs = ["--runs", tmp_path / "runs"]
    code, err = run(capsys, "train", spec, *runs)
    assert code == 2 and err.count("\n") == 1
    assert "train.distribute multi_worker: give the cluster, --cluster HOST:PORT" in err
    code, err = run(capsys, "train", "hello", "--cluster", "a:1,b:2", "--task-index", "0", *runs)
    assert code == 2 and "--cluster: hello trains on one machine; add --set" in err
    monkeypatch.setenv(cluster.TF_CONFIG, '{"cluster": []}')
    code, err = run(capsys, "train", spec, *runs)
    assert (code, err) == (2, "error: TF_CONFIG: cluster must be a mapping, got []\n")
    # another tool's TF_CONFIG is no concern of a one-machine spec: it trains
    one_machine = ["--set", "train.distribute=null", "--set", "train.epochs=1", "-q"]
    code, _ = run(capsys, "train", spec, *one_machine, *runs)
    assert code == 0
    shutil.rmtree(tmp_path / "runs")
    monkeypatch.delenv(cluster.TF_CONFIG)
    with socket.socket() as held:  # another program listens on the chief's port
        held.bind(("", 0))
        held.listen()
        port = held.getsockname()[1]
        flags = ["--cluster", f"127.0.0.1:{port},127.0.0.1:{free_port()}", "--task-index", "0"]
        code, err = run(capsys, "train", spec, *flags, *runs)
    assert code == 2 and f"127.0.0.1:{port}: port {port} is in use on this machine" in err
    assert not (tmp_path / "runs").exists()


class Worker:
    """``zoo train`` as a worker process, its output in files (pipes can fill and block)."""

    def __init__(self, folder: Path, spec: Path, index: int, flags: list[str], *extra: str):
        command = [sys.executable, "-m", "zoo.cli", "train", *(extra or [str(spec)]), *flags]
        self.out, self.err = (folder / f"{index}-{time.monotonic_ns()}.{n}" for n in "oe")
        with self.out.open("w") as out, self.err.open("w") as err:
            self.process = subprocess.Popen(
                [*command, "--task-index", str(index)], stdout=out, stderr=err
            )

    def finish(self, timeout: float) -> tuple[int, str, str]:
        code = self.process.wait(timeout=timeout)
        return code, self.out.read_text(), self.err.read_text()


def epochs_done(runs: Path) -> int:
    states = list(runs.glob("*/state.json"))
    try:
        return json.loads(states[0].read_text())["epochs_done"] if states else 0
    except ValueError:  # being replaced as we read
        return 0


@pytest.mark.slow
def test_two_workers_give_one_process_s_losses_through_a_kill_and_resume(tmp_path: Path) -> None:
    from zoo.training import train

    spec = write_spec(tmp_path)
    runs = tmp_path / "runs"
    flags = ["--cluster", f"127.0.0.1:{free_port()},127.0.0.1:{free_port()}", "-q"]
    worker = Worker(tmp_path, spec, 1, flags)
    chief = Worker(tmp_path, spec, 0, [*flags, "--runs", str(runs)])
    deadline = time.monotonic() + 120
    while epochs_done(runs) < 1 and chief.process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    worker.process.send_signal(signal.SIGKILL)  # mid-epoch 2
    worker.finish(timeout=10)
    code, _, err = chief.finish(timeout=120)  # its health check finds the worker gone
    assert code == 2, err[-3000:]
    (directory,) = runs.iterdir()
    assert (
        err.strip()
        .splitlines()[-1]
        .startswith("error: tiny_team: a worker stopped answering (TensorFlow's ")
    )
    assert f"kept in {directory}: restart every worker, this one with zoo train --resume" in err
    kept = json.loads((directory / "state.json").read_text())["epochs_done"]
    assert 1 <= kept < 4

    worker = Worker(tmp_path, spec, 1, flags)
    chief = Worker(tmp_path, spec, 0, flags, "--resume", str(directory))
    code, _, err = chief.finish(timeout=180)
    assert code == 0, err[-3000:]
    code, out, _ = worker.finish(timeout=60)
    assert code == 0
    assert "worker 1 trained 4 epochs" in out and "the chief (task 0) keeps" in out
    state = json.loads((directory / "state.json").read_text())
    assert state["status"] == "complete" and state["history"]["epoch"] == [1, 2, 3, 4]
    results = json.loads((directory / "results.json").read_text())
    assert set(results["metrics"]) == {"loss", "mae"}

    alone = train(spec, {"train.distribute": None}, runs=tmp_path / "alone", verbose=0)
    for name in ("loss", "mae", "val_loss", "val_mae"):
        assert state["history"][name] == pytest.approx(alone.state.history[name], abs=1e-5)
    steps = [row[0] for row in state["gradient_norms"]]
    assert steps == [row[0] for row in alone.state.gradient_norms]  # none lost, none twice
    for ours, theirs in zip(state["gradient_norms"], alone.state.gradient_norms, strict=True):
        assert ours[1:] == pytest.approx(theirs[1:], rel=1e-4)  # before and after clipping
    assert results["metrics"]["loss"] == pytest.approx(alone.test_metrics["loss"], abs=1e-5)
