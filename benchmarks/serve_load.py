"""Requests per second and latency of ``zoo serve`` under concurrent clients, with
batching on and off, against the same examples through ``zoo predict``'s forward pass
in this process (the reference: what the model costs without HTTP).

For each setting a ``zoo serve`` process is started on a free loopback port; --clients
clients each send one-text /predict requests back to back for --seconds; one malformed
request goes in among them, and must be refused without disturbing the others. Printed:
requests per second, p50 and p99 latency, errors among the well-formed requests (must
be 0), the mean examples per forward pass the server ran (from /health), and each
throughput as a ratio to the in-process reference's examples per second.

The clients share the machine with the server: on a small machine they take some of
its CPU, so the ratios are a floor.

    python benchmarks/serve_load.py [RUN_DIR|MODEL] [--clients 200] [--seconds 10]

Without a model, the shipped sentiment_bilstm is trained for one epoch on its sample
(speed does not depend on the weights).
"""

from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")  # before TensorFlow loads: no C++ chatter

import argparse
import asyncio
import json
import re
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TEXTS = [
    "a wonderful film, warm and funny",
    "dull, slow and far too long",
    "the acting was fine but the story went nowhere",
    "I laughed from start to finish",
]


@dataclass
class Load:
    """What one setting measured."""

    name: str
    seconds: float
    latencies_s: list[float]  # of the well-formed requests answered 200
    errors: int  # well-formed requests not answered 200
    refused: bool  # whether the malformed request got its 4xx
    mean_batch: float | None = None

    @property
    def per_second(self) -> float:
        return len(self.latencies_s) / self.seconds

    def percentile(self, share: float) -> float:
        """The latency below which ``share`` of the requests were answered, in ms."""
        ordered = sorted(self.latencies_s)
        if not ordered:
            return float("nan")
        return 1000 * ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def table(loads: list[Load], reference_per_second: float) -> str:
    header = ["setting", "req/s", "p50 ms", "p99 ms", "errors", "bad one refused"]
    header += ["mean batch", "/in-process"]
    rows = [header]
    for load in loads:
        rows.append(
            [
                load.name,
                f"{load.per_second:.0f}",
                f"{load.percentile(0.5):.1f}",
                f"{load.percentile(0.99):.1f}",
                str(load.errors),
                "yes" if load.refused else "NO",
                "" if load.mean_batch is None else f"{load.mean_batch:.1f}",
                f"{load.per_second / reference_per_second:.2f}",
            ]
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    return "\n".join(
        "  ".join(
            cell.ljust(w) if i == 0 else cell.rjust(w)
            for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        )
        for row in rows
    )


def in_process(target: Path, examples: int, repeats: int = 5) -> float:
    """Examples per second through zoo predict's forward pass, batched as the server
    batches them (median of ``repeats``)."""
    import numpy as np

    from zoo.inference.forward import CompiledForward
    from zoo.opening import open_model

    model = open_model(target).model
    forward = CompiledForward(model, 256, buckets=True)
    texts = np.array([TEXTS[i % len(TEXTS)] for i in range(examples)], dtype=object)
    forward(texts)  # trace once, outside the timing
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        forward(texts)
        times.append(time.perf_counter() - start)
    return examples / statistics.median(times)


async def clients(address: str, count: int, seconds: float) -> tuple[list[float], int, bool]:
    import httpx2

    latencies: list[float] = []
    errors = 0
    limits = httpx2.Limits(max_connections=count, max_keepalive_connections=count)
    async with httpx2.AsyncClient(base_url=address, limits=limits, timeout=60) as http:
        deadline = time.perf_counter() + seconds

        async def client(index: int) -> None:
            nonlocal errors
            i = index
            while time.perf_counter() < deadline:
                body = {"texts": [TEXTS[i % len(TEXTS)]]}
                start = time.perf_counter()
                answer = await http.post("/predict", json=body)
                if answer.status_code == 200 and answer.json()["predictions"][0]["label"]:
                    latencies.append(time.perf_counter() - start)
                else:
                    errors += 1
                i += 1

        async def malformed() -> bool:
            await asyncio.sleep(seconds / 2)  # in the middle of the load
            answer = await http.post("/predict", content=b'{"texts": [')
            return answer.status_code == 400

        *_, refused = await asyncio.gather(*(client(i) for i in range(count)), malformed())
    return latencies, errors, refused


def serve(target: Path, batching: bool) -> tuple[subprocess.Popen, str]:
    command = [sys.executable, "-c", "from zoo.cli import main; main()", "serve", str(target)]
    command += ["--port", "0", *([] if batching else ["--no-batching"])]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    for line in process.stdout:
        found = re.search(r"on (http://127\.0\.0\.1:\d+/)", line)
        if found:
            address = found.group(1)
            break
    else:
        raise SystemExit(f"zoo serve stopped: exit code {process.wait()}")
    while True:  # listening once the model is warm
        try:
            urllib.request.urlopen(address + "health", timeout=5).close()
            return process, address
        except OSError:
            time.sleep(0.2)


def measure(target: Path, batching: bool, count: int, seconds: float) -> Load:
    process, address = serve(target, batching)
    try:
        start = time.perf_counter()
        latencies, errors, refused = asyncio.run(clients(address, count, seconds))
        elapsed = time.perf_counter() - start
        with urllib.request.urlopen(address + "health") as answer:
            mean_batch = json.load(answer)["mean_batch"]
    finally:
        process.terminate()
        process.wait()
        process.stdout.close()
    name = "serve, batching" if batching else "serve, one pass each"
    return Load(name, elapsed, latencies, errors, refused, mean_batch)


def trained(folder: Path) -> Path:
    from zoo.cli import main

    argv = ["train", "sentiment_bilstm", "--runs", str(folder), "-q", "--set", "train.epochs=1"]
    if main(argv) != 0:
        raise SystemExit("could not train sentiment_bilstm")
    (run,) = folder.iterdir()
    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("target", type=Path, nargs="?", metavar="RUN_DIR|MODEL")
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        target = args.target or trained(Path(folder))
        reference = in_process(target, args.clients)
        loads = [
            measure(target, batching, args.clients, args.seconds) for batching in (True, False)
        ]
    print(
        f"{args.clients} clients for {args.seconds:g} s each; in-process forward pass "
        f"(the reference): {reference:.0f} examples/s in batches of {args.clients}"
    )
    print(table(loads, reference))
    if any(load.errors or not load.refused for load in loads):
        raise SystemExit(
            "errors: a well-formed request failed, or the malformed one was not refused"
        )


if __name__ == "__main__":
    main()
