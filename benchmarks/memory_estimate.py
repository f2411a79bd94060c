"""The cost estimate's memory against what training measures: the part of a training
step that grows with the batch (the activations kept for backpropagation, attention's
scores, the gradients), estimated from the spec by zoo/spec/cost.py, beside the growth
of the process's resident memory over that step.

Each spec trains in a fresh process at a batch chosen so that the estimate is about
--target: the model is built and one step of a single example compiles the training
step and allocates the weights and optimizer slots; then the peak resident set is reset
(Linux's /proc/self/clear_refs) and three steps of the full batch run. What the peak
rose above the resident set before them is the measurement. The table gives medians
over --repeats processes and the ratio estimate / measured (1.0: exact; the refusal
needs it within a factor of 2).

    python benchmarks/memory_estimate.py [--specs adding_lstm tagger_bigru ...]
                                         [--target 256MiB] [--repeats 3]
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import zoo
from zoo.spec.cost import Cost, estimate, format_bytes, parse_size

SPECS = ("adding_lstm", "tagger_bigru", "seq2seq_reversal", "char_lstm")
STEPS = 3  # full-batch steps measured


def growing_bytes(cost: Cost) -> int:
    """What a step holds beyond the weights and optimizer slots, allocated before it."""
    return cost.gradient_bytes + cost.activation_bytes + cost.attention_bytes


def batch_for(spec_name: str, target: int) -> int:
    """The batch at which the estimate's growing part is about ``target`` bytes."""
    one = growing_bytes(estimate(zoo.load_spec(spec_name, {"train.batch_size": 1})))
    two = growing_bytes(estimate(zoo.load_spec(spec_name, {"train.batch_size": 2})))
    per_example = max(1, two - one)
    return max(1, math.ceil((target - (one - per_example)) / per_example))


@dataclass
class Measured:
    spec: str
    batch: int
    estimated: int
    measured: list[int]

    @property
    def ratio(self) -> float:
        return self.estimated / statistics.median(self.measured)


def measure(spec_name: str, batch: int, repeats: int) -> Measured:
    spec = zoo.load_spec(spec_name, {"train.batch_size": batch})
    measured = []
    for _ in range(repeats):
        done = subprocess.run(
            [sys.executable, __file__, "--child", spec_name, "--batch", str(batch)],
            capture_output=True,
            text=True,
            check=True,
        )
        measured.append(json.loads(done.stdout.strip().splitlines()[-1])["grown"])
    return Measured(spec_name, batch, growing_bytes(estimate(spec)), measured)


def child(spec_name: str, batch: int) -> None:
    """In a fresh process: build, compile the step on one example, then measure how far
    the resident set grows over full-batch steps."""
    import os

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import gc

    import numpy as np

    from zoo.data import load_splits
    from zoo.spec.shipped import spec_folder
    from zoo.training.run import build_fitted

    spec = zoo.load_spec(spec_name, {"train.batch_size": batch})
    splits = load_splits(spec, spec_folder(spec_name))
    model = build_fitted(spec, splits)
    train = splits.train
    index = np.resize(np.arange(len(train)), batch)  # repeated where the split is smaller
    x = [a[index] for a in train.x] if isinstance(train.x, list) else train.x[index]
    y = train.y[index]
    first = [a[:1] for a in x] if isinstance(x, list) else x[:1]
    model.train_on_batch(first, y[:1])  # weights, slots and the compiled step exist now
    gc.collect()
    before = _resident()
    Path("/proc/self/clear_refs").write_text("5")  # the peak resident set starts again here
    for _ in range(STEPS):
        model.train_on_batch(x, y)
    print(json.dumps({"grown": max(0, _peak() - before)}))


def _status(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"no {field} in /proc/self/status")


def _resident() -> int:
    return _status("VmRSS")


def _peak() -> int:
    return _status("VmHWM")


def table(rows: list[Measured]) -> str:
    lines = [
        f"{'spec':<18} {'batch':>6} {'estimated':>11} {'measured':>11} {'estimated/measured':>19}"
    ]
    for row in rows:
        measured = statistics.median(row.measured)
        lines.append(
            f"{row.spec:<18} {row.batch:>6} {format_bytes(row.estimated):>11} "
            f"{format_bytes(int(measured)):>11} {row.ratio:>19.2f}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--specs", nargs="+", default=list(SPECS))
    parser.add_argument("--target", default="256MiB", help="the estimate to size batches for")
    parser.add_argument("--repeats", type=int, default=3, help="fresh processes per spec")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--batch", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child, args.batch)
        return
    if not Path("/proc/self/clear_refs").exists():
        sys.exit("this benchmark reads Linux's /proc: run it on Linux")
    target = parse_size(args.target)
    rows = [measure(name, batch_for(name, target), args.repeats) for name in args.specs]
    print(f"growth of the resident set over {STEPS} training steps; medians of {args.repeats}")
    print(table(rows))


if __name__ == "__main__":
    main()
