"""zoo predict: a model's answers on new data, in the user's terms."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from zoo._quiet import import_keras_quietly
from zoo.cli.options import TRAINED_HELP, add_unsafe, at_least, output_file
from zoo.columns import aligned
from zoo.errors import UserError

NAME = "predict"
HELP = (
    "run a model on new data, answering in your terms: a text classifier gives each text's "
    "label and probability, a tagger each word's tag (--text, a .txt with one example per "
    "line, or a .csv with the spec's text column); a csv_series forecaster forecasts from "
    "a CSV's last window (its columns found by name) in the CSV's units; any other model "
    "takes a .npy of its inputs"
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("target", type=Path, metavar="RUN_DIR|MODEL", help=TRAINED_HELP)
    parser.add_argument(
        "inputs",
        type=Path,
        nargs="?",
        metavar="INPUT.csv|INPUT.txt|INPUT.npy",
        help="the data; left out, a forecaster forecasts after the end of the series it was "
        "trained on (lynx, airline, a generator's, or its csv_series file)",
    )
    parser.add_argument(
        "--text",
        action="append",
        metavar="TEXT",
        help="a text to classify or tag, e.g. --text 'a wonderful film' (repeatable)",
    )
    parser.add_argument(
        "--top", type=int, default=1, metavar="K", help="show the K likeliest labels"
    )
    parser.add_argument(
        "-o", "--output", type=Path, help="write the predictions to a .csv, .json or .npy file"
    )
    parser.add_argument(
        "--steps", type=int, help="forecast this many values, feeding predictions back"
    )
    add_unsafe(parser)


def run(args: argparse.Namespace) -> None:
    import numpy as np

    from zoo.inference.prediction import FORMATS

    if args.output and args.output.suffix not in FORMATS:
        raise UserError(f"{args.output}: write predictions to a .csv, .json or .npy file")
    output_file(args.output, "-o")
    if args.inputs is not None and args.text is not None:
        raise UserError("give an INPUT file or --text, not both")
    at_least(args.top, 1, "--top")
    at_least(args.steps, 1, "--steps")
    import_keras_quietly()
    from zoo.inference import predict

    inputs = args.text if args.text is not None else args.inputs
    prediction = predict(args.target, inputs, steps=args.steps, unsafe=args.unsafe)
    for note in prediction.notes:
        print(f"warning: {note}", file=sys.stderr)
    if args.output:
        prediction.write(args.output, top=args.top)
        size = prediction.values.shape if args.output.suffix == ".npy" else None
        print(
            f"wrote {args.output}: "
            + (f"shape {size}" if size else f"{len(prediction.values)} rows")
        )
    elif prediction.tokens is not None:  # a tagger: word/TAG pairs, one text per line
        for record in prediction.records():
            print(record["tags"])
    elif prediction.classes is not None:
        print(_labelled(prediction.table(args.top)))
    elif prediction.columns is not None:  # a forecast from a file, in the file's units
        series = prediction.series or [None]
        steps = len(prediction.values) // len(set(series))
        after = f"step{'s' * (steps != 1)} after its last observed row"
        if prediction.series:
            each = after.replace("its", "each series'", 1)
            after = f"{each} ({len(set(series))} series)"
        print(f"{prediction.source}: the next {steps} {after}")
        print(aligned(prediction.table(), right=True))
    else:
        np.set_printoptions(precision=5, suppress=True, threshold=200)
        print(prediction.values)


def _labelled(rows: list[list[str]]) -> str:
    """Labels and probabilities aligned in columns, each text (or example) after them."""
    header, body = rows[0], rows[1:]
    first = header[0] in ("text", "example")
    rows = [[*row[1:], row[0]] if first else row for row in [header, *body]]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    return "\n".join(
        "  ".join([*(c.ljust(w) for c, w in zip(row, widths, strict=False)), row[-1]]).rstrip()
        for row in rows
    )
