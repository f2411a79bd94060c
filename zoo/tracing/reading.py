"""What ``zoo trace`` traces: the model (trained, or as a spec initialises it) and one
input in the model's terms, with a label for each of its steps. Every problem is one
line (a ``UserError``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from zoo.builder.names import TEXT_IDS
from zoo.errors import UserError
from zoo.spec import Overrides


def loaded(target: Path | str, overrides: Overrides, unsafe: bool) -> tuple[Any, Any, str, Path]:
    """(the model, its record, which weights it holds, the folder its data paths are
    relative to): a run directory or .keras file as trained; a spec as initialised from
    its seed, with its data's preprocessing (vocabulary, scaling) fitted as training
    would fit it."""
    path = Path(target)
    from zoo.opening import is_trained, open_model

    if is_trained(path):
        if overrides:
            raise UserError("--set changes a spec; a trained model is traced as it is")
        opened = open_model(path, unsafe)
        return opened.model, opened.record, f"the weights of {opened.path}", opened.data_folder
    return _initialised(target, overrides)


def _initialised(source: Path | str, overrides: Overrides) -> tuple[Any, Any, str, Path]:
    from zoo.builder import build_model
    from zoo.data import load_splits
    from zoo.saving import ModelRecord, trained_record
    from zoo.spec.loading import load_with_document, located
    from zoo.spec.shipped import spec_folder
    from zoo.training.run import build_fitted

    spec, document = load_with_document(source, overrides)
    try:
        if spec.data is None:
            model, record = build_model(spec), ModelRecord(spec=spec)
        else:
            splits = load_splits(spec, spec_folder(source))
            model, record = build_fitted(spec, splits), trained_record(spec, splits.train)
    except Exception as error:
        from zoo.errors import SpecError

        if isinstance(error, SpecError):
            raise located(error, document) from None
        raise
    seed = "no seed" if spec.seed is None else f"seed {spec.seed}"
    origin = f"the weights as {spec.name} initialises them ({seed}, untrained)"
    return model, record, origin, spec_folder(source)


def series_end_input(model: Any, record: Any, folder: Path) -> tuple[np.ndarray, str] | None:
    """(one example, what it is) where a forecaster is traced on no input: the last
    window of the series it was trained on (the first series' of many); else None."""
    from zoo.inference.inputs import series_end

    if "int" in str(model.inputs[0].dtype) or len(model.inputs) > 1:
        return None
    try:
        end = series_end(model, record.spec, folder)
    except UserError:  # its CSV has moved, or lacks what a forecast from its end needs
        return None
    if end is None:
        return None
    which = f"{end.where}: series {end.series[0]!r}" if end.series else end.where
    return end.windows[:1], f"the last window of {which}"


def model_inputs(
    model: Any, record: Any, text: str | None, array: Any
) -> tuple[Any, list[str], list[str] | None]:
    """(the model's inputs for one example, a label per traced step, what each of the
    head's outputs means)."""
    from zoo.inference.commands import class_names
    from zoo.inference.inputs import takes_text

    spec = record.spec
    labels = record.vocabulary if _emits_input_tokens(spec) else class_names(record)
    if takes_text(model):
        inputs, tokens = _text_inputs(model, _needed(text, "--input TEXT"))
    elif "int" in str(model.inputs[0].dtype):
        inputs, tokens = _token_inputs(model, record, text, array)
    else:
        inputs, tokens = _real_inputs(model, spec, array, text)
    if len(model.inputs) > 1:  # a seq2seq's decoder inputs: the encoder ignores them
        inputs = [inputs, *(np.zeros((1, *t.shape[1:]), str(t.dtype)) for t in model.inputs[1:])]
    return inputs, tokens, labels


def _emits_input_tokens(spec: Any) -> bool:
    from zoo.spec.derived import architecture

    traits = architecture(spec)
    return traits.emits_tokens and not traits.encoder_decoder


def _needed(value: Any, flag: str) -> Any:
    if value is None:
        raise UserError(f"this model is traced on one input: give {flag}")
    return value


def _text_inputs(model: Any, text: str) -> tuple[np.ndarray, list[str]]:
    """A model that takes strings: its own tokenizer splits the text; a word it never
    saw is labelled so (the model reads it as the unknown-word token)."""
    import tensorflow as tf

    from custom_layers.text import split_text

    layer = model.get_layer(TEXT_IDS)
    ids = np.asarray(layer(tf.constant([text])))[0]
    count = int(np.count_nonzero(ids))
    if count == 0:
        raise UserError(f"--input {text!r} has no tokens to trace")
    words = [w.decode("utf-8") for w in split_text([text], layer.split, layer.lowercase)[0].numpy()]
    tokens = [w if i != 1 else f"{w} (unknown)" for w, i in zip(words, ids[:count], strict=False)]
    return np.array([text], dtype=object), tokens


def _token_inputs(
    model: Any, record: Any, text: str | None, array: Any
) -> tuple[np.ndarray, list[str]]:
    """Token ids: a text's characters by the model's vocabulary, or ids from a file."""
    from zoo.inference.commands import encode_characters

    vocabulary = record.source_vocabulary or record.vocabulary  # what the inputs are
    if text is not None and vocabulary:
        ids = encode_characters(text, vocabulary, "--input")
        tokens = list(text)
    elif text is not None:
        raise UserError("this model's tokens have no vocabulary: give --input-npy of token ids")
    else:
        values = np.asarray(
            _array(_needed(array, "--input TEXT" if vocabulary else "--input-npy FILE"))
        )
        if not np.issubdtype(values.dtype, np.integer):
            raise UserError(f"this model reads token ids: the input holds {values.dtype} values")
        ids = [int(i) for i in values.reshape(-1)]
        size = record.spec.inputs.vocab_size
        if any(not 0 <= i < size for i in ids):
            raise UserError(f"the input's token ids must lie in 0..{size - 1}")
        tokens = [vocabulary[i] if vocabulary else f"#{i}" for i in ids]
    if not ids:
        raise UserError("the input is empty: give at least one token")
    length = model.inputs[0].shape[1]
    if length is not None and len(ids) > length:
        raise UserError(f"the input has {len(ids)} tokens; the model reads {length}")
    if length is not None and len(ids) < length and not _pads_harmlessly(record.spec):
        raise UserError(
            f"the input has {len(ids)} tokens; the model reads {length} and masks no padding "
            f"(its answer would read the padding): give {length}"
        )
    padded = np.zeros((1, length or len(ids)), "int32")  # 0 is padding, masked or last
    padded[0, : len(ids)] = ids
    return padded, tokens


def _pads_harmlessly(spec: Any) -> bool:
    """Padding after the input changes nothing traced: the model masks it, or no step
    sees the steps after it (a causal model, answering at every step)."""
    from zoo.spec.derived import architecture, masks_input_padding

    return masks_input_padding(spec) or architecture(spec).causal


def _real_inputs(model: Any, spec: Any, array: Any, text: str | None) -> tuple[np.ndarray, list]:
    from zoo.inference.inputs import check_shape

    if text is not None:
        raise UserError("this model reads real values: give --input-npy FILE, not --input")
    values = np.asarray(_array(_needed(array, "--input-npy FILE")), "float32")
    expected = len(model.inputs[0].shape)
    values = values[None] if values.ndim == expected - 1 else values
    if len(values) != 1:
        raise UserError(f"the input holds {len(values)} examples; zoo trace traces one")
    check_shape(model, values, "the input")
    steps = spec.outputs.length if values.ndim == 2 else values.shape[1]  # one_to_many
    return values, [f"t{t + 1}" for t in range(steps)]


def _array(array: Any) -> np.ndarray:
    from zoo.inference.inputs import array_file

    return array_file(Path(array)) if isinstance(array, (str, Path)) else np.asarray(array)
