"""The recurrent stack every recurrent architecture shares."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import keras

from zoo.builder.fast_path import choose_implementation
from zoo.builder.names import backward_name, layer_name, norm_name, residual_name
from zoo.builder.seeds import layer_seed
from zoo.registry import CELLS, IMPLEMENTATIONS
from zoo.spec.derived import truncation, widths
from zoo.spec.schema import Spec


def cell_arguments(spec: Spec) -> dict[str, Any]:
    """The cell options of the spec, as constructor arguments (unset ones left to the cell)."""
    model = spec.model
    arguments = dict(
        activation=model.activation,
        use_bias=model.use_bias,
        kernel_initializer=model.kernel_initializer,
        bias_initializer=model.bias_initializer,
        dropout=model.dropout,
        recurrent_dropout=model.recurrent_dropout,
        unroll=model.unroll,
    )
    optional = ("recurrent_activation", "recurrent_initializer", "unit_forget_bias", "reset_after")
    arguments.update({n: getattr(model, n) for n in optional if getattr(model, n) is not None})
    return arguments


# Where a stack gets its layers: ``make(constructor, name, **arguments)`` creates a
# new layer when building a model, or returns the trained model's layer of that
# name when re-wiring the same layers for inference.
LayerSource = Callable[..., Any]


def new_layers(constructor: Callable[..., Any], name: str, **arguments: Any) -> Any:
    return constructor(name=name, **arguments)


def layers_of(model: Any) -> LayerSource:
    return lambda constructor, name, **arguments: model.get_layer(name)


@dataclass
class StackOutput:
    sequence: Any  # the last layer's output (a sequence or a vector)
    states: list[list[Any]]  # per layer, its final states (when asked for)


def recurrent_stack(
    x: Any,
    spec: Spec,
    prefix: str,
    last_returns_sequences: bool,
    return_state: bool = False,
    initial_states: list[list[Any]] | None = None,
    make: LayerSource = new_layers,
) -> StackOutput:
    """Apply the spec's layers to ``x``; residual adds and layer norms between them."""
    sizes = widths(spec)
    states = []
    for index, units in enumerate(sizes):
        name = layer_name(prefix, index)
        returns_sequences = last_returns_sequences or index < len(sizes) - 1
        layer = make(
            recurrent_layer,
            name,
            spec=spec,
            units=units,
            return_sequences=returns_sequences,
            return_state=return_state,
        )
        initial = initial_states[index] if initial_states else None
        result = layer(x, initial_state=initial) if initial else layer(x)
        if return_state:
            y, layer_states = result[0], list(result[1:])
            states.append(layer_states)
        else:
            y = result
        x = between_layers(x, y, spec, name, index, keeps_steps=returns_sequences, make=make)
    return StackOutput(x, states)


def between_layers(
    x: Any,
    y: Any,
    spec: Spec,
    name: str,
    index: int,
    keeps_steps: bool,
    make: LayerSource = new_layers,
) -> Any:
    """What the layer above reads, from the output ``y`` of the stack's layer ``name``
    at ``index`` and that layer's input ``x``: with residual, x + y (from the second
    layer on, where y ``keeps_steps``: has x's steps, not only the last); then, with
    layer_norm, normalised. Sequences when building a recurrent model; single steps
    (batch, features) in the dense baseline, and when a sampler runs the trained
    layers one step at a time."""
    if spec.model.residual and index > 0 and keeps_steps:
        y = make(keras.layers.Add, residual_name(name))([x, y])
    if spec.model.layer_norm:
        y = make(keras.layers.LayerNormalization, norm_name(name))(y)
    return y


def recurrent_layer(name: str, spec: Spec, **arguments: Any) -> keras.layers.Layer:
    """One layer of the spec's cell and implementation, wrapped if bidirectional; each
    direction has a seed of its own (``layer_seed``), so draws its own dropout masks."""
    implementation = choose_implementation(spec).implementation
    layer_class = getattr(IMPLEMENTATIONS[implementation].load(), CELLS[spec.cell].target)
    arguments = {**arguments, **cell_arguments(spec)}
    truncate = truncation(spec)
    if truncate is not None:  # only the project's layers take it (a rule checks)
        arguments["truncate"] = truncate

    def direction(layer: str, **options: Any) -> keras.layers.Layer:
        return layer_class(name=layer, seed=layer_seed(spec, layer), **arguments, **options)

    forward = direction(name)
    if not spec.model.bidirectional:
        return forward
    # Left to itself, Bidirectional makes the backward layer from the forward one's
    # config: the same seed, so the same dropout masks in both directions.
    backward = direction(backward_name(name), go_backwards=True)
    return keras.layers.Bidirectional(
        forward, backward_layer=backward, merge_mode=spec.model.merge_mode, name=name
    )
