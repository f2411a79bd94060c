"""zoo compare: runs side by side, and their learning curves in one PNG."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from zoo.cli.options import output_file

NAME = "compare"
HELP = (
    "runs side by side, best first: the spec fields that differ between them (and only "
    "those), parameters, epochs, seconds, the best value of the metric, the test split's "
    "beside the trivial baseline; and a PNG of their learning curves and gradient norms"
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "runs",
        type=Path,
        nargs="+",
        metavar="RUN_DIR|SWEEP_DIR",
        help="run directories of zoo train; a sweep folder of zoo tune stands for its trials",
    )
    parser.add_argument(
        "-o",
        "--output",
        type=Path,
        default=Path("compare.png"),
        help="the PNG: validation curves solid, train dashed, best epochs starred, the "
        "baseline dotted; gradient norms per step beside them (default compare.png)",
    )
    parser.add_argument("--csv", type=Path, metavar="FILE", help="also write the table as CSV")
    parser.add_argument(
        "--metric",
        metavar="NAME",
        help="rank and draw by this logged metric, e.g. val_accuracy (default: the first "
        "run's train.monitor)",
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help="compare runs of different data sources or losses anyway, saying what differs",
    )


def run(args: argparse.Namespace) -> None:
    from zoo.comparing import comparison
    from zoo.comparing.plot import plot_comparison

    output_file(args.output, "-o", (".png",))
    output_file(args.csv, "--csv", (".csv",))
    compared = comparison(args.runs, args.metric, args.force)
    for note in compared.notes:
        print(f"warning: compared anyway: {note}", file=sys.stderr)
    print(compared.text())
    title = f"{len(compared.runs)} runs by {compared.metric}"
    print(f"wrote {plot_comparison(compared, args.output, title)}")
    if args.csv is not None:
        print(f"wrote {compared.write_csv(args.csv)}")
