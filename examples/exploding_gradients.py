"""Exploding gradients, and gradient clipping taming them, from two shipped specs.

    python examples/exploding_gradients.py [--quick] [--out examples/results]

Trains specs/exploding_irnn.yaml (no clipping) and specs/exploding_irnn_clipped.yaml
(the same with global_clipnorm: 1.0), then writes exploding_gradients.md (the results
table) and exploding_gradients.png (each run's global gradient norm per step, before
clipping). --quick trains on a small sample for one epoch (what the tests run).
"""

from __future__ import annotations

import csv
import math
import sys
from pathlib import Path

from experiment import TrainingDiverged, arguments, write_table

import zoo
from zoo.catalog import specs_folder

SPECS = ("exploding_irnn", "exploding_irnn_clipped")
QUICK = {"data.args.samples": 256, "train.epochs": 1}


def main(argv: list[str] | None = None) -> int:
    args = arguments(__doc__, argv)
    rows, norms = [], {}
    for name in SPECS:
        outcome, directory = train(name, args.out / "runs", QUICK if args.quick else None)
        norms[name] = read_norms(directory / "gradient_norms.csv")
        finite = [n for n in norms[name] if math.isfinite(n)]
        rows.append([f"`{name}`", outcome, f"{max(finite):.3g}" if finite else "-"])
        print(f"{name}: {outcome}", flush=True)
    header = ["spec", "outcome", "largest gradient norm (before clipping)"]
    table = write_table(header, rows, args.out / "exploding_gradients.md")
    plot(norms, args.out / "exploding_gradients.png")
    print(table)
    return 0


def train(name: str, runs: Path, overrides: dict | None) -> tuple[str, Path]:
    """The run's outcome in words, and its folder."""
    try:
        run = zoo.train(specs_folder() / f"{name}.yaml", overrides, runs=runs, verbose=0)
    except TrainingDiverged as error:
        steps = len(read_norms(error.directory / "gradient_norms.csv"))
        return f"diverged: the loss became NaN at step {steps}", error.directory
    mse, baseline = run.test_metrics["loss"], next(iter(run.baseline.values()))
    return f"trained: test MSE {mse:.4f} (predicting the mean: {baseline:.4f})", run.directory


def read_norms(path: Path) -> list[float]:
    with path.open() as file:
        return [float(row["norm_before_clipping"]) for row in csv.DictReader(file)]


def plot(norms: dict[str, list[float]], path: Path) -> None:
    from zoo.training import plots

    figure, axis = plots.new_figure()
    for name, values in norms.items():
        steps = [s for s, v in enumerate(values, start=1) if math.isfinite(v)]
        marker = "o" if len(values) < 50 else None  # a run that dies in a few steps
        finite = [v for v in values if math.isfinite(v)]
        axis.plot(steps, finite, label=name, linewidth=1, marker=marker)
        if len(steps) < len(values):  # the step whose gradient was no longer a number
            axis.axvline(len(values), color="C3", linestyle="--", label=f"{name}: NaN")
    axis.axhline(1.0, color="grey", linestyle=":", label="global_clipnorm: 1.0")
    axis.set_xscale("log")  # the first steps, where the unclipped run dies, stay visible
    axis.set_yscale("log")
    plots.label(
        axis,
        "training step",
        "global gradient norm, before clipping",
        "an IRNN on the adding problem (T = 50), SGD with momentum",
    )
    plots.save_figure(figure, path)


if __name__ == "__main__":
    sys.exit(main())
