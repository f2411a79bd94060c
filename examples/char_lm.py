"""Character-level language models: the seeds' "hello", then a text of your own.

    python examples/char_lm.py [--text FILE] [--quick] [--seeds N] [--out examples/results]

First trains specs/hello.yaml, a vanilla RNN of 16 units on the one word "hello", and
asks it to continue "hell". Then trains specs/char_lstm.yaml, a 2-layer LSTM, on
--text, in windows of 64 characters side by side (default: Python's reference
documentation, the 465,000 characters of pydoc_data.topics that ship with every
Python), and reports its bits per character on the text's held-out end beside the
unigram baseline (each character predicted by its frequency), and on how many seeds
it beat it, with a sample. Writes char_lm.md, char_lm_seeds.csv (one row per spec and
seed) and char_lm.png (bits per character per epoch).
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

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

import zoo

QUICK = {"train.epochs": 1, "train.steps_per_epoch": 2}
EPOCHS = {"train.epochs": 10}  # passes over a text far longer than the spec's own
WINDOW = 64  # characters per example, char_lstm's data.args.length
SAMPLE = {"length": 300, "temperature": 0.7, "seed": 0}
BITS = 1 / math.log(2)  # a cross-entropy in nats, times this, is in bits


def main(argv: list[str] | None = None) -> int:
    args = arguments(__doc__, argv, text=True)
    quick = QUICK if args.quick else {}
    per_seed, continuations = [], []
    for seed in seeds(args):
        hello = train("hello", args.out, quick, seed)
        continuations.append(
            zoo.generate(hello.run.directory, prime="hell", length=1, temperature=0)
        )
        per_seed.append(["hello", seed, continuations[-1], "", "", f"{hello.seconds:.1f}"])
    text = args.text or python_reference(args.out / "runs")
    bits, baselines = [], []  # per seed, in bits per character
    for seed in seeds(args):
        lstm = train("char_lstm", args.out, EPOCHS | quick | corpus(text), seed)
        bits.append(lstm.test_loss * BITS)
        baselines.append(unigram(lstm) * BITS)
        figures = [f"{bits[-1]:.4f}", f"{baselines[-1]:.4f}", f"{lstm.seconds:.1f}"]
        per_seed.append(["char_lstm", seed, "", *figures])
        if seed == 0:  # the sample and the plot are the first seed's
            first = lstm
    sample = zoo.generate(first.run.directory, prime=prime_of(first), **SAMPLE)
    rows = [
        [
            "`hello`",
            "hello.txt",
            f'"hell" + greedy next character: {said(continuations)}',
            "-",
            "-",
        ],
        [
            "`char_lstm`",
            Path(first.run.spec.data.args["path"]).name,
            f"test {spread(bits, '.2f')} bits per character",
            f"{spread(baselines, '.2f')} bits per character",
            share([b < u for b, u in zip(bits, baselines, strict=True)]),
        ],
    ]
    header = ["spec", "text", over_seeds("result", args), "unigram baseline", "beats the baseline"]
    table = write_table(header, rows, args.out / "char_lm.md")
    write_seed_rows(
        [
            "spec",
            "seed",
            "continuation",
            "test bits per character",
            "unigram baseline bits per character",
            "seconds",
        ],
        per_seed,
        args.out / "char_lm_seeds.csv",
    )
    whose = "" if args.seeds == 1 else ", the first seed's model"
    with (args.out / "char_lm.md").open("a") as file:
        file.write(
            f"\nA sample (temperature {SAMPLE['temperature']}{whose}):\n\n```text\n{sample}\n```\n"
        )
    plot(first, args.out / "char_lm.png")
    print(table)
    print(f"\nsample:\n{sample}")
    return 0


def said(continuations: list[str]) -> str:
    """The greedy continuations, quoted: for several seeds, each distinct one with
    on how many seeds the model gave it ("hello" (2 of 3), "hellh" (1 of 3))."""
    if len(continuations) == 1:
        return f'"{continuations[0]}"'
    distinct = dict.fromkeys(continuations)  # in the seeds' order
    return ", ".join(f'"{c}" ({share([c == d for d in continuations])})' for c in distinct)


def python_reference(folder: Path) -> Path:
    """Python's reference documentation as one text file: pydoc_data.topics is part of
    the standard library, so every Python has it and nothing is downloaded."""
    import pydoc_data.topics

    path = folder / "python_reference.txt"
    folder.mkdir(parents=True, exist_ok=True)
    topics = pydoc_data.topics.topics
    path.write_text("\n\n".join(topics[name] for name in sorted(topics)), encoding="utf-8")
    return path


def corpus(path: Path) -> dict:
    """char_lstm's overrides for a text file: its path, windows side by side (the
    spec's overlapping windows suit only its own short text), and a vocabulary of the
    text's distinct characters (id 0 is padding)."""
    characters = set(path.read_text(encoding="utf-8"))
    return {
        "data.args.path": str(path.resolve()),
        "data.args.stride": WINDOW,
        "inputs.vocab_size": len(characters) + 1,
    }


def prime_of(trained: Trained) -> str:
    """ "The ", or where the text lacks one of those characters, its held-out end's
    first few characters."""
    test = trained.test_split()
    if set("The ") <= set(test.vocabulary):
        return "The "
    return "".join(test.vocabulary[t] for t in test.x[0][:4])


def unigram(trained: Trained) -> float:
    """The unigram baseline's cross-entropy on the run's test split, in nats."""
    (baseline,) = trained.run.baseline.values()
    return baseline


def plot(trained: Trained, path: Path) -> None:
    """The run's bits per character per epoch, training and held out, beside the
    unigram baseline (main passes the first seed's run)."""
    from zoo.training import plots

    baseline = unigram(trained)
    history = trained.run.state.history
    figure, axis = plots.new_figure()
    axis.plot(history["epoch"], [v * BITS for v in history["loss"]], label="training")
    if "val_loss" in history:
        axis.plot(history["epoch"], [v * BITS for v in history["val_loss"]], label="held out")
    axis.axhline(baseline * BITS, color="grey", linestyle=":", label="unigram baseline")
    plots.label(
        axis,
        "epoch",
        "bits per character",
        f"{trained.run.spec.name} on {Path(trained.run.spec.data.args['path']).name}",
    )
    plots.save_figure(figure, path)


if __name__ == "__main__":
    sys.exit(main())
