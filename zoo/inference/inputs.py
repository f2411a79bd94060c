"""The user's raw inputs, read and checked for a model: texts for a text model, the
last window of a CSV series for a csv_series forecaster, arrays for any model. Every
problem is one line (a ``UserError``), never a traceback from Keras."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from zoo.errors import SpecError, UserError
from zoo.spec.schema import Spec

TEXT_FILES = "--text, a .txt file (one example per line), or a .csv with the spec's text column"


def takes_text(model: Any) -> bool:
    return str(model.inputs[0].dtype) == "string"


def read_texts(inputs: Any, spec: Spec) -> tuple[list[str], str]:
    """(a text model's examples, where they came from): strings as given, the lines of a
    .txt file, or the spec's text column of a .csv file."""
    if isinstance(inputs, (str, Path)):
        return _text_file(Path(inputs), spec), str(inputs)
    if isinstance(inputs, Sequence) and all(isinstance(t, str) for t in inputs):
        texts = list(inputs)
        if not texts:
            raise UserError(f"no text to predict; give {TEXT_FILES}")
        blank = [i for i, text in enumerate(texts, start=1) if not text.strip()]
        if blank:
            raise UserError(f"text {blank[0]} of {len(texts)} is empty: nothing to predict from")
        return texts, "the texts"
    raise UserError(f"this model takes text, not arrays; give {TEXT_FILES}")


def _text_file(path: Path, spec: Spec) -> list[str]:
    from zoo.data.files import _csv_rows, _read_text

    if not path.is_file():
        raise UserError(f"{path}: no such file")
    try:
        if path.suffix == ".txt":
            texts = [line.strip() for line in _read_text(path).splitlines() if line.strip()]
        elif path.suffix == ".csv":
            texts = _text_column(path, _csv_rows(path), spec)
        else:
            raise UserError(f"{path}: this model takes text; give {TEXT_FILES}")
    except SpecError as error:
        raise UserError(error.problems[0].message) from None
    if not texts:
        raise UserError(f"{path} has no text to predict")
    return texts


def _text_column(path: Path, rows: list[tuple[int, list[str]]], spec: Spec) -> list[str]:
    from zoo.data.files import _column_indexes

    column = spec.data.args.get("text", "text") if spec.data is not None else "text"
    if spec.data is None or spec.data.source != "text_classes":
        raise UserError(f"{path}: a CSV of texts is read by a text_classes model; give --text")
    if not rows:
        raise UserError(f"{path} is empty; expected a header row and a {column!r} column")
    header = rows[0][1]
    (index,) = _column_indexes(path, [column], header, len(header), "text")
    for line, row in rows[1:]:
        if not row[index].strip():
            raise UserError(
                f"{path}:{line}: the text column ({header[index]!r}) is empty: nothing to "
                "predict from"
            )
    return [row[index] for _, row in rows[1:]]


def series_window(model: Any, spec: Spec, path: Path) -> SeriesEnd:
    """The last ``window`` rows of a CSV series as one example, with the target names
    (and the rows' times, with data.args.time); for a long-format file of many series
    (data.args.id), one example per series, with the series' names."""
    from zoo.data.files import CsvSeriesArgs, read_series
    from zoo.data.generators import led

    if spec.data is None or spec.data.source != "csv_series":
        trained_on = spec.data.source if spec.data else "no"
        raise UserError(
            f"{path}: a CSV is forecast by a model trained on csv_series data; this one was "
            f"trained on {trained_on} data (give a .npy of its inputs)"
        )
    if not path.is_file():
        raise UserError(f"{path}: no such file")
    args = CsvSeriesArgs.model_validate(spec.data.args)
    try:
        tables = read_series(path, args, needed=args.window, targets_required=False)
    except SpecError as error:
        raise UserError(error.problems[0].message) from None
    windows = []
    for name, table in tables.items():
        which = f"{path}" if name is None else f"{path}: series {name!r}"
        if len(table.inputs) < args.window:
            raise UserError(
                f"{which} has {len(table.inputs)} observed rows; the model reads a window "
                f"of {args.window}"
            )
        rows = np.arange(len(table.inputs) - args.window, len(table.inputs))
        windows.append(led(table.inputs, table.future, rows, args.horizon).astype("float32"))
    window = np.stack(windows)
    check_shape(model, window, f"{path}'s last {args.window} rows")
    (table, *_) = tables.values()
    names = [str(c) for c in args.target or args.columns or []] or table.target_names
    series = None if args.id is None else [str(name) for name in tables]
    times = [t.times for t in tables.values()] if args.time is not None else None
    return SeriesEnd(window, names or None, series, str(path), times)


GIVE_DATA = "give the data to predict: an INPUT file, or --text for a text model"


@dataclass(frozen=True)
class SeriesEnd:
    """The last window of each series a forecaster was trained on: what it forecasts
    from when given no input."""

    windows: np.ndarray  # (series, window, features)
    names: list[str] | None  # the targets'
    series: list[str] | None  # each window's series, in a long-format file of many
    where: str  # "sales.csv", "the airline series"
    times: list[Any] | None = None  # each series' TimeColumn (data.args.time), if named


def series_end(model: Any, spec: Any, folder: Path) -> SeriesEnd | None:
    """The end of the series ``model`` was trained on: the CSV its spec names (relative
    to ``folder``, the spec's), or a packaged (lynx, airline) or generated one whose
    forecast is of its input; None for a model of no series."""
    from zoo.data.base import Context, data_seed, source_of

    if spec.data is None:
        return None
    if spec.data.source == "csv_series":
        return series_window(model, spec, folder / spec.data.args["path"])
    source, args = source_of(spec)
    if "path" in type(args).model_fields or not source.feeds_back(args):
        return None
    dataset = source.load(args, Context(data_seed(spec), folder))
    if dataset.series is None:
        return None
    window = dataset.series[-args.window :][None].astype("float32")
    where = f"the {spec.data.source} series"
    check_shape(model, window, f"{where}'s last {args.window} rows")
    return SeriesEnd(window, [spec.data.source], None, where)


def array_file(path: Path) -> np.ndarray:
    if not path.is_file():
        raise UserError(f"{path}: no such file")
    if path.suffix != ".npy":
        raise UserError(f"{path}: give a .npy array, or a .csv series for a csv_series model")
    try:
        array = np.load(path, allow_pickle=False)
    except (ValueError, OSError, EOFError) as error:  # an empty or cut file too
        raise UserError(f"{path}: not a .npy array file ({error})") from None
    if array.ndim == 0 or len(array) == 0:
        raise UserError(
            f"{path} holds no examples (shape {array.shape}); examples go along the first axis"
        )
    check_numbers(array, str(path))
    return array


def check_numbers(array: np.ndarray, where: str) -> None:
    """Real numbers only: strings, complex numbers, dates, records, NaN and infinities are
    refused in one line, before the model sees them."""
    if array.dtype.kind not in "biuf":
        raise UserError(f"{where} holds {array.dtype.name} values, not numbers")
    if array.dtype.kind == "f" and not np.isfinite(array).all():
        raise UserError(f"{where} holds NaN or infinite values; give finite numbers")


def check_ids(spec: Spec, inputs: np.ndarray, where: str) -> None:
    """Token inputs must be integer ids below inputs.vocab_size: the compiled forward
    pass would clamp an id out of range to the last one and answer without a word."""
    vocab_size = spec.inputs.vocab_size
    if vocab_size is None:
        return
    if not np.issubdtype(inputs.dtype, np.integer):
        raise UserError(
            f"{where} holds {inputs.dtype} values; the model reads token ids (integers "
            f"0 .. {vocab_size - 1})"
        )
    if inputs.size and (inputs.min() < 0 or inputs.max() >= vocab_size):
        bad = inputs.min() if inputs.min() < 0 else inputs.max()
        raise UserError(
            f"{where} holds token id {int(bad)}; the model's ids are 0 .. {vocab_size - 1} "
            "(inputs.vocab_size)"
        )


def check_shape(model: Any, inputs: np.ndarray, where: str) -> None:
    """One line for an array the model cannot take, rather than Keras's traceback."""
    if inputs.ndim == 0 or len(inputs) == 0:
        raise UserError(f"{where} holds no examples (shape {inputs.shape})")
    expected = tuple(model.inputs[0].shape[1:])
    actual = tuple(inputs.shape[1:])
    if len(actual) != len(expected) or any(
        e not in (None, a) for e, a in zip(expected, actual, strict=True)
    ):
        shown = tuple("any" if e is None else e for e in expected)
        raise UserError(
            f"{where} has examples of shape {actual}; the model takes {shown} per example"
        )
