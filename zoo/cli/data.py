"""zoo data: the data sources a spec can name."""

from __future__ import annotations

import argparse

NAME = "data"
HELP = "list the data sources a spec's data section can name, with arguments"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The list has no options."""


def run(args: argparse.Namespace) -> None:
    from zoo.data import describe

    print(describe.text(), end="")
