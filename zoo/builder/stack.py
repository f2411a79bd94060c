"""The recurrent stack every recurrent architecture shares."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import keras

from zoo.builder.fast_path import choose_implementation
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
        name = f"{prefix}_{index + 1}"
        returns_sequences = last_returns_sequences or index < len(sizes) - 1
        layer = make(
            recurrent_layer,
            name,
            spec=spec,
            units=units,
            return_sequences=returns_sequences,
            return_state=return_state,
            seed=None if spec.seed is None else spec.seed + index,
        )
        initial = initial_states[index] if initial_states else None
        result = layer(x, initial_state=initial) if initial else layer(x)
        if return_state:
            y, layer_states = result[0], list(result[1:])
            states.append(layer_states)
        else:
            y = result
        if spec.model.residual and index > 0 and returns_sequences:
            y = make(keras.layers.Add, f"{name}_residual")([x, y])
        if spec.model.layer_norm:
            y = make(keras.layers.LayerNormalization, f"{name}_norm")(y)
        x = y
    return StackOutput(x, states)


def recurrent_layer(name: str, spec: Spec, **arguments: Any) -> keras.layers.Layer:
    """One layer of the spec's cell and implementation, wrapped if bidirectional."""
    implementation = choose_implementation(spec).implementation
    layer_class = getattr(IMPLEMENTATIONS[implementation].load(), CELLS[spec.cell].target)
    truncate = truncation(spec)
    if truncate is not None:  # only the project's layers take it (a rule checks)
        arguments = {**arguments, "truncate": truncate}
    layer = layer_class(name=name, **arguments, **cell_arguments(spec))
    if spec.model.bidirectional:
        return keras.layers.Bidirectional(layer, merge_mode=spec.model.merge_mode, name=name)
    return layer
