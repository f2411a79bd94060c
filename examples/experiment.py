"""What every script in examples/ shares: its command line, training a shipped spec,
the trained model and its test split, and the results table it writes.

A script runs one experiment from the RNN literature and writes NAME.md (a markdown
table) and NAME.png to --out (default examples/results/); --quick trains each spec
on a small sample for a few steps, which is what the tests run.
"""

from __future__ import annotations

import argparse
import itertools
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import zoo
from zoo.catalog import specs_folder
from zoo.training import TrainingDiverged


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
    if text:
        parser.add_argument("--text", type=Path, help="a UTF-8 text file to train on")
    for flag, (kind, default, words) in (options or {}).items():
        parser.add_argument(flag, type=kind, default=default, help=f"{words} (default {default})")
    return parser.parse_args(argv)


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


def train(name: str, out: Path, overrides: dict | None = None) -> Trained:
    """Train specs/NAME.yaml into OUT/runs; a diverged run raises TrainingDiverged."""
    started = time.perf_counter()
    print(f"training {name} ...", flush=True)
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


def read_table(path: Path) -> list[list[str]]:
    """The body rows of a table write_table wrote, as cells (what tests check)."""
    rows = itertools.takewhile(lambda line: line.startswith("|"), path.read_text().splitlines())
    return [[cell.strip() for cell in row.strip("| ").split(" | ")] for row in list(rows)[2:]]


__all__ = ["Trained", "TrainingDiverged", "arguments", "read_table", "train", "write_table"]
