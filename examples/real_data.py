"""Real data: a forecaster and a sequence classifier, each beside a naive baseline.

    python examples/real_data.py [--quick] [--seeds N] [--out examples/results]

Trains specs/lynx_gru.yaml (next year's Canadian lynx trappings, log10, from the
last 10 years) and specs/japanese_vowels_lstm.yaml (which of 9 speakers said /ae/)
on data that ship inside sktime's wheel: `pip install "rnn-spec-zoo[real-data]"`.
Writes real_data.md (each model's test score beside a naive predictor's on the same
test split: persistence for the series, the commonest speaker for the classifier,
and on how many seeds the model beat it), real_data_seeds.csv (one row per spec and
seed) and real_data.png (the forecast against the actual test years, and the classifier's
confusion matrix). --quick trains each spec for a few steps (what the tests run).
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

FORECASTER, CLASSIFIER = "lynx_gru", "japanese_vowels_lstm"
DATA = {
    FORECASTER: "Canadian lynx trappings 1821-1934 (log10)",
    CLASSIFIER: "JapaneseVowels: 640 utterances by 9 speakers",
}
# each spec's test score, in the words the baseline's name uses
SCORE = {FORECASTER: ("loss", "mse"), CLASSIFIER: ("accuracy", "accuracy")}
QUICK = {"train.epochs": 1, "train.steps_per_epoch": 2}
LAST_YEAR = 1934  # the series' end: a one-year horizon's test targets are its last years


def main(argv: list[str] | None = None) -> int:
    args = arguments(__doc__, argv)
    runs = {
        name: [train(name, args.out, QUICK if args.quick else None, seed) for seed in seeds(args)]
        for name in DATA
    }
    rows = [row(name, trained) for name, trained in runs.items()]
    header = [
        "spec",
        "data",
        over_seeds("model's test score", args),
        "naive baseline (same test split)",
        "beats the baseline",
    ]
    table = write_table(header, rows, args.out / "real_data.md")
    per_seed = []
    for name, trained in runs.items():
        for seed, run in zip(seeds(args), trained, strict=True):
            score, baseline = scores(name, run)
            per_seed.append(
                [
                    name,
                    seed,
                    SCORE[name][1],
                    f"{score:.4g}",
                    f"{baseline:.4g}",
                    f"{run.seconds:.1f}",
                ]
            )
    write_seed_rows(
        ["spec", "seed", "metric", "test score", "naive baseline", "seconds"],
        per_seed,
        args.out / "real_data_seeds.csv",
    )
    plot(runs[FORECASTER][0], runs[CLASSIFIER][0], args.out / "real_data.png")
    print(table)
    return 0


def scores(name: str, trained: Trained) -> tuple[float, float]:
    """The run's test score and the naive baseline's, on the same test split."""
    metric, _ = SCORE[name]
    (baseline,) = trained.run.baseline.values()
    return trained.run.test_metrics[metric], baseline


def row(name: str, trained: list[Trained]) -> list[str]:
    """The spec's row of the table: each figure over its runs, one per seed."""
    _, words = SCORE[name]
    test = trained[0].test_split()
    (baseline,) = trained[0].run.baseline  # its name ("mse of persistence"): every seed's
    model, naive = np.array([scores(name, t) for t in trained]).T
    beats = model < naive if words == "mse" else model > naive  # a lower error, or higher accuracy
    return [
        f"`{name}`",
        f"{DATA[name]}; {len(test)} test examples",
        f"{words} {spread(model, '.4g')}",
        f"{baseline}: {spread(naive, '.4g')}",
        share(beats),
    ]


def plot(forecaster: Trained, classifier: Trained, path: Path) -> None:
    """The forecast against the actual test years, and the classifier's confusion
    matrix (the first seed's runs)."""
    from zoo.training import plots

    figure, (series, confusion) = plots.new_panels(2)
    test = forecaster.test_split()
    years = np.arange(LAST_YEAR - len(test) + 1, LAST_YEAR + 1)
    series.plot(years, test.y[:, 0], marker="o", color="black", label="actual")
    predicted = forecaster.model().predict(test.x, verbose=0)[:, 0]
    series.plot(years, predicted, marker="o", label=FORECASTER)
    series.plot(years, test.x[:, -1, 0], linestyle="--", label="persistence (last year)")
    series.set_xlabel("year")
    series.set_ylabel("log10 trappings")
    series.grid(alpha=0.3)
    # below the panel: the series fill every corner of it
    series.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=3, fontsize="small")
    series.set_title("lynx: one year ahead, the test years")

    test = classifier.test_split()
    predicted = classifier.model().predict(test.x, verbose=0).argmax(axis=-1)
    speakers = classifier.run.spec.outputs.units
    counts = np.zeros((speakers, speakers), dtype=int)
    np.add.at(counts, (test.y[:, 0], predicted), 1)
    confusion.imshow(counts, cmap="Blues")
    for (true, guess), count in np.ndenumerate(counts):
        if count:
            colour = "white" if count > counts.max() / 2 else "black"  # readable on dark cells
            confusion.text(guess, true, str(count), ha="center", va="center", color=colour)
    names = [str(s + 1) for s in range(speakers)]  # the archive's speaker names
    confusion.set_xticks(range(speakers), names)
    confusion.set_yticks(range(speakers), names)
    confusion.set_xlabel("predicted speaker")
    confusion.set_ylabel("true speaker")
    confusion.set_title("JapaneseVowels: the test utterances")
    plots.save_figure(figure, path)


if __name__ == "__main__":
    sys.exit(main())
