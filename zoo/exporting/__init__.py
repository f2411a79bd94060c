"""``zoo export``: a trained model as a SavedModel, ONNX or LiteRT artefact, checked by
that format's own runtime against the .keras model.

Keras writes the artefact (``model.export``). The check loads it with TensorFlow's
SavedModel loader, onnxruntime or the LiteRT interpreter, runs it on a sample of the
model's test split (or on generated inputs of the model's shape), and compares its
outputs with the .keras model's. A text model's tokenizer is string ops, which only a
SavedModel holds: for the other formats the numeric core (token ids in) is exported
and the tokenizer is written beside it as JSON, with the class names and vocabularies.
Seq2seq models also export their encoder and one-step decoder, and language models
their sampler step, so that decoding and sampling run outside Python.
"""

from __future__ import annotations

import importlib.util
import shutil
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from zoo._quiet import quiet_loggers
from zoo.errors import UserError, first_line
from zoo.exporting.formats import FORMATS, Format, arrays, tensor
from zoo.exporting.parts import (
    LITERT_NOTE,
    LITERT_SAMPLER_ONLY,
    MODEL,
    PART_NAMES,
    inference_parts,
    numeric_core,
    sample_inputs,
    takes_text,
    unrolled,
    write_side_file,
)

# How far an artefact's outputs may be from the .keras model's: absolute below 1 (a
# probability), relative above (a forecast in the millions carries float32 rounding of
# 1e-7 of its size, which an absolute 1e-4 would fail).
TOLERANCE = 1e-4
EXTRA = 'pip install "rnn-spec-zoo[export]"'


@dataclass
class Exported:
    """One artefact and how far its outputs are from the .keras model's."""

    name: str  # "model", or an inference part: "encoder", "decoder_step"
    path: Path
    difference: float | None  # None when not checked; see ``difference``


@dataclass
class ExportResult:
    format: str
    artefacts: list[Exported]
    side_files: list[Path] = field(default_factory=list)
    note: str = ""  # what a user must know, e.g. the core without the tokenizer
    numeric_core: bool = False  # a text model exported from its token ids on
    checked_on: str = ""  # e.g. "8 test examples"

    @property
    def worst(self) -> float | None:
        checked = [a.difference for a in self.artefacts if a.difference is not None]
        return max(checked) if checked else None


def export(
    target: Path | str,
    format: str,
    output: Path | str | None = None,
    check: bool = True,
    unsafe: bool = False,
) -> ExportResult:
    """Export a run's (or model file's) model; with ``check``, run each artefact with
    its own runtime and record how far it is from the .keras model (``difference``)."""
    from zoo.opening import open_model

    if format not in FORMATS:
        raise UserError(f"unknown format {format!r}; choose one of {', '.join(FORMATS)}")
    chosen = FORMATS[format]
    missing = [m for m in chosen.needs if importlib.util.find_spec(m) is None]
    if missing:
        raise UserError(f"--format {format} needs {', '.join(missing)}: {EXTRA}")
    opened = open_model(target, unsafe)
    model, record, path = opened.model, opened.record, opened.path
    base = _base(Path(output) if output else None, path, format)
    _check_writable(base.parent)
    samples = sample_inputs(opened)
    result, notes = ExportResult(format, [], checked_on=samples.origin), []
    parts = [(MODEL, model, samples.inputs)]
    core = takes_text(model) and not chosen.holds_strings
    if core:
        numeric, ids = numeric_core(model, samples.inputs)
        parts = [(MODEL, numeric, ids)]
    side = write_side_file(base, model, record, tokenizer=core)
    result.side_files += [side] if side else []
    result.numeric_core = core
    if core:
        notes.append(
            f"{format} cannot hold the tokenizer (string ops): this is the model from token "
            f"ids on; {side.name} has the tokenizer's vocabulary"
        )
    parts += inference_parts(model, record, parts[0][2])
    for name, part, inputs in parts:
        destination = _destination(base, name, chosen.suffix, single=len(parts) == 1)
        if format == "litert":
            try:
                part, was_unrolled = unrolled(part)
            except UserError:
                if name != MODEL or len(parts) == 1:
                    raise
                # A language model takes any length; its sampler step is what generates.
                notes.append(LITERT_SAMPLER_ONLY)
                continue
            if was_unrolled and LITERT_NOTE not in notes:
                notes.append(LITERT_NOTE)
        expected = _outputs(part, inputs)  # a model is called once before Keras exports it
        _write(part, name, destination, chosen)
        named = {t.name: x for t, x in zip(part.inputs, inputs, strict=True)}
        difference = _difference(expected, name, destination, named, chosen) if check else None
        result.artefacts.append(Exported(name, destination, difference))
    result.note = "; ".join(notes)
    return result


def _base(output: Path | None, model: Path, format: str) -> Path:
    """Where the artefact goes, without its suffix: beside the model by default, or in
    an existing folder given as -o, unless that folder is an earlier export."""
    default = f"{model.stem}_{format}"
    if output is None:
        return model.with_name(default)
    suffix = FORMATS[format].suffix
    earlier = (output / "saved_model.pb").is_file() or any(
        (output / f"{name}{suffix}").exists() for name in PART_NAMES
    )
    if output.is_dir() and not earlier:
        return output.resolve() / default
    return output.with_suffix("") if suffix and output.suffix == suffix else output


def _check_writable(folder: Path) -> None:
    import tempfile

    try:
        folder.mkdir(parents=True, exist_ok=True)
        tempfile.TemporaryFile(dir=folder).close()
    except OSError as error:
        raise UserError(f"{folder}: cannot write here ({error.strerror})") from None


def _destination(base: Path, name: str, suffix: str, single: bool) -> Path:
    stem = base if single else base / name
    return stem.with_name(stem.name + suffix) if suffix else stem


def _write(model: Any, name: str, destination: Path, chosen: Format) -> None:
    import contextlib
    import io

    if destination.is_dir():
        if not (destination / "saved_model.pb").is_file():  # never remove a user's folder
            raise UserError(f"{destination}: a folder that is not a SavedModel; choose another -o")
        shutil.rmtree(destination)  # an earlier export, replaced
    destination.parent.mkdir(parents=True, exist_ok=True)
    try:
        # The converters chatter on stdout, and tf2onnx warns of NumPy's future.
        with (
            contextlib.redirect_stdout(io.StringIO()),
            quiet_loggers("tensorflow", "tf2onnx"),
            warnings.catch_warnings(),
        ):
            warnings.simplefilter("ignore", FutureWarning)
            model.export(str(destination), format=chosen.keras_name, verbose=False)
    except PermissionError as error:
        raise UserError(f"{destination}: cannot write here ({error.strerror})") from None
    except Exception as error:  # the converter's refusal is the finding, e.g. an op
        reason = first_line(error)
        message = f"could not export the {name} as {chosen.keras_name}: {reason}"
        raise ExportFailed(message, name, "export", reason) from None


def _outputs(model: Any, inputs: list[np.ndarray]) -> list[np.ndarray]:
    tensors = [tensor(x) for x in inputs]
    return arrays(model(tensors if len(tensors) > 1 else tensors[0], training=False))


def _difference(
    expected: list[np.ndarray],
    name: str,
    destination: Path,
    inputs: dict[str, np.ndarray],
    chosen: Format,
) -> float:
    try:
        got = chosen.run(destination, inputs)
    except Exception as error:  # the runtime's refusal is the finding, e.g. missing ops
        reason = first_line(error)
        message = f"{chosen.runtime} could not run {destination}: {reason}"
        raise ExportFailed(message, name, "check", reason) from None
    shapes, wanted = [g.shape for g in got], [e.shape for e in expected]
    if shapes != wanted:
        reason = f"outputs of shapes {shapes}, the model's {wanted}"
        raise ExportFailed(f"{destination} gives {reason}", name, "check", reason)
    return max(difference(g, e) for g, e in zip(got, expected, strict=True))


def difference(got: np.ndarray, expected: np.ndarray) -> float:
    """The largest |got - expected| / max(1, |expected|): absolute for values up to 1,
    relative beyond, so that a series in the millions is held to its float precision."""
    if not expected.size:
        return 0.0
    g, e = got.astype("float64"), expected.astype("float64")  # a mask output is boolean
    return float(np.max(np.abs(g - e) / np.maximum(1.0, np.abs(e))))


class ExportFailed(UserError):
    """The converter could not write an artefact (``stage`` "export"), or its runtime
    cannot run it ("check"): a finding about the model and format, not a user mistake."""

    def __init__(self, message: str, part: str, stage: str, reason: str) -> None:
        super().__init__(message)
        self.part, self.stage, self.reason = part, stage, reason
