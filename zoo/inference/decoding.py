"""What inference needs beyond the training model.

Language models: sampling the next token, greedily or with a temperature.
Seq2seq: the trained model is teacher-forced; decoding one token at a time needs
an encoder model and a one-step decoder model, re-wired from the same layers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import keras
import numpy as np
import tensorflow as tf

from zoo.builder.architectures import decode
from zoo.builder.names import ATTENTION, ENCODER, layer_name
from zoo.builder.stack import layers_of
from zoo.spec.derived import masks_input_padding, widths
from zoo.spec.schema import Spec


def sample_tokens(
    model: keras.Model,
    prime: list[int],
    length: int,
    temperature: float = 1.0,
    seed: int | np.random.Generator | None = None,
) -> list[int]:
    """Continue ``prime`` by ``length`` tokens, each from a forward pass over the last
    window of the text (``zoo.inference.sampling`` carries the state instead, a step
    per token). ``temperature`` 0 is greedy."""
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    window = model.input_shape[1]  # a fixed input length, or None
    tokens = list(prime)
    for _ in range(length):
        context = tokens[-window:] if window else tokens
        padded = context + [0] * ((window or len(context)) - len(context))
        # The model is causal: right padding does not change the last real step.
        probabilities = np.asarray(model.predict_on_batch(np.array([padded])))[0, len(context) - 1]
        tokens.append(pick(probabilities, temperature, rng))
    return tokens[len(prime) :]


def pick(probabilities: np.ndarray, temperature: float, rng: np.random.Generator) -> int:
    if temperature <= 0:
        return int(np.argmax(probabilities))
    logits = np.log(np.maximum(probabilities.astype("float64"), 1e-30)) / temperature
    weights = np.exp(logits - logits.max())
    return int(rng.choice(len(weights), p=weights / weights.sum()))


@dataclass
class Seq2SeqInference:
    """``encoder``: source -> [encoder outputs, encoder mask?, *states];
    ``decoder_step``: [token (batch, 1), encoder outputs, encoder mask?, *states]
    -> [probabilities (batch, 1, vocab), *new states]."""

    encoder: keras.Model
    decoder_step: keras.Model
    state_shapes: list[list[int]]  # per decoder layer, the width of each state

    def __post_init__(self) -> None:
        # Compiled once (per batch shape) rather than through predict_on_batch, whose
        # per-call overhead is most of a one-token step's time.
        self._encoder = _compiled(self.encoder)
        self._decoder_step = _compiled(self.decoder_step)
        self._greedy = tf.function(self._greedy_loop, reduce_retracing=True)

    def greedy(
        self, context: list, states: list, start: int, end: int, max_length: int
    ) -> np.ndarray:
        """(batch, steps) most probable tokens fed back from ``start``, in one compiled
        loop that stops once every row has made ``end`` (or after ``max_length``)."""
        tokens = tf.fill([len(context[0]), 1], tf.constant(start, tf.int32))
        made = self._greedy(
            tokens,
            [tf.convert_to_tensor(x) for x in [*context, *states]],
            tf.constant(len(context)),
            tf.constant(end),
            tf.constant(max_length),
        )
        return made.numpy()

    def _greedy_loop(
        self,
        tokens: tf.Tensor,
        inputs: list,
        n_context: tf.Tensor,
        end: tf.Tensor,
        steps: tf.Tensor,
    ) -> tf.Tensor:
        context_count = len(inputs) - sum(len(s) for s in self.state_shapes)
        context, states = inputs[:context_count], inputs[context_count:]
        made = tf.TensorArray(tf.int32, size=0, dynamic_size=True)
        finished = tf.zeros([tf.shape(tokens)[0]], tf.bool)
        for i in tf.range(steps):
            outputs = self.decoder_step([tokens, *context, *states], training=False)
            states = list(outputs[1:])
            tokens = tf.argmax(outputs[0][:, -1], axis=-1, output_type=tf.int32)[:, None]
            made = made.write(i, tokens[:, 0])
            finished = finished | tf.equal(tokens[:, 0], end)
            if tf.reduce_all(finished):
                break
        return tf.transpose(made.stack())

    def encode(self, source: np.ndarray) -> list[np.ndarray]:
        return self._encoder([source])

    def step(self, inputs: list[np.ndarray]) -> list[np.ndarray]:
        """[probabilities (batch, 1, vocab), *new states] for a batch of one-token inputs."""
        return self._decoder_step(inputs)


def _compiled(model: keras.Model) -> Any:
    call = tf.function(lambda inputs: model(inputs, training=False), reduce_retracing=True)

    def run(inputs: list[np.ndarray]) -> list[np.ndarray]:
        tensors = [tf.convert_to_tensor(x) for x in inputs]
        outputs = call(tensors if len(tensors) > 1 else tensors[0])  # as the model's inputs
        outputs = outputs if isinstance(outputs, (list, tuple)) else [outputs]
        return [np.asarray(output) for output in outputs]

    return run


def seq2seq_inference(model: keras.Model, spec: Spec) -> Seq2SeqInference:
    layers = [model.get_layer(layer_name(ENCODER, i)) for i in range(len(widths(spec)))]
    encoder_states = [list(layer.output[1:]) for layer in layers]
    encoder_sequence = _encoder_sequence(model, spec)
    masked = masks_input_padding(spec)
    source = model.inputs[0]
    encoder_outputs = [encoder_sequence]
    if masked:
        encoder_outputs.append(keras.ops.not_equal(source, 0))
    flat_states = _flat(encoder_states)
    encoder = keras.Model(source, [*encoder_outputs, *flat_states], name="encoder")

    token = keras.Input((1,), dtype="int32", name="token")
    sequence_in = keras.Input(tuple(encoder_sequence.shape[1:]), name="encoder_outputs")
    mask_in = keras.Input((encoder_sequence.shape[1],), dtype="bool", name="encoder_mask")
    shapes = [[int(s.shape[-1]) for s in states] for states in encoder_states]
    states_in = [
        [keras.Input((width,), name=f"state_{i + 1}_{j + 1}") for j, width in enumerate(layer)]
        for i, layer in enumerate(shapes)
    ]
    probabilities, new_states = decode(
        token,
        sequence_in,
        states_in,
        spec,
        make=layers_of(model),
        encoder_mask=mask_in if masked else None,
    )
    inputs = [token, sequence_in, *([mask_in] if masked else []), *_flat(states_in)]
    decoder_step = keras.Model(inputs, [probabilities, *_flat(new_states)], name="decoder_step")
    return Seq2SeqInference(encoder, decoder_step, shapes)


def _encoder_sequence(model: keras.Model, spec: Spec) -> Any:
    """The encoder's output sequence as the decoder's attention sees it."""
    if spec.model.attention is not None:
        return model.get_layer(ATTENTION).input[1]
    last = model.get_layer(layer_name(ENCODER, len(widths(spec)) - 1))
    return last.output[0]


def longest_output(spec: Spec, source_length: int) -> int:
    """How many tokens decoding makes at most: the spec's target length, else twice the
    source's."""
    return spec.outputs.length or 2 * source_length


def encode(inference: Seq2SeqInference, source: np.ndarray) -> tuple[list, list]:
    """(what the decoder attends to, the decoder's initial states) for a source batch."""
    encoded = inference.encode(source)
    n_context = len(encoded) - sum(len(s) for s in inference.state_shapes)
    return encoded[:n_context], encoded[n_context:]


def greedy_decode(
    inference: Seq2SeqInference, source: np.ndarray, start: int, end: int, max_length: int
) -> list[list[int]]:
    """Feed back the most probable token until ``end`` or ``max_length``, per example."""
    context, states = encode(inference, source)
    made = inference.greedy(context, states, start, end, max_length)
    decoded = []
    for row in made.tolist():
        decoded.append(row[: row.index(end)] if end in row else row)
    return decoded


@dataclass
class _Beam:
    tokens: list[int]
    log_probability: float
    states: list[np.ndarray]  # each [1, width]
    finished: bool = False


def beam_decode(
    inference: Seq2SeqInference,
    source: np.ndarray,
    start: int,
    end: int,
    max_length: int,
    width: int,
) -> list[int]:
    """The most probable output of one source sequence [1, length] found by beam search:
    at each step every live beam is extended by its ``width`` likeliest tokens and the
    ``width`` best of all candidates (finished ones included) are kept."""
    context, states = encode(inference, source)
    beams = [_Beam([], 0.0, states)]
    for _ in range(max_length):
        live = [b for b in beams if not b.finished]
        if not live:
            break
        tokens = np.array([[b.tokens[-1] if b.tokens else start] for b in live], dtype="int32")
        contexts = [np.repeat(c, len(live), axis=0) for c in context]
        stacked = [np.concatenate([b.states[i] for b in live]) for i in range(len(states))]
        outputs = inference.step([tokens, *contexts, *stacked])
        log_probabilities = np.log(np.maximum(outputs[0][:, -1], 1e-30))
        candidates = [b for b in beams if b.finished]
        for row, beam in enumerate(live):
            for token in np.argsort(log_probabilities[row])[::-1][:width]:
                candidates.append(
                    _Beam(
                        [*beam.tokens, int(token)],
                        beam.log_probability + float(log_probabilities[row, token]),
                        [s[row : row + 1] for s in outputs[1:]],
                        finished=int(token) == end,
                    )
                )
        beams = sorted(candidates, key=lambda b: b.log_probability, reverse=True)[:width]
    best = beams[0].tokens
    return best[:-1] if best and best[-1] == end else best


def _flat(per_layer: list[list[Any]]) -> list[Any]:
    return [state for states in per_layer for state in states]


def decoded_scores(model: keras.Model, spec: Spec, dataset: Any) -> dict[str, float]:
    """A character seq2seq's chrF on ``dataset``, its sources decoded greedily as
    ``zoo generate`` decodes one (teacher-forced accuracy says little of that); {} for
    any other model."""
    from zoo.data import classical_translation as translation
    from zoo.data.tokens import markers
    from zoo.spec.derived import architecture

    if not architecture(spec).encoder_decoder or not translation.applies(dataset):
        return {}
    source = dataset.x[0]
    start, end = markers(dataset.vocabulary)
    longest = longest_output(spec, source.shape[1])
    made = greedy_decode(seq2seq_inference(model, spec), source, start, end, longest)
    decoded = translation.texts(made, dataset.vocabulary)
    return {translation.CHRF: translation.chrf(decoded, translation.target_texts(dataset))}
