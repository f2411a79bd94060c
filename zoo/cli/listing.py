"""zoo list: the shipped specs (or a folder's), one line each."""

from __future__ import annotations

import argparse
from pathlib import Path

NAME = "list"
HELP = "list the shipped specs, one line each"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--dir", type=Path, help="list the specs in this folder instead")


def run(args: argparse.Namespace) -> None:
    from zoo.catalog import shipped_specs

    entries = shipped_specs(args.dir)
    width = max((len(e.name) for e in entries), default=0)
    for entry in entries:
        print(f"{entry.name:<{width}}  {entry.summary}")
