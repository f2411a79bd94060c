"""What is exported besides a model as it is: the numeric core of a text model (with its
vocabulary as JSON), the inference models of seq2seq and language models, unrolled
twins for LiteRT, and the inputs each artefact is checked on."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from zoo.builder.names import TEXT_IDS
from zoo.errors import SpecError, UserError

if TYPE_CHECKING:
    from zoo.opening import OpenedModel

# The artefacts' names: the model, and the inference models of seq2seq and language models.
MODEL, ENCODER, DECODER_STEP, SAMPLER_STEP = "model", "encoder", "decoder_step", "sampler_step"
PART_NAMES = (MODEL, ENCODER, DECODER_STEP, SAMPLER_STEP)

# LiteRT's interpreter has no TensorList ops (those need the Flex delegate), which a
# recurrent layer's loop over time uses: the layers are unrolled for it instead.
LITERT_NOTE = "the recurrent layers are unrolled over the input length for LiteRT"
LITERT_SAMPLER_ONLY = (
    "LiteRT gets the sampler step only: the language model itself takes inputs of any "
    "length, which an unrolled loop cannot"
)


def unrolled(model: Any) -> tuple[Any, bool]:
    """(the same model, weights and all, with every recurrent layer unrolled; whether
    it has any)."""
    config = model.get_config()
    if not _set_unroll(config):
        return model, False
    if any(None in tuple(tensor.shape[1:]) for tensor in model.inputs):
        raise UserError(
            "--format litert: the recurrent layers must be unrolled (LiteRT has no loop "
            "over time without the Flex delegate), which needs a fixed inputs.length"
        )
    twin = model.__class__.from_config(config)
    twin.set_weights(model.get_weights())
    return twin, True


def _set_unroll(config: Any) -> bool:
    found = False
    if isinstance(config, dict):
        if "unroll" in config:
            config["unroll"], found = True, True
        for value in config.values():
            found = _set_unroll(value) or found
    elif isinstance(config, list):
        for value in config:
            found = _set_unroll(value) or found
    return found


@dataclass(frozen=True)
class Samples:
    """What an artefact is checked on, and where it came from, for the report."""

    inputs: list[np.ndarray]
    origin: str  # e.g. "8 test examples"


def sample_inputs(opened: OpenedModel, count: int = 8) -> Samples:
    """Up to ``count`` examples of the model's test split (its data read as in
    training), or generated inputs of the model's shape where there is no data."""
    spec, model = opened.spec, opened.model
    if spec.data is not None:
        try:
            return _split_examples(opened, count)
        except (UserError, SpecError):
            pass  # the data moved or is gone: generated inputs still check the artefact
    rng = np.random.default_rng(0)
    made = []
    for tensor in model.inputs:
        shape = [count, *[8 if s is None else s for s in tensor.shape[1:]]]
        if str(tensor.dtype) == "string":
            made.append(np.array(["a test sentence"] * count, dtype=object))
        elif "int" in str(tensor.dtype):
            vocab = spec.inputs.vocab_size if tensor is model.inputs[0] else spec.outputs.vocab_size
            made.append(rng.integers(1, vocab or 2, shape).astype(str(tensor.dtype)))
        else:
            made.append(rng.normal(size=shape).astype(str(tensor.dtype)))
    return Samples(made, f"{count} generated inputs")


def _split_examples(opened: OpenedModel, count: int) -> Samples:
    from zoo.data import load_splits

    splits = load_splits(opened.spec, opened.data_folder, opened.numbering)
    named = [("test", splits.test), ("validation", splits.validation), ("training", splits.train)]
    name, split = next((name, split) for name, split in named if split is not None)
    x = split.x if isinstance(split.x, list) else [split.x]
    inputs = [np.asarray(a[:count]) for a in x]
    return Samples(inputs, f"{len(inputs[0])} {name} examples")


def takes_text(model: Any) -> bool:
    return str(model.inputs[0].dtype) == "string"


def numeric_core(model: Any, samples: list[np.ndarray]) -> tuple[Any, list[np.ndarray]]:
    """The model from its token ids on, and the samples as ids."""
    import keras
    import tensorflow as tf

    layer = model.get_layer(TEXT_IDS)
    ids = keras.Input((layer.length,), dtype="int32", name="token_ids")
    core = keras.Model(ids, _rewired(model, layer, ids), name=f"{model.name}_core")
    return core, [np.asarray(layer(tf.constant(list(samples[0]))))]


def _rewired(model: Any, layer: Any, ids: Any) -> Any:
    """The model's graph after ``layer`` applied to ``ids``: a functional model of the
    layer's output to the model's output, called on the new input."""
    import keras

    after = keras.Model(layer.output, model.output)
    return after(ids)


def write_side_file(base: Path, model: Any, record: Any, tokenizer: bool) -> Path | None:
    """``<base>_vocabulary.json``: what a runtime without this package needs beside the
    artefact to feed it and read its answers, or None when there is nothing: the
    tokenizer of a core exported without it, class names, and the vocabularies and
    markers that decoding and sampling loops need."""
    from custom_layers.text import MARK_PATTERN, SPACE_PATTERN
    from zoo.atomic import write_text
    from zoo.data.tokens import markers
    from zoo.inference.decoding import longest_output
    from zoo.spec.derived import architecture

    content: dict[str, Any] = {}
    if tokenizer:
        layer = model.get_layer(TEXT_IDS)
        content["tokenizer"] = {
            "vocabulary": layer.vocabulary,
            "length": layer.length,
            "split": layer.split,
            "lowercase": layer.lowercase,
            "mark_pattern": MARK_PATTERN,
            "space_pattern": SPACE_PATTERN,
            "how": "lowercase the text (Unicode) if `lowercase`; if `split` is words, put "
            "a space either side of each match of `mark_pattern`; replace each match of "
            "`space_pattern` with one space; split on spaces, dropping empty tokens; keep "
            "the first `length` tokens; map each to its index in `vocabulary` (1 if "
            "absent); pad with 0 to `length`",
        }
    if record.classes:
        content["classes"] = record.classes
    traits = architecture(record.spec)
    if traits.emits_tokens and record.vocabulary:
        content["vocabulary"] = record.vocabulary  # token id -> text, 0 is padding
    if traits.encoder_decoder and record.vocabulary:
        content["source_vocabulary"] = record.source_vocabulary or record.vocabulary
        content["start"], content["end"] = markers(record.vocabulary)
        width = model.inputs[0].shape[1]  # the source's padded width, None if it varies
        spec = record.spec
        content["max_length"] = longest_output(spec, width) if width else spec.outputs.length
    if not content:
        return None
    side = base.with_name(base.name + "_vocabulary.json")
    write_text(side, json.dumps(content, ensure_ascii=False, indent=1) + "\n")
    return side


def inference_parts(model: Any, record: Any, samples: list[np.ndarray]) -> list[tuple]:
    """A seq2seq model's encoder and one-step decoder, with inputs to check them on."""
    from zoo.spec.derived import architecture

    spec = record.spec
    if architecture(spec).emits_tokens and not architecture(spec).encoder_decoder:
        from zoo.inference.sampling import StateSampler

        step = StateSampler(model, spec).step_model()
        count = len(samples[0])
        states = [np.zeros((count, int(t.shape[-1])), "float32") for t in step.inputs[1:]]
        return [(SAMPLER_STEP, step, [np.asarray(samples[0][:, 0], "int32"), *states])]
    if not architecture(spec).encoder_decoder:
        return []
    from zoo.inference.decoding import seq2seq_inference

    inference = seq2seq_inference(model, spec)
    source = samples[0]
    encoded = inference.encode(source)
    tokens = np.full((len(source), 1), 1, dtype="int32")
    return [
        (ENCODER, inference.encoder, [source]),
        (DECODER_STEP, inference.decoder_step, [tokens, *encoded]),
    ]
