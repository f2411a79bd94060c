"""Exploding gradients, and gradient clipping taming them, from two shipped specs.

    python examples/exploding_gradients.py [--quick] [--seeds N] [--out examples/results]

Trains specs/exploding_irnn.yaml (no clipping) and specs/exploding_irnn_clipped.yaml
(the same with global_clipnorm: 1.0), then writes exploding_gradients.md (the results
table: on how many seeds each spec diverged, and beat predicting the mean),
exploding_gradients_seeds.csv (one row per spec and seed) and exploding_gradients.png
(each run's global gradient norm per step, before clipping). --quick trains on a small
sample for one epoch (what the tests run).
"""

from __future__ import annotations

import csv
import math
import sys
from pathlib import Path
from typing import NamedTuple

from experiment import (
    TrainingDiverged,
    arguments,
    over_seeds,
    seeds,
    share,
    spread,
    write_seed_rows,
    write_table,
)

import zoo
from zoo.catalog import specs_folder

SPECS = ("exploding_irnn", "exploding_irnn_clipped")
QUICK = {"data.args.samples": 256, "train.epochs": 1}


def main(argv: list[str] | None = None) -> int:
    args = arguments(__doc__, argv)
    rows, per_seed, norms = [], [], {}
    for name in SPECS:
        outcomes = []
        for seed in seeds(args):
            outcome = train(name, args.out / "runs", QUICK if args.quick else None, seed)
            outcomes.append(outcome)
            per_seed.append([name, seed, *outcome.figures()])
            print(f"{name}: {outcome.words()} (seed {seed})", flush=True)
            if seed == 0:  # the plot shows the first seed
                norms[name] = outcome.norms
        largest = [o.largest for o in outcomes if o.largest is not None]
        rows.append(
            [
                f"`{name}`",
                in_words(outcomes),
                spread(largest, ".3g") if largest else "-",
                share([o.diverged for o in outcomes]),
                share([o.beats_the_mean for o in outcomes]),
            ]
        )
    header = [
        "spec",
        over_seeds("outcome", args),
        "largest gradient norm (before clipping)",
        "diverged",
        "beats predicting the mean (test MSE)",
    ]
    table = write_table(header, rows, args.out / "exploding_gradients.md")
    write_seed_rows(
        [
            "spec",
            "seed",
            "diverged",
            "NaN at step",
            "test MSE",
            "predicting the mean",
            "largest gradient norm",
        ],
        per_seed,
        args.out / "exploding_gradients_seeds.csv",
    )
    plot(norms, args.out / "exploding_gradients.png")
    print(table)
    return 0


class Outcome(NamedTuple):
    """One run: its gradient norms per step, and where it diverged (the step whose
    loss became NaN) or how it scored (test MSE, and predicting the mean's)."""

    norms: list[float]
    nan_at: int | None = None
    mse: float | None = None
    baseline: float | None = None

    @property
    def diverged(self) -> bool:
        return self.nan_at is not None

    @property
    def beats_the_mean(self) -> bool:
        """Trained, to a test MSE below predicting the mean's."""
        return self.mse is not None and self.mse < self.baseline

    @property
    def largest(self) -> float | None:
        """The largest finite gradient norm, if any."""
        return max((n for n in self.norms if math.isfinite(n)), default=None)

    def words(self) -> str:
        return in_words([self])

    def figures(self) -> list[str]:
        """For NAME_seeds.csv: diverged, NaN at step, test MSE, predicting the mean,
        largest gradient norm ("" where a figure does not apply)."""
        return [
            "yes" if self.diverged else "no",
            "" if self.nan_at is None else str(self.nan_at),
            "" if self.mse is None else f"{self.mse:.4f}",
            "" if self.baseline is None else f"{self.baseline:.4f}",
            "" if self.largest is None else f"{self.largest:.4g}",
        ]


def in_words(outcomes: list[Outcome]) -> str:
    """The outcome over the seeds: where the diverged runs' loss became NaN, and the
    trained runs' test MSE; for one seed, the run's outcome."""
    diverged = [o.nan_at for o in outcomes if o.diverged]
    trained = [o for o in outcomes if not o.diverged]
    parts = []
    if diverged:
        parts.append(f"diverged: the loss became NaN at step {spread(diverged, '.0f')}")
    if trained:
        mse = spread([o.mse for o in trained], ".4f")
        baseline = spread([o.baseline for o in trained], ".4f")
        parts.append(f"trained: test MSE {mse} (predicting the mean: {baseline})")
    return "; ".join(parts)


def train(name: str, runs: Path, overrides: dict | None, seed: int) -> Outcome:
    """Train specs/NAME.yaml with ``seed``: how the run went."""
    overrides = {**(overrides or {}), "seed": seed}
    try:
        run = zoo.train(specs_folder() / f"{name}.yaml", overrides, runs=runs, verbose=0)
    except TrainingDiverged as error:
        norms = read_norms(error.directory / "gradient_norms.csv")
        return Outcome(norms, nan_at=len(norms))
    norms = read_norms(run.directory / "gradient_norms.csv")
    mse, baseline = run.test_metrics["loss"], next(iter(run.baseline.values()))
    return Outcome(norms, mse=mse, baseline=baseline)


def read_norms(path: Path) -> list[float]:
    with path.open() as file:
        return [float(row["norm_before_clipping"]) for row in csv.DictReader(file)]


def plot(norms: dict[str, list[float]], path: Path) -> None:
    """Each spec's global gradient norm per step, before clipping (the first seed's
    runs)."""
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
