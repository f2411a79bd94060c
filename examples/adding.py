"""The adding problem: a vanilla RNN against an LSTM and a GRU, and why.

    python examples/adding.py [--length 100] [--steps 2000] [--seeds N] [--quick] [--out DIR]

Trains specs/adding_rnn.yaml, adding_lstm.yaml and adding_gru.yaml (64 units, Adam
with clipnorm 1) at sequence length --length for --steps steps of 64 sequences, at a
learning rate of 3e-3 (the specs' own 1e-3 takes about three times as many steps,
which does not fit five minutes on a 2-core CPU). Predicting the mean scores an MSE
of about 0.167; a cell counts as having learned the task when its test MSE is under
half of that. Writes adding_T{length}.md (with --seeds N, each figure over N seeds,
and adding_T{length}_seeds.csv, a row per cell and seed) and .png (validation MSE
per step, the first seed's runs).

It then measures the vanishing gradient behind the result: for the RNN and the LSTM,
as initialised and as trained, the mean norm of ∂L/∂s_t, the gradient of the loss
with respect to the state after each step t (zoo diagnose), drawn side by side in
vanishing_gradients_T{length}.png, with the ratio of step 1's norm to step T's in
vanishing_gradients_T{length}.md (the first seed's runs).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from experiment import (
    Trained,
    arguments,
    over_seeds,
    seeds,
    share,
    spread,
    train,
    write_seed_rows,
    write_table,
)

CELLS = ("rnn", "lstm", "gru")
STEPS_PER_EPOCH, LEARNING_RATE = 250, 3e-3
QUICK = {"data.args.samples": 512, "train.epochs": 1, "train.steps_per_epoch": 4}
PROFILE_BATCH = 256  # sequences the gradient profile averages over


def main(argv: list[str] | None = None) -> int:
    options = {
        "--length": (int, 100, "sequence length T"),
        "--steps": (int, 2000, f"training steps per cell, a multiple of {STEPS_PER_EPOCH}"),
    }
    args = arguments(__doc__, argv, options=options)
    length = args.length
    overrides = {
        "inputs.length": length,
        "data.args.length": length,
        "train.epochs": max(1, args.steps // STEPS_PER_EPOCH),
        "train.steps_per_epoch": STEPS_PER_EPOCH,
        "compile.optimizer.learning_rate": LEARNING_RATE,
    } | (QUICK if args.quick else {})
    runs = {
        cell: [train(f"adding_{cell}", args.out, overrides, seed) for seed in seeds(args)]
        for cell in CELLS
    }
    rows, per_seed = [], []
    for cell, trained in runs.items():
        mse = [run.test_loss for run in trained]
        mean = [baseline(run) for run in trained]
        per_seed += [
            [f"adding_{cell}", seed, f"{m:.6f}", f"{b:.6f}", f"{run.seconds:.1f}"]
            for seed, (run, m, b) in enumerate(zip(trained, mse, mean, strict=True))
        ]
        rows.append(
            [
                f"`adding_{cell}`",
                spread(mse, ".4f"),
                spread(mean, ".4f"),
                share([m < 0.5 * b for m, b in zip(mse, mean, strict=True)]),
                f"{trained[0].run.state.epochs_done * steps(trained[0]):,}",
                f"{sum(run.seconds for run in trained):.0f} s",
            ]
        )
    header = [
        "spec",
        over_seeds("test MSE", args),
        "predicting the mean",
        "learned (MSE under half the mean's)",
        "steps",
        "time",
    ]
    table = write_table(header, rows, args.out / f"adding_T{length}.md")
    write_seed_rows(
        ["spec", "seed", "test MSE", "predicting the mean", "seconds"],
        per_seed,
        args.out / f"adding_T{length}_seeds.csv",
    )
    first = {cell: trained[0] for cell, trained in runs.items()}
    plot_learning(first, length, args.out / f"adding_T{length}.png")
    print(table)
    print(vanishing_gradients({c: first[c] for c in ("rnn", "lstm")}, length, args.out))
    return 0


def baseline(run: Trained) -> float:
    """The MSE of predicting the mean, on the run's own test split."""
    return next(iter(run.run.baseline.values()))


def steps(run: Trained) -> int:
    return run.run.spec.train.steps_per_epoch


def plot_learning(trained: dict[str, Trained], length: int, path: Path) -> None:
    from zoo.training import plots

    figure, axis = plots.new_figure()
    for cell, run in trained.items():
        history = run.run.state.history
        axis.plot(
            np.array(history["epoch"]) * steps(run), history["val_loss"], marker="o", label=cell
        )
    axis.axhline(baseline(trained["rnn"]), color="grey", linestyle=":", label="predicting the mean")
    axis.set_yscale("log")
    plots.label(
        axis,
        "training step (64 sequences each)",
        "validation MSE",
        f"the adding problem, T = {length}",
    )
    plots.save_figure(figure, path)


def vanishing_gradients(trained: dict[str, Trained], length: int, out: Path) -> str:
    """Each cell's gradient profile as initialised and as trained: a table of the ratio
    ‖∂L/∂s_1‖ / ‖∂L/∂s_T‖ and one PNG, a panel per cell."""
    from zoo.builder import build_model
    from zoo.catalog import specs_folder
    from zoo.training.diagnose import profile

    profiles, rows = {}, []
    for cell, run in trained.items():
        spec = run.run.spec
        initial = profile(spec, specs_folder(), PROFILE_BATCH, build_model(spec), "initialised")
        final = profile(spec, specs_folder(), PROFILE_BATCH, run.model(), "trained")
        profiles[cell] = (initial, final)
        rows.append([f"`adding_{cell}`", *(shown(ratio(p.norms)) for p in (initial, final))])
    header = ["spec", "‖∂L/∂s_1‖ / ‖∂L/∂s_T‖ as initialised", "after training"]
    table = write_table(header, rows, out / f"vanishing_gradients_T{length}.md")
    plot_profiles(profiles, length, out / f"vanishing_gradients_T{length}.png")
    return table


def ratio(norms: np.ndarray) -> float:
    """How much of the last step's gradient reaches the first step."""
    return float(norms[0] / norms[-1])


def shown(value: float) -> str:
    # float32 gradients below about 1e-45 are exactly 0: nothing reaches step 1
    return f"{value:.2g}" if value > 0 else "0 (below float32's range)"


def plot_profiles(profiles: dict, length: int, path: Path) -> None:
    from zoo.training import plots

    figure, axes = plots.new_panels(len(profiles))
    low = min(p.norms[p.norms > 0].min() for pair in profiles.values() for p in pair)
    high = max(p.norms.max() for pair in profiles.values() for p in pair)
    for axis, (cell, pair) in zip(axes, profiles.items(), strict=True):
        for item in pair:
            axis.plot(np.arange(1, length + 1), item.norms, label=item.name)
        axis.set_yscale("log")
        axis.set_ylim(low / 2, high * 2)  # one scale, so the panels compare
        plots.label(
            axis,
            "time step t",
            "mean ‖∂L/∂s_t‖",
            f"{cell}: the gradient reaching each step (T = {length})",
        )
    plots.save_figure(figure, path)


if __name__ == "__main__":
    sys.exit(main())
