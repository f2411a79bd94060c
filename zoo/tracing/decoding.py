"""A seq2seq's decoder traced as greedy decoding runs it: from the encoder's final
states, reading the start token and then each token it chose, with the attention
weights over the source at every step.

The decoder is causal, so the training model fed the greedy tokens (teacher forcing
with the decoder's own choices) computes exactly the steps greedy decoding took; its
layers are traced on that input like any other model's.
"""

from __future__ import annotations

from typing import Any

import keras
import numpy as np

from zoo.builder.names import ATTENTION, DECODER, ENCODER, layer_name
from zoo.tracing.steps import Direction, layer_input, recurrent_layers, trace_layer


def greedy_inputs(model: Any, record: Any, source: np.ndarray) -> tuple[list, list[str]]:
    """(the model's inputs with the decoder fed its greedy choices, a label per decoder
    step: what it reads, the start token first)."""
    from zoo.data.tokens import markers
    from zoo.inference.decoding import greedy_decode, longest_output, seq2seq_inference

    spec, vocabulary = record.spec, record.vocabulary
    start, end = markers(vocabulary)
    inference = seq2seq_inference(model, spec)
    made = greedy_decode(inference, source, start, end, longest_output(spec, source.shape[1]))[0]
    fed = [start, *made]  # the step after the last token chosen predicts the end
    length = spec.outputs.length or len(fed)
    fed = fed[:length]
    decoder_inputs = np.zeros((1, length), "int32")  # causal: the padding after is not read
    decoder_inputs[0, : len(fed)] = fed
    return [source, decoder_inputs], [vocabulary[t] for t in fed]


def trace_decoder(model: Any, inputs: list, steps: int) -> list[Direction]:
    """Each decoder layer from the final states of the encoder layer of its depth."""
    directions = []
    for index, layer in enumerate(recurrent_layers(model, DECODER)):
        encoder = model.get_layer(layer_name(ENCODER, index))
        initial = keras.Model(model.input, list(encoder.output[1:]))(inputs, training=False)
        initial = [np.asarray(state) for state in initial]
        directions += trace_layer(layer, layer_input(model, layer, inputs), steps, initial)
    return directions


def attention_weights(model: Any, spec: Any, inputs: list, steps: int) -> np.ndarray | None:
    """(decoder steps, source steps): how much each decoder step attends to each source
    position, from the model's attention layer; None without attention."""
    from zoo.spec.derived import masks_input_padding

    if spec.model.attention is None:
        return None
    attention = model.get_layer(ATTENTION)
    query, values = attention.input[0], attention.input[1]
    query, values = (np.asarray(t) for t in keras.Model(model.input, [query, values])(inputs))
    source = inputs[0]
    mask = [None, np.not_equal(source, 0)] if masks_input_padding(spec) else None
    _, scores = attention([query, values], mask=mask, return_attention_scores=True)
    return np.asarray(scores)[0, :steps]
