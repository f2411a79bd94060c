"""zoo validate: check specs without building them; one line per problem."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from zoo.cli.options import (
    EXIT_USER_ERROR,
    SPEC_HELP,
    add_max_memory,
    add_overrides,
    memory_limit,
)

NAME = "validate"
HELP = "check specs; exit 0 if all are valid, 2 otherwise"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("specs", type=Path, nargs="+", metavar="SPEC", help=SPEC_HELP)
    add_overrides(parser)
    add_max_memory(parser)


def run(args: argparse.Namespace) -> int:
    import zoo  # Keras loads only for a name missing from zoo/spec/keras_catalog.py

    failed, limit = False, memory_limit(args)
    for path in args.specs:
        problems = zoo.validate(path, args.overrides, limit)
        for problem in problems:
            print(f"error: {problem}", file=sys.stderr)
        failed = failed or bool(problems)
        if not problems:
            print(f"{path}: ok")
    return EXIT_USER_ERROR if failed else 0
