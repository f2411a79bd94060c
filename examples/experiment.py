"""What every script in examples/ shares: its command line, training a shipped spec,
the trained model and its test split, and the results table it writes.

A script runs one experiment from the RNN literature and writes NAME.md (a markdown
table) and NAME.png to --out (default examples/results/); --quick trains each spec
on a small sample for a few steps, which is what the tests run. --seeds N trains each
spec N times, with seeds 0 .. N-1 (the seed draws the initial weights and the data),
so each figure of the table is the mean ± the standard deviation over the seeds, and
NAME_seeds.csv holds one row per seed.
"""

from __future__ import annotations

import argparse
import csv
import io
import itertools
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from zoo._quiet import import_keras_quietly

import_keras_quietly()  # before anything loads TensorFlow: no start-up chatter
# An experiment trains and scores many models in one process, each with functions of
# its own, and TensorFlow warns of "retracing" for every few: expected, not a problem.
logging.getLogger("tensorflow").setLevel(logging.ERROR)

import zoo  # noqa: E402
from zoo.atomic import write_text  # noqa: E402
from zoo.catalog import specs_folder  # noqa: E402
from zoo.training import TrainingDiverged  # noqa: E402


def arguments(
    doc: str, argv: list[str] | None, text: bool = False, options: dict | None = None
) -> argparse.Namespace:
    """--quick and --out; with ``text``, also --text FILE (a corpus of the user's); and
    ``options``, each "--name": (type, default, help)."""
    parser = argparse.ArgumentParser(
        description=doc.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="a small sample, a few steps")
    parser.add_argument("--out", type=Path, default=Path("examples/results"))
    parser.add_argument(
        "--seeds",
        type=_at_least_one,
        default=1,
        metavar="N",
        help="train each spec with seeds 0..N-1 and report mean ± standard deviation",
    )
    if text:
        parser.add_argument("--text", type=Path, help="a UTF-8 text file to train on")
    for flag, (kind, default, words) in (options or {}).items():
        parser.add_argument(flag, type=kind, default=default, help=f"{words} (default {default})")
    return parser.parse_args(argv)


def _at_least_one(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number, at least 1, got {text!r}")
    return int(text)


@dataclass
class Trained:
    """A finished run of a shipped spec: its folder, scores, and the time it took."""

    run: Any  # zoo.training.Run
    seconds: float
    _test: Any = field(default=None, repr=False)  # the test split, once loaded

    @property
    def test_loss(self) -> float:
        return self.run.test_metrics["loss"]

    def model(self) -> Any:
        """The run's best model (the one its test scores are of)."""
        return zoo.load_model(self.run.directory / "best.keras")

    def test_split(self) -> Any:
        """The test split the run was scored on (zoo.data.Dataset), loaded once: a
        script asks for it for its table and again for its plot."""
        from zoo.data import load_splits

        if self._test is None:
            self._test = load_splits(self.run.spec, specs_folder()).test
        return self._test


def train(name: str, out: Path, overrides: dict | None = None, seed: int | None = None) -> Trained:
    """Train specs/NAME.yaml into OUT/runs (with ``seed``, that seed instead of the
    spec's); a diverged run raises TrainingDiverged."""
    started = time.perf_counter()
    if seed is not None:
        overrides = {**(overrides or {}), "seed": seed}
    print(f"training {name}{'' if seed is None else f' (seed {seed})'} ...", flush=True)
    run = zoo.train(specs_folder() / f"{name}.yaml", overrides, runs=out / "runs", verbose=0)
    trained = Trained(run, time.perf_counter() - started)
    score = f"test loss {trained.test_loss:.4g}" if run.test_metrics else "no test split"
    print(f"  {name}: {score} in {trained.seconds:.0f} s", flush=True)
    return trained


def write_table(header: list[str], rows: list[list[str]], path: Path) -> str:
    """A markdown table to ``path``; returns its text."""
    lines = [
        "| " + " | ".join(header) + " |",
        "|" + " --- |" * len(header),
        *("| " + " | ".join(row) + " |" for row in rows),
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n")
    return "\n".join(lines)


def seeds(args: argparse.Namespace) -> list[int]:
    """The seeds --seeds asks for: 0 .. N-1."""
    return list(range(args.seeds))


def spread(values: Sequence[float], digits: str = ".3g") -> str:
    """One figure over the seeds: the value itself for one seed, else mean ± the
    sample standard deviation."""
    values = [float(v) for v in values]
    mean = sum(values) / len(values)
    if len(values) == 1:
        return format(mean, digits)
    sd = (sum((v - mean) ** 2 for v in values) / (len(values) - 1)) ** 0.5
    return f"{format(mean, digits)} ± {format(sd, digits)}"


def share(flags: Sequence[bool]) -> str:
    """How many seeds did something, as "2 of 3"; for one seed, "yes" or "no"."""
    if len(flags) == 1:
        return "yes" if flags[0] else "no"
    return f"{sum(bool(f) for f in flags)} of {len(flags)}"


def over_seeds(header: str, args: argparse.Namespace) -> str:
    """A column header that says what its figures are over: "test MSE (3 seeds)"."""
    return header if args.seeds == 1 else f"{header} ({args.seeds} seeds)"


def write_seed_rows(header: list[str], rows: list[list[Any]], path: Path) -> None:
    """NAME_seeds.csv: one row per spec (or case) and seed, every measured figure."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_text(path, out.getvalue())


def read_table(path: Path) -> list[list[str]]:
    """The body rows of a table write_table wrote, as cells (what tests check)."""
    rows = itertools.takewhile(lambda line: line.startswith("|"), path.read_text().splitlines())
    return [[cell.strip() for cell in row.strip("| ").split(" | ")] for row in list(rows)[2:]]


__all__ = [
    "Trained",
    "TrainingDiverged",
    "arguments",
    "over_seeds",
    "read_table",
    "seeds",
    "share",
    "spread",
    "train",
    "write_seed_rows",
    "write_table",
]
