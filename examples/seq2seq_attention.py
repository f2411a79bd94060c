"""Sequence reversal by an encoder-decoder, with and without attention.

    python examples/seq2seq_attention.py [--quick] [--seeds N] [--out examples/results]

Trains specs/seq2seq_reversal.yaml (a GRU encoder-decoder with additive attention)
and specs/seq2seq_reversal_plain.yaml (the same without attention: the decoder sees
the source only through the encoder's final state) to reverse sequences of 10
symbols, then decodes every held-out source greedily, feeding back its own tokens.
A sequence counts only when the whole output is exactly the reversed source; the
table also gives the share of right symbols by position, and on how many seeds the
attention model's exact match beat the plain one's (the same seed draws the same data
for both). Writes seq2seq_attention.md, seq2seq_attention_seeds.csv (one row per spec
and seed) and seq2seq_attention.png (accuracy at each output position).
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

from zoo.data.tokens import markers

SPECS = ("seq2seq_reversal", "seq2seq_reversal_plain")
PLAIN = "seq2seq_reversal_plain"  # no attention: what the attention model is set beside
QUICK = {"data.args.samples": 512, "train.epochs": 1}


def main(argv: list[str] | None = None) -> int:
    args = arguments(__doc__, argv)
    scores, seconds, attention, per_seed, by_position = {}, {}, {}, [], {}
    for name in SPECS:
        scores[name], seconds[name] = [], 0.0
        for seed in seeds(args):
            trained = train(name, args.out, QUICK if args.quick else None, seed)
            right = decoded_right(trained)
            scores[name].append((right.all(axis=1).mean(), right.mean()))
            per_seed.append(
                [name, seed, *(f"{s:.4f}" for s in scores[name][-1]), f"{trained.seconds:.1f}"]
            )
            seconds[name] += trained.seconds
            if seed == 0:  # the plot shows the first seed
                by_position[name] = right.mean(axis=0)
                attention[name] = trained.run.spec.model.attention or "none"
    plain = np.array(scores[PLAIN])[:, 0]  # exact match per seed
    rows = []
    for name in SPECS:
        exact, symbols = np.array(scores[name]).T
        rows.append(
            [
                f"`{name}`",
                attention[name],
                f"{spread(exact * 100, '.1f')}%",
                f"{spread(symbols * 100, '.1f')}%",
                "-" if name == PLAIN else share(exact > plain),
                f"{seconds[name]:.0f} s",
            ]
        )
    header = [
        "spec",
        "attention",
        over_seeds("exact match (held out)", args),
        "symbols right",
        "beats the plain decoder (exact match, same seed)",
        "time",
    ]
    table = write_table(header, rows, args.out / "seq2seq_attention.md")
    write_seed_rows(
        ["spec", "seed", "exact match", "symbols right", "seconds"],
        per_seed,
        args.out / "seq2seq_attention_seeds.csv",
    )
    plot(by_position, args.out / "seq2seq_attention.png")
    print(table)
    return 0


def decoded_right(trained: Trained) -> np.ndarray:
    """[test examples, target positions]: whether greedy decoding got each symbol right
    (a missing or extra symbol counts wrong, and so does stopping early)."""
    from zoo.inference.decoding import greedy_decode, seq2seq_inference

    test, spec = trained.test_split(), trained.run.spec
    vocabulary = test.vocabulary
    start, end = markers(vocabulary)
    inference = seq2seq_inference(trained.model(), spec)
    decoded = greedy_decode(inference, test.x[0], start, end, spec.outputs.length)
    targets = test.y[:, :-1]  # the symbols, without the final end token
    width = targets.shape[1]
    padded = np.array([(row + [-1] * width)[:width] for row in decoded])
    lengths_right = np.array([len(row) == width for row in decoded])
    return (padded == targets) & lengths_right[:, None]


def plot(by_position: dict[str, np.ndarray], path: Path) -> None:
    """Each spec's share of right symbols at each output position (the first seed's
    runs)."""
    from zoo.training import plots

    figure, axis = plots.new_figure()
    for name, accuracy in by_position.items():
        axis.plot(np.arange(1, len(accuracy) + 1), accuracy, marker="o", label=name)
    axis.set_ylim(0, 1.02)
    plots.label(
        axis,
        "output position (1 = the last source symbol)",
        "symbol right, held-out sources",
        "reversing 10 symbols: greedy decoding, with and without attention",
    )
    plots.save_figure(figure, path)


if __name__ == "__main__":
    sys.exit(main())
