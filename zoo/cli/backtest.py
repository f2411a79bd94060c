"""zoo backtest: a trained forecaster over rolling origins, beside the classical forecasts."""

from __future__ import annotations

import argparse
from pathlib import Path

from zoo._quiet import import_keras_quietly
from zoo.cli.options import TRAINED_HELP, add_unsafe, at_least, output_file

NAME = "backtest"
HELP = (
    "a trained forecaster over rolling origins (its test split's windows): MAE, RMSE, MASE "
    "and sMAPE per step ahead, beside seasonal naive, AR(2) and Holt-Winters from the same "
    "origins; a CSV of every forecast and a plot"
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("target", type=Path, metavar="RUN_DIR|MODEL", help=TRAINED_HELP)
    parser.add_argument(
        "--origins", type=int, metavar="N", help="the last N origins (default: every one)"
    )
    parser.add_argument(
        "--step", type=int, default=1, metavar="K", help="rows between consecutive origins"
    )
    parser.add_argument(
        "--csv", type=Path, default=Path("backtest.csv"), help="every forecast, one per row"
    )
    parser.add_argument(
        "--png", type=Path, default=Path("backtest.png"), help="forecasts and MAE by step"
    )
    add_unsafe(parser)


def run(args: argparse.Namespace) -> None:
    at_least(args.origins, 1, "--origins")
    at_least(args.step, 1, "--step")
    output_file(args.csv, "--csv", (".csv",))
    output_file(args.png, "--png", (".png",))
    import_keras_quietly()
    from zoo.backtesting import backtest

    result = backtest(args.target, args.origins, args.step, unsafe=args.unsafe)
    print(result.text())
    result.write_csv(args.csv)
    result.plot(args.png)
    print(f"wrote {args.csv}, {args.png}")
