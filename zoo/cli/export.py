"""zoo export: a trained model as a SavedModel, ONNX or LiteRT artefact, checked."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from zoo._quiet import import_keras_quietly
from zoo.cli.options import TRAINED_HELP, add_unsafe

NAME = "export"
HELP = (
    "write a trained model as a SavedModel, ONNX or LiteRT artefact and check it: its own "
    "runtime runs it on test examples and the largest difference from the .keras model's "
    "outputs is printed, relative to values above 1 (exit 1 over 1e-4). Needs: pip install "
    '"rnn-spec-zoo[export]"'
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("target", type=Path, metavar="RUN_DIR|MODEL", help=TRAINED_HELP)
    parser.add_argument(
        "--format",
        required=True,
        help="saved_model (TF Serving; keeps the tokenizer), onnx (onnxruntime), litert "
        "(LiteRT, phones); seq2seq and language models also get their encoder and decoder "
        "step or sampler step",
    )
    parser.add_argument(
        "-o",
        "--output",
        type=Path,
        help="the artefact's name (its suffix is added), or an existing folder to write "
        "into (default: beside the model, as best_FORMAT)",
    )
    parser.add_argument(
        "--no-check", action="store_true", help="write it without running it in its runtime"
    )
    add_unsafe(parser)


def run(args: argparse.Namespace) -> int:
    import_keras_quietly()
    from zoo.exporting import FORMATS, TOLERANCE, ExportFailed, export

    try:
        result = export(args.target, args.format, args.output, not args.no_check, args.unsafe)
    except ExportFailed as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    runtime = FORMATS[result.format].runtime
    for artefact in result.artefacts:
        checked = (
            ""
            if artefact.difference is None
            else f": {runtime} on {result.checked_on} is within {artefact.difference:.2g} "
            "of the .keras model"
        )
        print(f"wrote {artefact.path} ({artefact.name}){checked}")
    for side in result.side_files:
        print(f"wrote {side}")
    if result.note:
        print(f"note: {result.note}")
    worst = result.worst
    if worst is not None and worst > TOLERANCE:
        print(f"error: outputs differ by {worst:.3g}, over {TOLERANCE:g}", file=sys.stderr)
        return 1
    return 0
