"""The embedded Reber grammar: which cells remember the opening symbol, and how far.

    python examples/reber.py [--quick] [--out examples/results]

Trains specs/reber_lstm.yaml and specs/reber_rnn.yaml (the same size and training,
an LSTM and a vanilla RNN), and reber_rnn_truncated (the vanilla RNN with Elman's
truncated gradient, one step back, as the paper's Elman nets were trained) to
predict, at every step of a string, every symbol the grammar allows next. A string
counts as learned when every step's prediction (the symbols scored above 0.5) is
exactly the legal set, as in Hochreiter & Schmidhuber (1997). The hard step is the
one before the final E: the grammar then allows only the T or P that opened the
string, many steps earlier. Each model is scored on its
test split and on longer strings than it mostly saw in training. Writes reber.md
and reber.png (learning curves, and the closing symbol predicted by string length).
"""

from __future__ import annotations

import itertools
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

from zoo.data import Context, Dataset
from zoo.data.generators import ReberArgs, reber

SPECS = ("reber_lstm", "reber_rnn", "reber_rnn_truncated")
QUICK = {"data.args.samples": 256, "train.epochs": 1}
LONG = 25  # symbols and more: an inner string of 20 or more, 1 in 120 of all strings


def main(argv: list[str] | None = None) -> int:
    args = arguments(__doc__, argv)
    rows, per_seed, curves, by_length = [], [], {}, {}
    for name in SPECS:
        scores, seconds = [], 0.0
        for seed in seeds(args):
            trained = train(name, args.out, QUICK if args.quick else None, seed)
            model, test = trained.model(), trained.test_split()
            lengths, closing, whole = predictions(model, test)
            long_lengths, long_closing, _ = predictions(model, long_strings(trained))
            scores.append((whole.mean(), closing.mean(), long_closing.mean()))
            per_seed.append(
                [name, seed, *(f"{s:.4f}" for s in scores[-1]), f"{trained.seconds:.1f}"]
            )
            seconds += trained.seconds
            if seed == 0:  # the plots show the first seed
                by_length[name] = (np.r_[lengths, long_lengths], np.r_[closing, long_closing])
                curves[name] = trained.run.state.history
        whole, closing, long_closing = np.array(scores).T * 100  # percent, per seed
        rows.append(
            [
                f"`{name}`",
                f"{spread(whole, '.1f')}%",
                f"{spread(closing, '.1f')}%",
                f"{spread(long_closing, '.1f')}%",
                share(whole > 90),
                f"{seconds:.0f} s",
            ]
        )
    header = [
        "spec",
        over_seeds("test strings fully predicted", args),
        "closing T/P, test strings",
        f"closing T/P, strings of {LONG}+ symbols",
        "learned (over 90 % of test strings)",
        "time",
    ]
    table = write_table(header, rows, args.out / "reber.md")
    write_seed_rows(
        ["spec", "seed", "fully predicted", "closing", f"closing, {LONG}+ symbols", "seconds"],
        per_seed,
        args.out / "reber_seeds.csv",
    )
    plot(curves, by_length, args.out / "reber.png")
    print(table)
    return 0


def long_strings(trained: Trained) -> Dataset:
    """1,000 strings of LONG or more symbols: the same grammar, another seed."""
    args = trained.run.spec.data.args | {"samples": 1000, "min_length": LONG}
    return reber.load(ReberArgs(**args), Context(seed=1, folder=Path()))


def predictions(model, data: Dataset) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per string: its length, whether its closing symbol (the step before E, where
    only the opening T or P is legal) was predicted, and whether every step was."""
    predicted = model.predict(data.x, verbose=0) > 0.5
    real = data.x > 0  # padding steps are not predictions
    step_right = np.all(predicted == (data.y > 0.5), axis=-1) | ~real
    lengths = real.sum(axis=1)
    # the string is B, T|P, <inner>, T|P, E: its closing symbol is predicted at the
    # step that reads the inner string's last symbol, third from the end
    closing = step_right[np.arange(len(lengths)), lengths - 3]
    return lengths, closing, step_right.all(axis=1)


def plot(
    curves: dict[str, dict[str, list[float]]],
    by_length: dict[str, tuple[np.ndarray, np.ndarray]],
    path: Path,
) -> None:
    """Left: each cell's validation loss per epoch. Right: the closing symbol
    predicted, by string length (the first seed's runs)."""
    from zoo.training import plots

    figure, (learning, remembering) = plots.new_panels(2)
    for name, history in curves.items():
        learning.plot(history["epoch"], history["val_loss"], marker="o", label=name)
    learning.set_yscale("log")
    plots.label(learning, "epoch", "validation binary cross-entropy", "learning the grammar")

    edges = np.array([9, 12, 16, 20, 25, 30, 40, 61])  # string lengths, 9 the shortest
    labels = [f"{a}-{b - 1}" for a, b in itertools.pairwise(edges)]
    width = 0.8 / len(by_length)
    for i, (name, (lengths, closing)) in enumerate(by_length.items()):
        bucket = np.digitize(lengths, edges) - 1
        rates = [
            closing[bucket == b].mean() if np.any(bucket == b) else np.nan
            for b in range(len(labels))
        ]
        remembering.bar(np.arange(len(labels)) + i * width, rates, width, label=name)
    remembering.axhline(0.5, color="grey", linestyle=":", label="guessing T or P")
    remembering.set_xticks(np.arange(len(labels)) + width * (len(by_length) - 1) / 2, labels)
    remembering.tick_params(axis="x", labelsize="small")
    remembering.set_xlabel("string length (symbols)")
    remembering.set_ylabel("closing T/P predicted")
    remembering.set_ylim(0, 1.3)  # room above the bars for the legend
    remembering.legend(loc="upper center", ncol=3, fontsize="small")
    remembering.set_title("remembering the opening symbol")
    plots.save_figure(figure, path)


if __name__ == "__main__":
    sys.exit(main())
