"""The copy-memory task: at which delay T each cell stops beating a memoryless guess.

    python examples/copy_memory.py [--seeds N] [--quick] [--out examples/results]

Trains specs/copy_memory.yaml with each cell (vanilla RNN, LSTM, GRU) at delays T of
5, 10, 20 and 40, each for the spec's 1,000 steps: the same small budget for every
run, so the table says what each cell learns on a 2-core CPU in a few minutes, not
what it could learn given hours. A model that remembers nothing outputs blanks and
then guesses, scoring cross-entropy 10 ln 8 / (T + 20) and recalling 1 symbol in 8.
Writes copy_memory.md (test cross-entropy and symbols recalled, per cell and T; with
--seeds N, each over N seeds, with how many beat the memoryless guess), a row per run
in copy_memory_seeds.csv, and copy_memory.png (both against T, the seeds' means).
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
DELAYS = (5, 10, 20, 40)
COPIED = 10  # symbols to recall: data.args.copy_length
SYMBOLS = 8  # data.args.symbols: a guess recalls 1 in 8
QUICK = {"data.args.samples": 256, "train.epochs": 1, "train.steps_per_epoch": 2}


def main(argv: list[str] | None = None) -> int:
    args = arguments(__doc__, argv)
    delays = DELAYS[:1] if args.quick else DELAYS
    results = {}  # (cell, T) -> [(test cross-entropy, recall) per seed]
    per_seed = []
    for delay in delays:
        for cell in CELLS:
            overrides = {
                "name": f"copy_memory_{cell}_T{delay}",
                "cell": cell,
                "inputs.length": delay + 2 * COPIED,
                "data.args.delay": delay,
            } | (QUICK if args.quick else {})
            results[cell, delay] = []
            for seed in seeds(args):
                trained = train("copy_memory", args.out, overrides, seed)
                results[cell, delay].append((trained.test_loss, recall(trained)))
                scores = results[cell, delay][-1]
                per_seed.append([cell, delay, seed, *(f"{s:.6f}" for s in scores)])
    rows = [
        [
            str(delay),
            f"{memoryless(delay):.3f}",
            *(cell_result(results[cell, delay], delay) for cell in CELLS),
        ]
        for delay in delays
    ]
    header = [
        "T",
        "memoryless",
        *(over_seeds(f"{cell}: cross-entropy, recalled", args) for cell in CELLS),
    ]
    table = write_table(header, rows, args.out / "copy_memory.md")
    write_seed_rows(
        ["cell", "T", "seed", "test cross-entropy", "recalled"],
        per_seed,
        args.out / "copy_memory_seeds.csv",
    )
    plot(results, delays, args.out / "copy_memory.png")
    print(table)
    return 0


def memoryless(delay: int) -> float:
    return COPIED * np.log(SYMBOLS) / (delay + 2 * COPIED)


def cell_result(scores: list[tuple[float, float]], delay: int) -> str:
    """The cross-entropy (bold where its mean beats the baseline) and the symbols
    recalled; over several seeds, also on how many the cell beat the baseline."""
    cross_entropy, recalled = np.array(scores).T
    bold = "**" if cross_entropy.mean() < memoryless(delay) else ""
    shown = f"{bold}{spread(cross_entropy, '.3f')}{bold}, {spread(recalled * 100, '.0f')}%"
    if len(scores) == 1:
        return shown
    return f"{shown}, beats it on {share(cross_entropy < memoryless(delay))}"


def recall(trained: Trained) -> float:
    """The share of the copied symbols written back right, on the test split."""
    test = trained.test_split()
    predicted = trained.model().predict(test.x, verbose=0).argmax(axis=-1)
    return float(np.mean(predicted[:, -COPIED:] == test.y[:, -COPIED:]))


def plot(results: dict, delays: tuple[int, ...], path: Path) -> None:
    from zoo.training import plots

    figure, (loss, recalled) = plots.new_panels(2)
    for cell in CELLS:
        means = [np.mean(results[cell, d], axis=0) for d in delays]  # over the seeds
        ratios = [mean[0] / memoryless(d) for mean, d in zip(means, delays, strict=True)]
        loss.plot(delays, ratios, marker="o", label=cell)
        recalled.plot(delays, [mean[1] for mean in means], marker="o", label=cell)
    loss.axhline(1, color="grey", linestyle=":", label="memoryless")
    loss.set_yscale("log")
    loss.set_ylabel("test cross-entropy / memoryless")
    loss.set_title("below the line: beats the memoryless guess")
    recalled.axhline(1 / SYMBOLS, color="grey", linestyle=":", label="guessing")
    recalled.set_ylim(0, 1.02)
    recalled.set_ylabel("copied symbols recalled (test)")
    recalled.set_title("recall after the delay")
    for axis in (loss, recalled):
        axis.set_xscale("log")
        axis.set_xticks(delays, [str(d) for d in delays])
        axis.set_xlabel("delay T (blanks between the symbols and the delimiter)")
        axis.grid(alpha=0.3)
        axis.legend()
    plots.save_figure(figure, path)


if __name__ == "__main__":
    sys.exit(main())
