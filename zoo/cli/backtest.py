"""zoo backtest: a trained forecaster over rolling origins, beside the classical forecasts."""

from __future__ import annotations

import argparse
from pathlib import Path

from zoo._quiet import import_keras_quietly
from zoo.cli.options import (
    SPEC_HELP,
    TRAINED_HELP,
    add_overrides,
    add_unsafe,
    at_least,
    output_file,
)
from zoo.errors import UserError

NAME = "backtest"
HELP = (
    "a trained forecaster over rolling origins (its test split's windows): MAE, RMSE, MASE "
    "and sMAPE per step ahead, beside seasonal naive, AR(2) and Holt-Winters from the same "
    "origins; a CSV of every forecast and a plot"
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "target",
        type=Path,
        metavar="RUN_DIR|MODEL|SPEC",
        help=f"{TRAINED_HELP}; or {SPEC_HELP}, trained first (as zoo train -q trains it)",
    )
    parser.add_argument(
        "--origins", type=int, metavar="N", help="the last N origins (default: every one)"
    )
    parser.add_argument(
        "--step", type=int, default=1, metavar="K", help="rows between consecutive origins"
    )
    parser.add_argument(
        "--refit",
        type=int,
        metavar="K",
        help="train the spec's model afresh every K origins on every window whose targets "
        "end before it, for its train.epochs, and refit the classical methods there too "
        "(slow: one training per refit; many series are refitted together, taken to end at "
        "the same time); default: the trained model from every origin",
    )
    parser.add_argument(
        "--csv", type=Path, default=Path("backtest.csv"), help="every forecast, one per row"
    )
    parser.add_argument(
        "--png", type=Path, default=Path("backtest.png"), help="forecasts and MAE by step"
    )
    parser.add_argument("--runs", type=Path, default=Path("runs"), help="where a spec's run goes")
    add_overrides(parser)
    add_unsafe(parser)


def run(args: argparse.Namespace) -> None:
    at_least(args.origins, 1, "--origins")
    at_least(args.step, 1, "--step")
    at_least(args.refit, 1, "--refit")
    output_file(args.csv, "--csv", (".csv",))
    output_file(args.png, "--png", (".png",))
    from zoo.opening import is_trained

    if is_trained(args.target) and args.overrides:
        raise UserError("--set changes a spec to train; a trained model is backtested as it is")
    import_keras_quietly()
    from zoo.backtesting import backtest

    target = args.target
    if not is_trained(target):
        from zoo.training import train

        target = train(target, args.overrides, runs=args.runs, verbose=0).directory
        print(f"trained {target}")
    result = backtest(target, args.origins, args.step, unsafe=args.unsafe, refit=args.refit)
    print(result.text())
    result.write_csv(args.csv)
    result.plot(args.png)
    print(f"wrote {args.csv}, {args.png}")
