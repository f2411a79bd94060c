"""zoo schema: the spec's JSON Schema, or its field reference in Markdown."""

from __future__ import annotations

import argparse

NAME = "schema"
HELP = "print the spec's JSON Schema (for yaml-language-server)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--markdown", action="store_true", help="print the field reference as a Markdown table"
    )


def run(args: argparse.Namespace) -> None:
    import json

    from zoo.spec import reference
    from zoo.spec.json_schema import spec_json_schema

    if args.markdown:
        print(reference.markdown(), end="")
    else:
        print(json.dumps(spec_json_schema(), indent=2))
