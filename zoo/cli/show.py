"""zoo show: the resolved spec, or what training it costs."""

from __future__ import annotations

import argparse
from pathlib import Path

from zoo.cli.options import SPEC_HELP, add_overrides

NAME = "show"
HELP = "print the resolved spec (extends merged, defaults filled)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("spec", type=Path, help=SPEC_HELP)
    parser.add_argument(
        "--cost",
        action="store_true",
        help="print instead what training it costs, estimated from the spec: parameters, "
        "memory at the spec's batch size, FLOPs per step",
    )
    add_overrides(parser)


def run(args: argparse.Namespace) -> None:
    from zoo.spec import to_yaml
    from zoo.spec.cost import MemoryLimit, estimate
    from zoo.spec.loading import load_spec

    spec = load_spec(args.spec, args.overrides)
    if not args.cost:
        print(to_yaml(spec), end="")
        return
    print(f"{spec.name}: what training costs, estimated from the spec")
    for line in estimate(spec).lines():
        print(f"  {line}")
    available = MemoryLimit.available()
    if available is not None:
        print(f"  ({available})")
