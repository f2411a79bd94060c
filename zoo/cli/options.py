"""What several commands share: their options, exit codes, and argument checks."""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from zoo.errors import UserError

if TYPE_CHECKING:
    from zoo.spec.cost import MemoryLimit

SPEC_HELP = "a spec file, or a shipped spec by name (zoo list), e.g. hello"
TRAINED_HELP = "a run directory (its best.keras) or a .keras file"

EXIT_USER_ERROR = 2
EXIT_DIVERGED = 3  # training stopped on a NaN/inf loss; the last good model is kept


def add_overrides(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a spec field by its dotted path, e.g. model.units=256 "
        "(VALUE is YAML: 128, true, [64, 32]); repeatable",
    )


def add_max_memory(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--max-memory",
        metavar="SIZE",
        help="refuse a spec whose training the cost estimate (zoo show --cost) puts above "
        "SIZE, e.g. 8GiB or 500MB (default: the memory this machine has available)",
    )


def add_unsafe(parser: argparse.ArgumentParser) -> None:
    """For every command that loads a .keras model (Keras safe mode otherwise)."""
    parser.add_argument(
        "--unsafe",
        action="store_true",
        help="allow loading models with Lambda layers (Python code): trusted files only",
    )


def memory_limit(args: argparse.Namespace) -> MemoryLimit | None:
    """--max-memory, or the memory this machine has available (None: unknown)."""
    from zoo.spec.cost import MemoryLimit, parse_size

    if args.max_memory is None:
        return MemoryLimit.available()
    try:
        return MemoryLimit(parse_size(args.max_memory), "--max-memory is {}")
    except ValueError as error:
        raise UserError(f"--max-memory: {error}") from None


def at_least(value: float | None, minimum: float, flag: str) -> None:
    """Refuse a number below what ``flag`` means; an option left unset (None) passes.
    Called before a model loads, so a slip costs no TensorFlow start-up."""
    if value is not None and not value >= minimum:  # `not >=` refuses NaN too
        raise UserError(f"{flag} must be at least {_shown(minimum)}, got {_shown(value)}")


def at_most(value: float | None, maximum: float, flag: str) -> None:
    """Refuse a number above what ``flag`` can take; an option left unset (None) passes."""
    if value is not None and not value <= maximum:
        raise UserError(f"{flag} must be at most {_shown(maximum)}, got {_shown(value)}")


def _shown(number: float) -> str:
    return f"{number:g}" if isinstance(number, float) else str(number)


def output_file(path: Path | None, flag: str, suffixes: tuple[str, ...] = ()) -> None:
    """Refuse an output file that cannot be written (a folder, a file where its folder
    should be, a place that takes no files) or, given ``suffixes``, has another suffix.
    Called before the work, so a slip in the last argument costs no model load."""
    if path is None:
        return
    if suffixes and path.suffix not in suffixes:
        raise UserError(f"{flag} {path}: give a {' or '.join(suffixes)} file")
    if path.is_dir():
        raise UserError(f"{flag} {path}: a folder; give a file name")
    folder = next(p for p in path.absolute().parents if p.exists())  # made if missing
    if not folder.is_dir():
        raise UserError(f"{flag} {path}: {folder} is a file, not a folder")
    try:
        tempfile.TemporaryFile(dir=folder).close()
    except OSError as error:
        raise UserError(f"{flag} {path}: cannot write in {folder} ({error.strerror})") from None
