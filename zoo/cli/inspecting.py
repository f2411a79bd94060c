"""zoo inspect: the spec a saved model was built from (named apart from the stdlib's
inspect)."""

from __future__ import annotations

import argparse
from pathlib import Path

NAME = "inspect"
HELP = "print the spec a saved .keras model was built from"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("model", type=Path, help="a .keras file saved by zoo build or zoo train")


def run(args: argparse.Namespace) -> None:
    from zoo.saving import spec_text

    print(spec_text(args.model), end="")
