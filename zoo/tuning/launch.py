"""``zoo tune --workers N``: a chief and N workers as processes on this machine.

This module starts processes only; it never imports TensorFlow or Keras Tuner,
so the launcher stays light while its children do the work.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Sequence

from zoo.errors import UserError

POLL_SECONDS = 0.5
MAX_RESTARTS = 3  # per worker: a worker that keeps dying points at a real problem


def parse_address(text: str, flag: str) -> tuple[str, int]:
    """ "HOST:PORT" -> (host, port), or a UserError naming the flag."""
    host, sep, port = text.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise UserError(f"{flag}: expected HOST:PORT (e.g. 127.0.0.1:8470), got {text!r}")
    return host, int(port)


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


def wait_until_listening(host: str, port: int, chief: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if chief.poll() is not None:
            raise UserError(f"the chief exited (code {chief.returncode}) before serving")
        with socket.socket() as probe:
            if probe.connect_ex((host, port)) == 0:
                return
        time.sleep(POLL_SECONDS)
    raise UserError(f"the chief did not start serving on {host}:{port} within {timeout:.0f} s")


def run_local_workers(tune_argv: Sequence[str], workers: int, overwrite: bool) -> int:
    """A chief and ``workers`` worker processes on this machine, over loopback.

    A worker that dies (killed, out of memory) is started again under the same id,
    so the chief hands it back the trial it was running: the sweep loses nothing.
    """
    port = free_port()
    address = f"127.0.0.1:{port}"
    command = [sys.executable, "-m", "zoo.cli", "tune", *tune_argv]
    chief = subprocess.Popen(
        [*command, "--chief", address, *(["--overwrite"] if overwrite else [])]
    )
    processes: dict[str, subprocess.Popen] = {}
    try:
        wait_until_listening("127.0.0.1", port, chief, timeout=300)

        def start(worker_id: str) -> subprocess.Popen:
            return subprocess.Popen([*command, "--worker", address, "--id", worker_id])

        processes = {f"worker{k}": start(f"worker{k}") for k in range(workers)}
        restarts = dict.fromkeys(processes, 0)
        while chief.poll() is None:
            time.sleep(POLL_SECONDS)
            for worker_id, process in processes.items():
                code = process.poll()
                if code in (None, 0):
                    continue
                if restarts[worker_id] >= MAX_RESTARTS:
                    raise UserError(
                        f"{worker_id} failed {MAX_RESTARTS + 1} times (exit code {code})"
                    )
                restarts[worker_id] += 1
                print(f"{worker_id} exited with code {code}; restarting it", flush=True)
                processes[worker_id] = start(worker_id)
        return chief.returncode
    finally:
        for process in [*processes.values(), chief]:
            if process.poll() is None:
                process.terminate()
                process.wait(timeout=30)
