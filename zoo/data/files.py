"""Data from the user's files: a text corpus, CSV time series, NumPy arrays.

A path is relative to the spec's folder. Every problem with a file is a
``SpecError`` at the argument to change (``data.args.path`` for the file itself).
"""

from __future__ import annotations

import csv
import io
import math
import zipfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Annotated

import numpy as np
from pydantic import Field, model_validator

from zoo.data.base import (
    Context,
    Dataset,
    DataSource,
    Naive,
    Predictor,
    SourceArgs,
    class_ids,
    cross_entropy,
    panel,
)
from zoo.data.generators import forecast
from zoo.errors import SpecError, UserError

PATH = "data.args.path"


class TextArgs(SourceArgs):
    path: str = Field(description="a UTF-8 text file, relative to the spec's folder")
    length: int = Field(100, gt=0, description="characters per example")
    stride: int | None = Field(
        None, gt=0, description="characters between window starts (default: length, no overlap)"
    )
    lowercase: bool = Field(False, description="lowercase the corpus before reading it")


def _text(args: TextArgs, context: Context) -> Dataset:
    """A character language model's examples. The vocabulary is the corpus's distinct
    characters in code-point order, ids from 1 (0 stays padding); for a trained model,
    its own vocabulary, which must hold every character. Example i is the window of
    ``length`` characters starting at i * stride; its target is the same window shifted
    one character on (the next character at each step). The windows are split by time
    (``zoo.data.base.time_split``): validation and test are the text's last characters,
    and a window whose targets straddle a boundary is left out, since windows overlap
    when stride < length. The baseline predicts every character with its frequency in
    the training split's targets (add-one smoothed, so that a character unseen there
    has a finite cost)."""
    path = _existing_file(args.path, context)
    corpus = _read_text(path)
    if args.lowercase:
        corpus = corpus.lower()
    if len(corpus) < args.length + 1:
        raise SpecError.single(
            f"{path} has {len(corpus)} characters; a window of length {args.length} needs "
            f"at least {args.length + 1}",
            "data.args.length",
        )
    vocabulary, tokens = _character_ids(corpus, context, path)
    return next_token_windows(tokens, vocabulary, args.length, args.stride, "character")


def next_token_windows(
    tokens: np.ndarray, vocabulary: list[str], length: int, stride: int | None, what: str
) -> Dataset:
    """A language model's examples from one stream of token ids: the window of
    ``length`` tokens starting at i * stride (default: length), its target the same
    window a token on; spans for the split by time. The baseline predicts every token
    with its frequency in the training split's targets (add-one smoothed, so that a
    ``what`` unseen there has a finite cost)."""
    stride = min(stride or length, len(tokens))  # longer strides give one window too
    count = (len(tokens) - length - 1) // stride + 1
    starts = np.arange(count)[:, None] * stride
    steps = starts + np.arange(length)
    spans = np.concatenate([starts + 1, starts + length + 1], axis=1)
    name = f"cross-entropy of predicting {what} frequencies"
    return Dataset(
        tokens[steps],
        tokens[steps + 1],
        vocabulary,
        spans=spans,
        naive=Naive(name, cross_entropy, fit=_token_frequencies),
    )


def _character_ids(corpus: str, context: Context, path: Path) -> tuple[list[str], np.ndarray]:
    """(the vocabulary, the corpus's token ids)."""
    code_points = np.frombuffer(corpus.encode("utf-32-le"), dtype="<u4")
    known = context.numbering.vocabulary if context.numbering is not None else None
    if known is None:
        characters, inverse = np.unique(code_points, return_inverse=True)
        return ["", *map(chr, characters)], (inverse + 1).astype("int32")
    index = {character: i for i, character in enumerate(known) if i > 0}
    unknown = sorted(set(corpus) - index.keys())
    if unknown:
        raise SpecError.single(
            f"{path} has characters the model never saw: {''.join(unknown[:20])!r}",
            PATH,
        )
    return list(known), np.array([index[c] for c in corpus], dtype="int32")


def _token_frequencies(train: Dataset) -> Predictor:
    assert train.vocabulary is not None
    counts = np.bincount(train.y.ravel(), minlength=len(train.vocabulary))[1:] + 1.0
    frequency = (counts / counts.sum()).astype("float32")
    return lambda data: np.where(data.scored, frequency[data.y - 1], np.nan)


text = DataSource(TextArgs, _text)

Column = str | int


class CsvSeriesArgs(SourceArgs):
    path: str = Field(description="a UTF-8 CSV file, one row per time step, oldest first")
    columns: Annotated[list[Column], Field(min_length=1)] | None = Field(
        None, description="input features: header names or 0-based indexes (default: every one)"
    )
    target: Annotated[list[Column], Field(min_length=1)] | None = Field(
        None, description="columns to predict, names or 0-based indexes (default: columns)"
    )
    window: int = Field(48, gt=0, description="past rows per example (the input)")
    horizon: int = Field(1, gt=0, description="future rows per example (the target)")
    stride: int = Field(1, gt=0, description="rows between the starts of consecutive windows")
    header: bool = Field(True, description="the first row names the columns")
    season: int | None = Field(
        None,
        ge=1,
        description="the seasonal period in rows, e.g. 12 for monthly data: the seasonal "
        "naive forecast and a seasonal Holt-Winters are scored beside the model's (default: "
        "detected in the series before the test windows; 1: none)",
    )
    id: Column | None = Field(
        None,
        description="a long-format file of many series: the column naming each row's "
        "series (its rows in time order, blocks or interleaved). One model learns them all, "
        "each window scaled by its own statistics (data.scale window, the default here), and "
        "each series is split by time on its own: its last windows are the test's",
    )
    future: Annotated[list[Column], Field(min_length=1)] | None = Field(
        None,
        description="future covariates: columns known ahead, such as a calendar or a planned "
        "promotion. A window reads them horizon rows ahead, so its last rows hold their "
        "values over the forecast's horizon (the other columns are past covariates, known up "
        "to the window's end). A file to forecast from gives them for the horizon rows after "
        "the last observed row, the other columns blank there",
    )
    time: Column | None = Field(
        None,
        description="a column of ISO 8601 dates or times, one step apart (1949-01, "
        "2024-03-15, 2024-03-15T09:00): not read as an input; zoo predict labels each step "
        "ahead with its time, going on from the last row",
    )

    @model_validator(mode="after")
    def _future_is_not_forecast(self) -> CsvSeriesArgs:
        forecast = set(self.target or self.columns or [])
        read = forecast | set(self.future or [])
        if self.id is not None and self.id in read:
            raise ValueError(f"id: {self.id!r} names the series; it is not an input or a target")
        if self.time is not None and self.time in read | {self.id}:
            raise ValueError(f"time: {self.time!r} labels the rows; it is not read as a value")
        both = [c for c in self.future or [] if c in forecast]
        if both:
            raise ValueError(
                f"future: {', '.join(map(repr, both))} is forecast (a target): a column known "
                "ahead needs no forecast, and fed ahead it would give the answer away"
            )
        return self


def _csv_series(args: CsvSeriesArgs, context: Context) -> Dataset:
    """Forecasting windows over numeric CSV columns (blank lines skipped): x is
    (examples, window, columns), y the ``horizon`` rows after each window's end,
    flattened row-major to horizon * len(target) values (see ``forecast``)."""
    path = _existing_file(args.path, context)
    tables = read_series(path, args, needed=args.window + args.horizon)
    windows = []
    for table in tables.values():
        assert table.targets is not None
        windows.append(
            forecast(
                table.inputs,
                table.targets,
                args.window,
                args.horizon,
                args.stride,
                table.target_columns,
                table.future,
            )
        )
    data = windows[0] if args.id is None else panel(windows, [str(n) for n in tables])
    return replace(data, input_names=next(iter(tables.values())).input_names)


@dataclass(frozen=True)
class SeriesTable:
    """The numeric columns of a CSV series, time along axis 0."""

    inputs: np.ndarray  # (rows, len(columns))
    targets: np.ndarray | None  # (rows, len(target)); None where the file lacks them
    target_names: list[str]  # header names, or "column N" without a header
    target_columns: list[int | None]  # each target's place among the inputs (None: absent)
    # the future covariates (rows, len(future)), None without; in a file to forecast
    # from, the inputs' rows are the observed ones and these run on over the horizon
    future: np.ndarray | None = None
    input_names: list[str] | None = None  # the inputs', then the future covariates'
    # the time of each observed row (data.args.time), and of the rows after it
    times: TimeColumn | None = None


def read_series(
    path: Path, args: CsvSeriesArgs, needed: int, targets_required: bool = True
) -> dict[str | None, SeriesTable]:
    """The spec's columns of a CSV file, found by name (or index), checked to have at
    least ``needed`` rows of finite numbers: one series (keyed None), or with
    ``args.id`` each series of a long-format file by its id, in the order each first
    appears. A file to forecast from needs only the input columns (``targets_required``
    False)."""
    rows = _csv_rows(path)
    if args.header:
        if not rows:
            raise SpecError.single(f"{path} is empty; header: true expects a header row", PATH)
        names: list[str] | None = rows.pop(0)[1]
        width = len(names)
    else:
        names, width = None, len(rows[0][1]) if rows else 0
    # Columns first: a file without them is likely the wrong file, whatever its length.
    ids = _column_indexes(path, [args.id] if args.id is not None else [], names, width, "id")
    future = _column_indexes(path, args.future or [], names, width, "future")
    time = _column_indexes(path, [args.time] if args.time is not None else [], names, width, "time")
    every = [j for j in range(width) if j not in future + ids + time]  # the default: the rest
    inputs = _column_indexes(path, args.columns or every, names, width, "columns")
    wanted = args.target or (args.columns or every)
    try:
        targets: list[int] | None = _column_indexes(path, wanted, names, width, "target")
    except SpecError:
        if targets_required:
            raise
        targets = None
    layout = _Layout(path, args, names, inputs, targets, future, targets_required, time)
    if not ids:
        return {None: layout.table(rows, needed, "")}
    series: dict[str, list[tuple[int, list[str]]]] = {}
    for line, row in rows:
        series.setdefault(row[ids[0]].strip(), []).append((line, row))
    return {name: layout.table(part, needed, f": series {name!r}") for name, part in series.items()}


@dataclass(frozen=True)
class _Layout:
    """Where a CSV series' columns are, to read the rows of one series."""

    path: Path
    args: CsvSeriesArgs
    names: list[str] | None
    inputs: list[int]
    targets: list[int] | None
    future: list[int]
    targets_required: bool
    time: list[int]  # data.args.time's column, or none

    def hint(self, column: int) -> str:
        """What to do where a column read by default holds no number (a date, a label)."""
        if self.args.columns is not None or self.names is None:
            return ""
        others = [repr(n) for k, n in enumerate(self.names) if k != column and n != self.args.id]
        named = f"e.g. columns: [{', '.join(others)}]" if others else "columns: [...]"
        dates = f", or time: {self.names[column]!r} where it holds the rows' dates"
        return f"; every column is read unless data.args.columns names them: {named}{dates}"

    def table(self, rows: list[tuple[int, list[str]]], needed: int, which: str) -> SeriesTable:
        path, args, names, future = self.path, self.args, self.names, self.future
        if len(rows) < needed:
            what = f"a window of {args.window}"
            what += f" and a horizon of {args.horizon} need" if needed > args.window else " needs"
            raise SpecError.single(
                f"{path}{which} has {len(rows)} rows; {what} at least {needed}",
                "data.args.window",
            )
        table = np.empty((len(rows), len(names) if names else len(rows[0][1])))
        used = sorted(set(self.inputs) | set(self.targets or []) | set(future))
        # In a file to forecast from, the rows of the horizon leave all but the future blank.
        blank_is_unknown = bool(future) and not self.targets_required
        for i, (line, row) in enumerate(rows):
            for j in used:
                where = f"{path}:{line}: column {names[j] if names else j!r}"
                unknown = blank_is_unknown and not row[j].strip()
                hint = self.hint(j) if i == 0 and row[j].strip() else ""  # a column of text
                table[i, j] = math.nan if unknown else _number(row[j], where, hint)
        if blank_is_unknown:
            lines = [f"{path}:{line}" for line, _ in rows]
            observed = observed_rows(table[:, self.inputs], lines)
            check_future_known(
                table[: observed + args.horizon, future], observed, args.horizon, lines
            )
            table = table[: observed + args.horizon]
        n = len(table) - (args.horizon if blank_is_unknown else 0)
        targets = self.targets

        def named(columns: list[int]) -> list[str]:
            return [names[j] if names else f"column {j}" for j in columns]

        times = None
        if self.time:  # the observed rows': a forecast's times go on from the last
            times = TimeColumn.read(rows[:n], self.time[0], path, named(self.time)[0])

        return SeriesTable(
            table[:n, self.inputs],
            table[:n, targets] if targets is not None else None,
            named(targets) if targets is not None else [],
            [self.inputs.index(j) if j in self.inputs else None for j in targets or []],
            table[:, future] if future else None,
            named(self.inputs + future),
            times,
        )


@dataclass(frozen=True)
class TimeColumn:
    """The times of a series' rows, read from ISO 8601 text in the coarsest unit that
    keeps them (monthly dates on the 1st are months, so that a step is one month)."""

    last: np.datetime64
    steps: list[np.timedelta64]  # the distinct steps between rows: one, where regular
    where: str  # the column, for a message: "sales.csv: column 'day'"

    @staticmethod
    def read(rows: list[tuple[int, list[str]]], column: int, path: Path, name: str) -> TimeColumn:
        times = []
        for line, row in rows:
            try:
                times.append(np.datetime64(row[column].strip()))
            except ValueError:
                raise SpecError.single(
                    f"{path}:{line}: column {name!r}: {row[column]!r} is not an ISO 8601 date "
                    "or time (1949-01, 2024-03-15, 2024-03-15T09:00)",
                    "data.args.time",
                ) from None
        values = np.array(times)
        for unit in ("Y", "M"):  # the coarsest unit that loses nothing
            coarse = values.astype(f"datetime64[{unit}]")
            if (coarse.astype(values.dtype) == values).all():
                values = coarse
                break
        steps = list(np.unique(np.diff(values)))
        return TimeColumn(values[-1], steps, f"{path}: column {name!r}")

    def after(self, steps: int) -> list[str]:
        """The times of the ``steps`` rows after the last, as ISO 8601 text: one step on
        from each, which a column that does not go forward by one step cannot say."""
        if len(self.steps) != 1 or self.steps[0] <= np.timedelta64(0):
            found = ", ".join(str(step) for step in self.steps[:3]) or "none (one row)"
            raise UserError(
                f"{self.where} must go forward by one step from row to row to be carried on "
                f"past the last; its steps: {found}"
            )
        return [str(self.last + self.steps[0] * k) for k in range(1, steps + 1)]


def observed_rows(inputs: np.ndarray, rows: list[str]) -> int:
    """How many rows of a series to forecast from are observed: every input known. The
    rows after, the horizon's, leave the inputs blank (NaN) and give the future
    covariates alone. ``rows``: each row's name for a message ("data.csv:12")."""
    known = ~np.isnan(inputs).any(axis=1)
    observed = int(np.argmin(known)) if not known.all() else len(known)
    if known[observed:].any():
        again = observed + int(np.argmax(known[observed:]))
        raise SpecError.single(
            f"{rows[again]}: the inputs are given again after {rows[observed]} left them "
            "blank; blank inputs mark the horizon's rows, after the last observed one",
            PATH,
        )
    if observed == 0:
        raise SpecError.single(f"{rows[0]}: the first row's inputs are blank", PATH)
    return observed


def check_future_known(future: np.ndarray, observed: int, horizon: int, rows: list[str]) -> None:
    """The future covariates of a series to forecast from, ``observed`` rows of it
    observed: given in every row on to the end of the horizon."""
    if len(future) < observed + horizon:
        given = len(future) - observed
        raise SpecError.single(
            f"the future covariates are given for {given} row{'s' * (given != 1)} after the "
            f"last observed one ({rows[observed - 1]}); a forecast of {horizon} rows needs "
            f"them for all {horizon}: add the rows, the other columns blank",
            PATH,
        )
    blank = np.flatnonzero(np.isnan(future).any(axis=1))
    if blank.size:
        raise SpecError.single(
            f"{rows[blank[0]]}: a future covariate is blank; they are needed in every row "
            f"to the end of the horizon ({horizon} rows after the last observed one)",
            PATH,
        )


def _csv_rows(path: Path) -> list[tuple[int, list[str]]]:
    """The non-blank rows of a CSV file with their line numbers, checked to be equally
    wide: a short row would otherwise surface as an IndexError far from its line."""
    reader = csv.reader(io.StringIO(_read_text(path), newline=""))
    try:
        rows = [(reader.line_num, row) for row in reader if row]
    except csv.Error as error:  # e.g. a field over the csv module's size limit
        raise SpecError.single(f"{path}:{reader.line_num}: not CSV: {error}", PATH) from None
    for line, row in rows[1:]:
        if len(row) != len(rows[0][1]):
            raise SpecError.single(
                f"{path}:{line}: expected {len(rows[0][1])} fields, found {len(row)}", PATH
            )
    return rows


def _column_indexes(
    path: Path, wanted: list[Column], names: list[str] | None, width: int, key: str
) -> list[int]:
    indexes = []
    for column in wanted:
        if isinstance(column, int):
            if not 0 <= column < width:
                raise SpecError.single(
                    f"column index {column} is out of range; {path} has {width} columns",
                    f"data.args.{key}",
                )
            indexes.append(column)
        elif names is None:
            raise SpecError.single(
                f"column {column!r} needs a header row (header: true); without one, give "
                "0-based column indexes",
                f"data.args.{key}",
            )
        elif column not in names:
            raise SpecError.single(
                f"{path} has no column {column!r}; available: {', '.join(names)}",
                f"data.args.{key}",
            )
        else:
            indexes.append(names.index(column))
    return indexes


def _number(value: str, where: str, hint: str = "") -> float:
    try:
        number = float(value)
    except ValueError:
        number = math.nan
    if not math.isfinite(number):
        raise SpecError.single(f"{where}: {value!r} is not a finite number{hint}", PATH)
    return number


def _targets_are_inputs(args: CsvSeriesArgs) -> bool:
    """One input column, and the target is it (left out, or written the same way); no
    future covariates, which a forecast fed back could not extend."""
    return (
        args.columns is not None
        and len(args.columns) == 1
        and args.target in (None, args.columns)
        and not args.future
    )


csv_series = DataSource(
    CsvSeriesArgs, _csv_series, scale="standard", feeds_back=_targets_are_inputs
)


class NpzArgs(SourceArgs):
    path: str = Field(description="a NumPy .npz archive (numpy.savez), relative to the spec")
    x: str | Annotated[list[str], Field(min_length=1)] = Field(
        "x", description="the input array's name, or a list of names for several inputs"
    )
    y: str = Field("y", description="the target array's name")
    labels: Annotated[list[str], Field(min_length=1)] | None = Field(
        None,
        description="class names in id order (default: the archive's 'labels' array, if any)",
    )


LABELS = "labels"  # the archive's optional array of class names


def _npz(args: NpzArgs, context: Context) -> Dataset:
    """Arrays stored as they will be fed, examples along axis 0: integer arrays become
    int32 (token or class ids), real and boolean ones float32. Pickled (object)
    arrays are never loaded."""
    path = _existing_file(args.path, context)
    try:
        archive = np.load(path, allow_pickle=False)
    except (OSError, ValueError, EOFError, zipfile.BadZipFile):
        archive = None
    if not isinstance(archive, np.lib.npyio.NpzFile):
        raise SpecError.single(f"{path} is not an .npz archive (as numpy.savez writes)", PATH)
    with archive:
        names = [args.x] if isinstance(args.x, str) else args.x
        xs = [_array(archive, path, name, "x") for name in names]
        y = _array(archive, path, args.y, "y")
        named = LABELS in archive.files and LABELS not in (*names, args.y)  # not fed itself
        stored = archive[LABELS] if named else None
    classes = args.labels or _stored_labels(stored, path)
    if classes is not None:
        _check_labels(classes, y, path, args.y)
        if context.numbering is not None and context.numbering.classes is not None:
            # the archive's names, renumbered as the trained model numbers them
            named_y = [classes[i] for i in y.ravel()]
            ids, classes = class_ids(named_y, context.numbering, str(path), "data.args.labels")
            y = ids.reshape(y.shape)
    for name, x in zip(names, xs, strict=True):
        if len(x) != len(y):
            raise SpecError.single(
                f"in {path}, x array {name!r} has {len(x)} examples but y array {args.y!r} has "
                f"{len(y)}; their first dimensions must match",
                "data.args",
            )
    return Dataset(xs[0] if isinstance(args.x, str) else xs, y, classes=classes)


def _stored_labels(stored: np.ndarray | None, path: Path) -> list[str] | None:
    if stored is None:
        return None
    if stored.dtype.kind != "U" or stored.ndim != 1:
        raise SpecError.single(
            f"array {LABELS!r} in {path} should list the class names as strings, one per id; "
            f"it holds {stored.dtype} of shape {stored.shape}",
            "data.args.labels",
        )
    return [str(label) for label in stored]


def _check_labels(classes: list[str], y: np.ndarray, path: Path, name: str) -> None:
    if y.dtype.kind != "i":
        raise SpecError.single(
            f"class names were given, but y array {name!r} in {path} holds {y.dtype} values, "
            "not class ids",
            "data.args.labels",
        )
    if y.size and y.max() >= len(classes):
        raise SpecError.single(
            f"y array {name!r} in {path} has class ids up to {int(y.max())}, but "
            f"{len(classes)} class names",
            "data.args.labels",
        )


def _array(archive: np.lib.npyio.NpzFile, path: Path, name: str, key: str) -> np.ndarray:
    if name not in archive.files:
        raise SpecError.single(
            f"{path} has no array {name!r}; available: {', '.join(archive.files)}",
            f"data.args.{key}",
        )
    try:
        array = archive[name]
    except ValueError:  # an object array: loading it needs pickle, never allowed here
        array = np.empty(0, dtype=object)
    if array.dtype.kind not in "biuf":
        raise SpecError.single(
            f"array {name!r} in {path} holds {array.dtype} values; only numbers can be fed "
            "to a model",
            f"data.args.{key}",
        )
    if array.ndim == 0:
        raise SpecError.single(
            f"array {name!r} in {path} is a scalar; examples go along its first axis",
            f"data.args.{key}",
        )
    return array.astype("int32" if array.dtype.kind in "iu" else "float32")


npz = DataSource(NpzArgs, _npz, scale="standard")


def _existing_file(path: str, context: Context) -> Path:
    resolved = context.folder / path
    if resolved.is_dir():
        raise SpecError.single(f"{resolved} is a directory, not a file", PATH)
    if not resolved.is_file():
        raise SpecError.single(f"no such file: {resolved}", PATH)
    return resolved


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")  # a BOM is not part of the text
    except UnicodeDecodeError as error:
        raise SpecError.single(
            f"{path} is not UTF-8 text (byte {error.start} is invalid)", PATH
        ) from None
