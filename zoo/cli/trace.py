"""zoo trace: the recurrence step by step, every quantity of the cell's equations."""

from __future__ import annotations

import argparse
from pathlib import Path

from zoo._quiet import import_keras_quietly
from zoo.cli.options import add_overrides, add_unsafe, at_least, output_file

NAME = "trace"
HELP = (
    "the recurrence step by step, as the teaching texts work it out by hand: for each "
    "step and layer, every quantity of the cell's equations (x_t W, h_{t-1} U + b, h_t; "
    "the LSTM's z, i, f, g, o, c_t; the GRU's z, r, ĥ), then the head's logits, softmax "
    "and answer. A run traces its trained weights, a spec the weights it initialises"
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "target",
        type=Path,
        metavar="RUN_DIR|MODEL|SPEC",
        help="a run, a .keras file, or a spec (a file or a shipped name, e.g. hello_seed)",
    )
    parser.add_argument("--input", metavar="TEXT", help="the text to trace, e.g. --input hell")
    parser.add_argument(
        "--input-npy",
        type=Path,
        metavar="FILE",
        help="a .npy of one example, for models of real values (or of token ids); left "
        "out, a forecaster reads the last window of the series it was trained on",
    )
    parser.add_argument(
        "--units",
        type=int,
        default=8,
        metavar="K",
        help="show the first K values of each vector, and the norm of wider ones (default 8)",
    )
    parser.add_argument(
        "--csv",
        type=Path,
        metavar="FILE",
        help="write tidy rows: step,token,layer,direction,quantity,index,value",
    )
    parser.add_argument(
        "--xlsx",
        type=Path,
        metavar="FILE",
        help="a workbook: a sheet per layer (steps as columns), the weights on their own "
        'sheets. Needs: pip install "rnn-spec-zoo[xlsx]"',
    )
    parser.add_argument(
        "--png", type=Path, metavar="FILE", help="heatmaps of h_t and the gates over the steps"
    )
    add_overrides(parser)
    add_unsafe(parser)


def run(args: argparse.Namespace) -> None:
    at_least(args.units, 1, "--units")
    for flag, path, suffix in (
        ("--csv", args.csv, ".csv"),
        ("--xlsx", args.xlsx, ".xlsx"),
        ("--png", args.png, ".png"),
    ):
        output_file(path, flag, (suffix,))
    import_keras_quietly()
    from zoo.tracing import trace
    from zoo.tracing.files import write_csv, write_png, write_xlsx
    from zoo.tracing.show import text

    traced = trace(args.target, args.input, args.input_npy, args.overrides, args.unsafe)
    print(text(traced, args.units))
    for path, write in ((args.csv, write_csv), (args.xlsx, write_xlsx), (args.png, write_png)):
        if path is not None:
            write(traced, path)
            print(f"wrote {path}")
