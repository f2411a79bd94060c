"""The commands on a trained model: evaluate it on held-out data, predict from the
user's raw inputs, forecast, generate text."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from zoo.data.tokens import markers
from zoo.errors import UserError
from zoo.inference.inputs import array_file, check_shape, read_texts, series_window, takes_text
from zoo.inference.prediction import Prediction
from zoo.spec import Overrides
from zoo.spec.derived import architecture, loss_name, output_width

# The losses of a head whose outputs are class probabilities.
CLASSIFYING = ("sparse_categorical_crossentropy", "binary_crossentropy")

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
    from zoo.data import load_splits
    from zoo.saving import load_model, zoo_record
    from zoo.spec.loading import load_spec
    from zoo.training.pipeline import evaluation_pipeline
    from zoo.training.records import RunState

    path, run = resolve_model_path(target)
    model = load_model(path, unsafe=unsafe)
    from zoo.inference.forward import xla_ready

    model.jit_compile = xla_ready(model)  # evaluation only: training keeps its setting
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
    target: Path | str,
    inputs: np.ndarray | Path | str | Sequence[str],
    steps: int | None = None,
    unsafe: bool = False,
) -> Prediction:
    """The model's answer for ``inputs``, in the user's terms.

    A text model (trained on text_classes or tagged_text) takes a list of strings, a
    .txt file (one example per line) or a CSV with the spec's text column; the answer
    has the class names and their probabilities, or a tagger's tag for each word. A
    csv_series forecaster takes a CSV with the spec's columns (found by name) and
    forecasts after its last window, in the CSV's units. Any other model takes an
    array as it takes it, or a .npy file. With ``steps``, a univariate forecaster's
    predictions are fed back as inputs until ``steps`` future values are made."""
    from zoo.saving import load_model, zoo_record

    path, _ = resolve_model_path(target)
    model = load_model(path, unsafe=unsafe)
    record = zoo_record(path)
    if takes_text(model):
        return _predict_texts(model, record, inputs)
    if isinstance(inputs, (list, tuple)):
        raise UserError(f"{path}: this model takes arrays, not text (give a .npy of its inputs)")
    if isinstance(inputs, (str, Path)):
        source = Path(inputs)
        if source.suffix == ".csv":
            window, names = series_window(model, record.spec, source)
            ahead = _forward(model, window, steps)[0]
            return Prediction(ahead.reshape(-1, max(len(names or []), 1)), names, str(source))
        inputs = array_file(source)
    else:
        source = None
    where = str(source) if source else "the inputs"
    check_shape(model, inputs, where)
    values = _forward(model, inputs, steps)
    classes = class_names(record) if values.ndim == 2 and steps is None else None
    return Prediction(values, source=where, classes=classes)


def _forward(model: Any, inputs: np.ndarray, steps: int | None) -> np.ndarray:
    from zoo.inference.forward import CompiledForward

    if steps is None:
        return CompiledForward(model)(inputs)
    return roll_forward(model, inputs, steps)


def _predict_texts(model: Any, record: ModelRecord, inputs: Any) -> Prediction:
    from custom_layers.text import split_text
    from zoo.inference.forward import CompiledForward

    texts, where = read_texts(inputs, record.spec)
    values = CompiledForward(model)(np.array(texts, dtype=object))
    tokens = None
    if values.ndim == 3:  # a tag per token: the words as the model split them
        layer = model.get_layer("text_ids")
        rows = split_text(texts, layer.split, lowercase=False).to_list()
        tokens = [[t.decode("utf-8") for t in row[: layer.length]] for row in rows]
    return Prediction(values, source=where, texts=texts, classes=class_names(record), tokens=tokens)


def class_names(record: ModelRecord) -> list[str] | None:
    """The class names, or the class ids as names for a classifier trained on ids."""
    if record.classes is not None:
        return record.classes
    spec = record.spec
    if architecture(spec).emits_tokens or loss_name(spec) not in CLASSIFYING:
        return None
    units = output_width(spec) or 1
    return [str(i) for i in range(2 if units == 1 else units)]


def roll_forward(model: Any, windows: np.ndarray, steps: int) -> np.ndarray:
    """Roll a (window, 1) -> (horizon,) forecaster forward ``steps`` values."""
    if windows.ndim != 3 or windows.shape[-1] != 1:
        raise UserError(
            "feeding predictions back needs univariate windows (batch, steps, 1), "
            f"got {windows.shape}"
        )
    from zoo.inference.forward import CompiledForward

    made: list[np.ndarray] = []
    window = windows.astype("float32")
    forward = CompiledForward(model)  # every round the same shape: traced once
    while sum(m.shape[1] for m in made) < steps:
        ahead = forward(window).reshape(len(window), -1)
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
    window: bool = False,
) -> str:
    """A language model continues ``prime`` by ``length`` characters; a seq2seq model
    translates ``source`` (greedy, or beam search with ``beam`` > 1). The language
    model carries its state from character to character; ``window`` instead re-runs
    the training window for each one (see ``samples``)."""
    from zoo.saving import load_model, zoo_record

    path, _ = resolve_model_path(target)
    model = load_model(path, unsafe=unsafe)
    record = zoo_record(path)
    if architecture(record.spec).encoder_decoder:
        if source is None:
            raise UserError("a seq2seq model translates an --input, e.g. --input '123+45'")
        return _translate(model, record, source, beam)
    return _continue(model, record, path, prime, length, temperature, seed, 1, window)[0]


def samples(
    target: Path | str,
    prime: str,
    length: int = 200,
    temperature: float = 1.0,
    seed: int | None = None,
    count: int = 1,
    unsafe: bool = False,
    window: bool = False,
) -> list[str]:
    """``count`` continuations of ``prime`` by a language model, drawn in one batched
    loop; the same ``seed`` gives the same ones. Each new character is one step of
    the cells from the state the text so far left (the char-rnn practice), so the
    context is never cut; with ``window`` each character re-runs the model over the
    last ``inputs.length`` characters instead, as the model was trained."""
    from zoo.saving import load_model, zoo_record

    path, _ = resolve_model_path(target)
    model = load_model(path, unsafe=unsafe)
    record = zoo_record(path)
    if architecture(record.spec).encoder_decoder:
        raise UserError(f"{path}: samples are drawn from a language model; this is a seq2seq")
    return _continue(model, record, path, prime, length, temperature, seed, count, window)


def _continue(
    model: Any,
    record: ModelRecord,
    path: Path,
    prime: str | None,
    length: int,
    temperature: float,
    seed: int | None,
    count: int,
    window: bool,
) -> list[str]:
    spec = record.spec
    if not architecture(spec).emits_tokens:
        raise UserError(
            f"{path}: generate needs a language_model or seq2seq, this is a {spec.architecture}"
        )
    if not prime:
        raise UserError("a language model continues a --prime of at least one character")
    if count < 1:
        raise UserError(f"--samples must be at least 1, got {count}")
    vocabulary = _vocabulary(record.vocabulary, path)
    ids = encode_characters(prime, vocabulary, "--prime")
    if window:
        from zoo.inference.decoding import sample_tokens

        rng = np.random.default_rng(seed)
        drawn = [sample_tokens(model, ids, length, temperature, rng) for _ in range(count)]
    else:
        from zoo.inference.sampling import StateSampler

        drawn = StateSampler(model, spec).sample(ids, length, temperature, seed, count)
    return [prime + _decode(tokens, vocabulary) for tokens in drawn]


def _translate(model: Any, record: ModelRecord, text: str, beam: int) -> str:
    from zoo.inference.decoding import (
        beam_decode,
        greedy_decode,
        longest_output,
        seq2seq_inference,
    )

    spec = record.spec
    target_vocabulary = _vocabulary(record.vocabulary, "the model")
    source_vocabulary = _vocabulary(record.source_vocabulary or target_vocabulary, "the model")
    ids = encode_characters(text, source_vocabulary, "--input")
    length = spec.inputs.length or len(ids)
    if len(ids) > length:
        raise UserError(f"--input has {len(ids)} tokens; the model reads at most {length}")
    source = np.zeros((1, length), dtype="int32")
    source[0, : len(ids)] = ids
    inference = seq2seq_inference(model, spec)
    start, end = markers(target_vocabulary)
    max_length = longest_output(spec, length)
    if beam > 1:
        tokens = beam_decode(inference, source, start, end, max_length, beam)
    else:
        tokens = greedy_decode(inference, source, start, end, max_length)[0]
    return _decode(tokens, target_vocabulary, special=(start, end))


def _vocabulary(vocabulary: list[str] | None, where: Path | str) -> list[str]:
    if not vocabulary:
        raise UserError(f"{where}: the model has no vocabulary (train it with zoo train first)")
    return vocabulary


def encode_characters(text: str, vocabulary: list[str], flag: str) -> list[int]:
    """Each character of ``text`` -> its id in ``vocabulary``; an unknown character is
    a UserError naming ``flag``."""
    ids = {token: i for i, token in enumerate(vocabulary) if i > 0}
    unknown = sorted({c for c in text if c not in ids})
    if unknown:
        raise UserError(f"{flag} has characters the model never saw: {''.join(unknown)!r}")
    return [ids[c] for c in text]


def _decode(tokens: list[int], vocabulary: list[str], special: tuple[int, ...] = ()) -> str:
    """Token ids -> text, without padding and the ``special`` ids (a seq2seq target's
    start and end markers)."""
    return "".join(vocabulary[t] for t in tokens if 0 < t < len(vocabulary) and t not in special)
