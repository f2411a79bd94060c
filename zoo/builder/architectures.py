"""One function per architecture type: Spec -> uncompiled keras.Model.

They are registered by name in ``zoo.registry.ARCHITECTURES``; the shared
pieces (inputs, the recurrent stack, the head) live in one place each.
"""

from __future__ import annotations

from typing import Any

import keras

import custom_layers
from zoo.builder.names import (
    ATTENTION,
    ATTENTION_CONCAT,
    DECODER,
    DECODER_EMBEDDING,
    DECODER_INPUTS,
    DENSE,
    ENCODER,
    FED_BACK,
    HEAD,
    HIGHWAY,
    INPUT_VECTORS,
    INPUTS,
    ONE_STEP,
    POOLING,
    QUANTILES,
    REPEAT,
    RNN,
    dropout_name,
    embedding_name,
    layer_name,
    one_hot_name,
)
from zoo.builder.preprocessing import (
    scaled_inputs,
    text_ids,
    unscaled_outputs,
    unwindowed,
    windowed,
    with_levels,
)
from zoo.builder.seeds import layer_seed
from zoo.builder.stack import LayerSource, between_layers, new_layers, recurrent_stack
from zoo.data.preprocessing import Preprocessing
from zoo.registry import ATTENTIONS, POOLINGS
from zoo.spec.derived import (
    architecture,
    head_width,
    highway_reads_levels,
    output_activation,
    output_width,
    quantiles,
    recursive,
    widths,
)
from zoo.spec.schema import Embedding, Spec


def sequence_input(
    length: int | None,
    features: int | None,
    vocab_size: int | None,
    embedding: Embedding | None,
    name: str,
) -> tuple[keras.KerasTensor, Any]:
    """(the Input, what the first recurrent layer reads): real vectors, or tokens as
    vectors (embedded, or one-hot without an embedding)."""
    if vocab_size is None:
        inputs = keras.Input((length, features), name=name)
        return inputs, inputs
    tokens = keras.Input((length,), dtype="int32", name=name)
    return tokens, embedded(tokens, vocab_size, embedding, name)


def embedded(tokens: Any, vocab_size: int, embedding: Embedding | None, name: str) -> Any:
    """Token ids -> vectors: the spec's embedding, or one-hot vectors where it has none
    (a rule allows that only with inputs.encoding: one_hot)."""
    if embedding is None:
        return custom_layers.OneHot(vocab_size, name=one_hot_name(name))(tokens)
    return keras.layers.Embedding(
        vocab_size, embedding.dim, mask_zero=embedding.mask_zero, name=embedding_name(name)
    )(tokens)


def token_vectors(model: keras.Model) -> keras.layers.Layer:
    """The layer of ``model`` that turns its input tokens into vectors."""
    for name in INPUT_VECTORS:
        try:
            return model.get_layer(name)
        except ValueError:
            continue
    raise ValueError(f"{model.name} has no token input layer")


def spec_input(
    spec: Spec, preprocessing: Preprocessing | None = None
) -> tuple[keras.KerasTensor, Any]:
    """(the Input, what the first layer reads): the spec's inputs, scaled as fitted; or,
    with a fitted vocabulary, strings turned into token ids and embedded."""
    i = spec.inputs
    if not architecture(spec).takes_sequences:
        inputs = keras.Input((i.features,), name=INPUTS)
        return inputs, scaled_inputs(inputs, preprocessing)
    if preprocessing is not None and preprocessing.vocabulary is not None:
        assert i.vocab_size is not None  # checked with the data
        texts = keras.Input((), dtype="string", name=INPUTS)
        return texts, embedded(
            text_ids(texts, preprocessing.vocabulary), i.vocab_size, i.embedding, INPUTS
        )
    inputs, x = sequence_input(i.length, i.features, i.vocab_size, i.embedding, INPUTS)
    return inputs, scaled_inputs(x, preprocessing)


def head(
    x: Any,
    spec: Spec,
    preprocessing: Preprocessing | None = None,
    make: LayerSource = new_layers,
    linear: Any = None,
) -> Any:
    """The output Dense layer (Keras applies it per step to a sequence), its output in
    the targets' units; a quantile forecaster's as (quantiles, outputs), each quantile's
    forecast of every output. ``linear`` (model.highway's) is added to its output."""
    bands, activation = quantiles(spec), output_activation(spec)
    y = make(keras.layers.Dense, HEAD, units=head_width(spec), activation=activation)(x)
    if linear is not None:
        y = keras.layers.Add(name=f"{HIGHWAY}_add")([y, linear])
    if bands:
        y = keras.layers.Reshape((len(bands), output_width(spec)), name=QUANTILES)(y)
    return unscaled_outputs(y, preprocessing)


def one_to_one(spec: Spec, preprocessing: Preprocessing | None = None) -> keras.Model:
    """The dense baseline: model.units as hidden Dense widths."""
    model = spec.model
    inputs, x = spec_input(spec, preprocessing)
    for index, units in enumerate(widths(spec)):
        name = layer_name(DENSE, index)
        dropped = dropout_name(name)
        y = keras.layers.Dropout(model.dropout, seed=layer_seed(spec, dropped), name=dropped)(x)
        y = keras.layers.Dense(
            units,
            activation=model.activation,
            use_bias=model.use_bias,
            kernel_initializer=model.kernel_initializer,
            bias_initializer=model.bias_initializer,
            name=name,
        )(y)
        x = between_layers(x, y, spec, name, index, keeps_steps=True)
    return keras.Model(inputs, head(x, spec, preprocessing), name=spec.name)


def many_to_one(spec: Spec, preprocessing: Preprocessing | None = None) -> keras.Model:
    """One answer from the stack's last output, or pooled over its outputs (model.pooling),
    with model.highway's linear map of the last steps beside it; a recursive forecaster's
    one step ahead, fed back to the horizon (``fed_back``)."""
    inputs, levels = spec_input(spec, preprocessing)
    x, kept = windowed(levels, preprocessing)
    pooling = spec.model.pooling
    h = recurrent_stack(x, spec, RNN, last_returns_sequences=pooling != "last").sequence
    if pooling != "last":
        h = POOLINGS[pooling].load()(pooling, name=POOLING)(h)
    linear = highway(x, levels, spec, preprocessing) if spec.model.highway else None
    y = unwindowed(head(h, spec, preprocessing, linear=linear), kept, preprocessing)
    if not recursive(spec):
        return keras.Model(inputs, y, name=spec.name)
    steps = output_width(spec)
    assert steps is not None  # a rule asks a forecaster for outputs.units
    return fed_back(keras.Model(inputs, y, name=ONE_STEP), steps, spec.name)


def fed_back(one_step: keras.Model, steps: int, name: str) -> keras.Model:
    """A (window, 1) -> (1,) forecaster rolled ``steps`` ahead inside a model: each
    forecast is appended to the window, its first step dropped, and the window read
    again. The loss over every step then trains the net through its own feedback."""
    inputs = keras.Input(one_step.input.shape[1:], name=INPUTS)
    window, made = inputs, []
    for step in range(steps):  # a horizon is short and fixed: unrolled
        ahead = one_step(window)
        made.append(ahead)
        if step + 1 < steps:
            kept = keras.layers.Cropping1D((1, 0), name=f"{FED_BACK}_{step + 1}_kept")(window)
            new = keras.layers.Reshape((1, 1), name=f"{FED_BACK}_{step + 1}_step")(ahead)
            window = keras.layers.Concatenate(axis=1, name=f"{FED_BACK}_{step + 1}")([kept, new])
    y = made[0] if steps == 1 else keras.layers.Concatenate(name=FED_BACK)(made)
    return keras.Model(inputs, y, name=name)


def highway(x: Any, levels: Any, spec: Spec, preprocessing: Preprocessing | None = None) -> Any:
    """LSTNet's autoregressive highway (Lai et al. 2018): a Dense map of the last
    model.highway steps of what the stack reads (``x``; with data.difference, the
    window's ``levels`` beside it), the width of the head. The linear part of a forecast
    is then fitted directly, not learned through the recurrence from the few dozen
    windows a monthly series has; the net is left what is not linear."""
    read = with_levels(x, levels, preprocessing) if highway_reads_levels(spec) else x
    steps = spec.model.highway
    assert steps is not None  # called for a spec with a highway
    recent = keras.layers.Cropping1D((read.shape[1] - steps, 0), name=f"{HIGHWAY}_steps")(read)
    recent = keras.layers.Flatten(name=f"{HIGHWAY}_flatten")(recent)
    return keras.layers.Dense(head_width(spec), name=HIGHWAY)(recent)


def many_to_many(spec: Spec, preprocessing: Preprocessing | None = None) -> keras.Model:
    inputs, x = spec_input(spec, preprocessing)
    x = recurrent_stack(x, spec, RNN, last_returns_sequences=True).sequence
    return keras.Model(inputs, head(x, spec, preprocessing), name=spec.name)


def one_to_many(spec: Spec, preprocessing: Preprocessing | None = None) -> keras.Model:
    """The input vector is fed at every output step (RepeatVector)."""
    inputs, x = spec_input(spec, preprocessing)
    x = keras.layers.RepeatVector(spec.outputs.length, name=REPEAT)(x)
    x = recurrent_stack(x, spec, RNN, last_returns_sequences=True).sequence
    return keras.Model(inputs, head(x, spec, preprocessing), name=spec.name)


def language_model(spec: Spec, preprocessing: Preprocessing | None = None) -> keras.Model:
    """Tokens in, a distribution over the next token at every step out."""
    inputs, x = spec_input(spec, preprocessing)
    x = recurrent_stack(x, spec, RNN, last_returns_sequences=True).sequence
    return keras.Model(inputs, head(x, spec, preprocessing), name=spec.name)


def seq2seq(spec: Spec, preprocessing: Preprocessing | None = None) -> keras.Model:
    """Encoder-decoder trained with teacher forcing.

    Inputs: the source sequence, and the target sequence shifted right (starting
    with a start token). Layer i of the decoder starts from layer i of the
    encoder's final states. With attention, each decoder output attends over all
    encoder outputs (score: additive for bahdanau, dot for luong) and the context
    is concatenated to it before the head.
    """
    encoder_inputs, x = spec_input(spec, preprocessing)
    encoder = recurrent_stack(x, spec, ENCODER, last_returns_sequences=True, return_state=True)
    out = spec.outputs
    decoder_inputs = keras.Input((out.length,), dtype="int32", name=DECODER_INPUTS)
    outputs, _ = decode(decoder_inputs, encoder.sequence, encoder.states, spec, preprocessing)
    return keras.Model([encoder_inputs, decoder_inputs], outputs, name=spec.name)


def decode(
    target_tokens: Any,
    encoder_sequence: Any,
    initial_states: list[list[Any]],
    spec: Spec,
    preprocessing: Preprocessing | None = None,
    make: LayerSource = new_layers,
    encoder_mask: Any = None,
) -> tuple[Any, list[list[Any]]]:
    """The decoder: (next-token probabilities, final states). Shared by training
    (all target steps at once) and inference (one step, the trained layers)."""
    out = spec.outputs
    assert out.embedding is not None and out.vocab_size is not None  # rules guarantee both
    y = make(
        keras.layers.Embedding,
        DECODER_EMBEDDING,
        input_dim=out.vocab_size,
        output_dim=out.embedding.dim,
        mask_zero=out.embedding.mask_zero,
    )(target_tokens)
    decoder = recurrent_stack(
        y,
        spec,
        DECODER,
        last_returns_sequences=True,
        return_state=True,
        initial_states=initial_states,
        make=make,
    )
    y = decoder.sequence
    if spec.model.attention is not None:
        attention = make(ATTENTIONS[spec.model.attention].load(), ATTENTION)
        if encoder_mask is None:  # training: Keras passes the encoder's mask along
            context = attention([y, encoder_sequence])
        else:
            context = attention([y, encoder_sequence], mask=[None, encoder_mask])
        y = make(keras.layers.Concatenate, ATTENTION_CONCAT)([y, context])
    return head(y, spec, preprocessing, make), decoder.states
