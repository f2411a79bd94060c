"""Using trained models: evaluate on held-out data, predict, forecast, generate text."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from zoo.data.tokens import markers
from zoo.errors import SpecError, UserError
from zoo.spec import Overrides
from zoo.spec.derived import architecture

if TYPE_CHECKING:
    from zoo.saving import ModelRecord


def resolve_model_path(target: Path | str) -> tuple[Path, Path | None]:
    """(the model file, the run directory if ``target`` is one): a run directory means
    its best.keras (last.keras when no epoch was best)."""
    target = Path(target)
    if target.is_dir():
        for name in ("best.keras", "last.keras"):
            if (target / name).is_file():
                return target / name, target
        raise UserError(f"{target}: no best.keras or last.keras in this folder")
    return target, None


def evaluate(
    target: Path | str, overrides: Overrides = None, unsafe: bool = False
) -> dict[str, Any]:
    """Metrics of a run's (or model file's) model on the test split of its spec's data,
    with the data's trivial baseline beside them. ``overrides`` re-point the stored
    spec's data section (e.g. ``{"data.args.path": "new.csv", "data.test": 0,
    "data.validation": 0}`` evaluates on the whole of another file)."""
    from zoo.api import load_spec
    from zoo.data import load_splits
    from zoo.saving import load_model, zoo_record
    from zoo.training.pipeline import evaluation_pipeline
    from zoo.training.records import RunState

    path, run = resolve_model_path(target)
    model = load_model(path, unsafe=unsafe)
    spec = load_spec(zoo_record(path).spec, overrides)
    folder = Path(RunState.load(run).spec_folder) if run else Path.cwd()
    splits = load_splits(spec, folder)
    if splits.test is not None:
        split, dataset = "test", splits.test
    elif splits.validation is not None:
        split, dataset = "validation", splits.validation
    else:
        split, dataset = "whole", splits.train
    batch_size = spec.train.batch_size if spec.train else 32
    metrics = model.evaluate(evaluation_pipeline(dataset, batch_size), verbose=0, return_dict=True)
    return {
        "model": str(path),
        "split": split,
        "examples": len(dataset),
        "metrics": {k: float(v) for k, v in metrics.items()},
        "baseline": dataset.baseline,
    }


@dataclass
class Prediction:
    """A model's answer in the data's terms: values in the units of its targets (the
    scaling fitted in training is undone inside the model)."""

    values: np.ndarray  # a forecast from a CSV: (steps ahead, target columns)
    columns: list[str] | None = None  # the names along the last axis of values, if known
    source: str = "the inputs"  # where the inputs came from, for messages

    def table(self) -> list[list[str]]:
        """A header and one row per step ahead (per example for arrays)."""
        values = self.values.reshape(len(self.values), -1)
        names = self.columns or [f"output {i}" for i in range(values.shape[1])]
        return [
            ["step", *names],
            *([str(i + 1), *map(_number, row)] for i, row in enumerate(values)),
        ]

    def write(self, path: Path) -> None:
        """.csv (the table), .json (its rows as objects) or .npy (the values)."""
        from zoo.atomic import write_text

        if path.suffix == ".npy":
            with path.open("wb") as file:
                np.save(file, self.values)
        elif path.suffix == ".csv":
            buffer = io.StringIO()
            csv.writer(buffer).writerows(self.table())
            write_text(path, buffer.getvalue())
        elif path.suffix == ".json":
            header, *rows = self.table()
            objects = [
                dict(zip(header, (int(r[0]), *map(float, r[1:])), strict=True)) for r in rows
            ]
            write_text(path, json.dumps(objects, indent=1) + "\n")
        else:
            raise UserError(f"{path}: write predictions to a .csv, .json or .npy file")


def predict(
    target: Path | str,
    inputs: np.ndarray | Path | str,
    steps: int | None = None,
    unsafe: bool = False,
) -> Prediction:
    """The model's answer for ``inputs``: an array as the model takes it, a .npy file,
    or, for a csv_series forecaster, a CSV with the spec's columns (found by name),
    whose last window is forecast. With ``steps``, a univariate forecaster's
    predictions are fed back as inputs until ``steps`` future values are made."""
    from zoo.saving import load_model, zoo_record

    path, _ = resolve_model_path(target)
    model = load_model(path, unsafe=unsafe)
    if isinstance(inputs, (str, Path)):
        source = Path(inputs)
        if source.suffix == ".csv":
            return _forecast_csv(model, zoo_record(path).spec, source, steps)
        inputs = _array_file(source)
    else:
        source = None
    where = str(source) if source else "the inputs"
    _check_shape(model, inputs, where)
    if steps is None:
        return Prediction(np.asarray(model.predict(inputs, verbose=0)), source=where)
    return Prediction(forecast(model, inputs, steps), source=where)


def _forecast_csv(model: Any, spec: Any, path: Path, steps: int | None) -> Prediction:
    """The next values after a CSV series' last window, in its units."""
    from zoo.data.files import CsvSeriesArgs, read_series

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
        table = read_series(path, args, needed=args.window, targets_required=False)
    except SpecError as error:
        raise UserError(error.problems[0].message) from None
    window = table.inputs[-args.window :][None].astype("float32")
    _check_shape(model, window, f"{path}'s last {args.window} rows")
    names = [str(c) for c in args.target or args.columns or []] or table.target_names
    if steps is None:
        ahead = np.asarray(model.predict(window, verbose=0))[0]
    else:
        ahead = forecast(model, window, steps)[0]
    return Prediction(ahead.reshape(-1, max(len(names), 1)), names or None, str(path))


def _array_file(path: Path) -> np.ndarray:
    if not path.is_file():
        raise UserError(f"{path}: no such file")
    if path.suffix != ".npy":
        raise UserError(f"{path}: give a .npy array, or a .csv series for a csv_series model")
    try:
        return np.load(path, allow_pickle=False)
    except ValueError as error:
        raise UserError(f"{path}: not a .npy array file ({error})") from None


def _check_shape(model: Any, inputs: np.ndarray, where: str) -> None:
    """One line for an array the model cannot take, rather than Keras's traceback."""
    expected = tuple(model.inputs[0].shape[1:])
    actual = tuple(inputs.shape[1:])
    if len(actual) != len(expected) or any(
        e not in (None, a) for e, a in zip(expected, actual, strict=True)
    ):
        shown = tuple("any" if e is None else e for e in expected)
        raise UserError(
            f"{where} has examples of shape {actual}; the model takes {shown} per example"
        )


def _number(value: float) -> str:
    return f"{value:.6g}"


def forecast(model: Any, windows: np.ndarray, steps: int) -> np.ndarray:
    """Roll a (window, 1) -> (horizon,) forecaster forward ``steps`` values."""
    if windows.ndim != 3 or windows.shape[-1] != 1:
        raise UserError(
            "feeding predictions back needs univariate windows (batch, steps, 1), "
            f"got {windows.shape}"
        )
    made: list[np.ndarray] = []
    window = windows.astype("float32")
    while sum(m.shape[1] for m in made) < steps:
        ahead = np.asarray(model.predict(window, verbose=0)).reshape(len(window), -1)
        made.append(ahead)
        window = np.concatenate([window[:, ahead.shape[1] :], ahead[..., None]], axis=1)
    return np.concatenate(made, axis=1)[:, :steps]


def generate(
    target: Path | str,
    prime: str | None = None,
    length: int = 200,
    temperature: float = 1.0,
    seed: int | None = None,
    source: str | None = None,
    beam: int = 1,
    unsafe: bool = False,
) -> str:
    """A language model continues ``prime`` by ``length`` characters; a seq2seq model
    translates ``source`` (greedy, or beam search with ``beam`` > 1)."""
    from zoo.saving import load_model, zoo_record

    path, _ = resolve_model_path(target)
    model = load_model(path, unsafe=unsafe)
    record = zoo_record(path)
    spec = record.spec
    if architecture(spec).encoder_decoder:
        if source is None:
            raise UserError("a seq2seq model translates an --input, e.g. --input '123+45'")
        return _translate(model, record, source, beam)
    if not architecture(spec).emits_tokens:
        raise UserError(
            f"{path}: generate needs a language_model or seq2seq, this is a {spec.architecture}"
        )
    if not prime:
        raise UserError("a language model continues a --prime of at least one character")
    from zoo.builder.inference import sample_tokens

    vocabulary = _vocabulary(record.vocabulary, path)
    tokens = sample_tokens(model, _encode(prime, vocabulary, "--prime"), length, temperature, seed)
    return prime + _decode(tokens, vocabulary)


def _translate(model: Any, record: ModelRecord, text: str, beam: int) -> str:
    from zoo.builder.inference import beam_decode, greedy_decode, seq2seq_inference

    spec = record.spec
    target_vocabulary = _vocabulary(record.vocabulary, "the model")
    source_vocabulary = _vocabulary(record.source_vocabulary or target_vocabulary, "the model")
    ids = _encode(text, source_vocabulary, "--input")
    length = spec.inputs.length or len(ids)
    if len(ids) > length:
        raise UserError(f"--input has {len(ids)} tokens; the model reads at most {length}")
    source = np.zeros((1, length), dtype="int32")
    source[0, : len(ids)] = ids
    inference = seq2seq_inference(model, spec)
    start, end = markers(target_vocabulary)
    max_length = spec.outputs.length or 2 * length
    if beam > 1:
        tokens = beam_decode(inference, source, start, end, max_length, beam)
    else:
        tokens = greedy_decode(inference, source, start, end, max_length)[0]
    return _decode(tokens, target_vocabulary, special=(start, end))


def _vocabulary(vocabulary: list[str] | None, where: Path | str) -> list[str]:
    if not vocabulary:
        raise UserError(f"{where}: the model has no vocabulary (train it with zoo train first)")
    return vocabulary


def _encode(text: str, vocabulary: list[str], flag: str) -> list[int]:
    ids = {token: i for i, token in enumerate(vocabulary) if i > 0}
    unknown = sorted({c for c in text if c not in ids})
    if unknown:
        raise UserError(f"{flag} has characters the model never saw: {''.join(unknown)!r}")
    return [ids[c] for c in text]


def _decode(tokens: list[int], vocabulary: list[str], special: tuple[int, ...] = ()) -> str:
    """Token ids -> text, without padding and the ``special`` ids (a seq2seq target's
    start and end markers)."""
    return "".join(vocabulary[t] for t in tokens if 0 < t < len(vocabulary) and t not in special)
