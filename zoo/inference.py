"""Using trained models: evaluate on held-out data, predict, forecast, generate text."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from zoo.data.tokens import markers
from zoo.errors import UserError
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


def predict(
    target: Path | str, inputs: np.ndarray, steps: int | None = None, unsafe: bool = False
) -> np.ndarray:
    """The model's outputs for ``inputs``; with ``steps``, a univariate forecaster's
    predictions are fed back as inputs until ``steps`` future values are made."""
    from zoo.saving import load_model

    path, _ = resolve_model_path(target)
    model = load_model(path, unsafe=unsafe)
    if steps is None:
        return np.asarray(model.predict(inputs, verbose=0))
    return forecast(model, inputs, steps)


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
