"""zoo evaluate: test-split metrics beside a trivial baseline."""

from __future__ import annotations

import argparse
from pathlib import Path

from zoo._quiet import import_keras_quietly
from zoo.cli.options import TRAINED_HELP, add_overrides, add_unsafe
from zoo.data.references import lines

NAME = "evaluate"
HELP = (
    "metrics on the test split, beside a trivial baseline; --set re-points the data, e.g. "
    "--set data.args.path=new.csv --set data.test=0 --set data.validation=0 (all of it)"
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("target", type=Path, metavar="RUN_DIR|MODEL", help=TRAINED_HELP)
    add_overrides(parser)
    add_unsafe(parser)


def run(args: argparse.Namespace) -> None:
    import_keras_quietly()
    from zoo.inference import evaluate

    result = evaluate(args.target, args.overrides, unsafe=args.unsafe)
    print(f"{result['model']}: {result['split']} split, {result['examples']} examples")
    for name, value in result["metrics"].items():
        print(f"  {name}: {value:.6g}")
    for name, value in result["baseline"].items():
        print(f"  baseline, {name}: {value:.6g}")
    for line in lines(result["classical"]):
        print(f"  {line}")
