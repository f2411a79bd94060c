"""A model's recurrent layers run one step at a time by their cells' own ``step``, with
the model's weights, recording what each step's equations name; and its head's
logits and outputs after them.

Each layer reads what the model feeds it (the embedding or one-hot vectors, the layer
below after its residual add and layer norm): a sub-model of the model's own layers
computes that input, so nothing between the cells is re-implemented here. Every
traced ``h_t`` is compared with the layer's own loop over time (Keras's RNN with the
same weights) and the largest difference is kept, so a trace says how far it can be
trusted.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from typing import Any

import keras
import numpy as np

import custom_layers
from custom_layers._cell import RecurrentCell
from custom_layers._tape import recording
from zoo.builder.names import HEAD


@dataclass
class Direction:
    """One recurrent layer (or one direction of a bidirectional one), step by step."""

    layer: str  # the model's layer name: rnn_1, encoder_2
    direction: str  # forward or backward (which reads the input from its end)
    positions: list[int]  # the input position (0-based) of each step, in the order run
    inputs: np.ndarray  # (steps, features): x_t as the cell read it, in the order run
    steps: list[dict[str, np.ndarray]]  # per step run: quantity name -> vector
    symbols: dict[str, str]  # quantity name -> its symbol in the cell's equations
    weights: dict[str, np.ndarray]  # W, U, b as the cell holds them
    blocks: tuple[str, ...]  # the gate blocks of the weights' columns, in order: i f c o
    agreement: float  # largest |h_t traced - the layer's own loop's output|

    def by_position(self, values: np.ndarray, steps: int) -> np.ndarray:
        """(steps, ...) in input order, NaN at the input positions this direction does
        not read (a differenced model's stack starts ``data.difference`` steps in)."""
        placed = np.full((steps, *values.shape[1:]), np.nan)
        placed[self.positions] = values
        return placed


@dataclass
class Head:
    """The output layer after the last recurrent layer, at the steps it answers."""

    positions: list[int]  # every step, or the last one (a many_to_one)
    activation: str  # softmax, sigmoid, linear
    logits: np.ndarray  # (positions, outputs): h W_hy + b_y, before the activation
    outputs: np.ndarray  # (positions, outputs): the model's answer, in the data's units
    weights: dict[str, np.ndarray] = field(default_factory=dict)  # W_hy, b_y


def recurrent_layers(model: keras.Model, prefix: str | None = None) -> list[Any]:
    """The model's recurrent layers (plain or bidirectional), in the order it runs them;
    with ``prefix``, only those whose names start with it (a seq2seq's ``encoder``)."""
    found = [
        layer
        for layer in model.layers
        if isinstance(layer, (keras.layers.RNN, keras.layers.Bidirectional))
    ]
    return [layer for layer in found if prefix is None or layer.name.startswith(prefix)]


def layer_input(model: keras.Model, layer: Any, inputs: Any) -> np.ndarray:
    """(steps, features): what ``layer`` reads when the model is called on ``inputs``
    (one example), computed by the model's own layers in front of it."""
    read = layer.input
    read = read[0] if isinstance(read, (list, tuple)) else read  # not the mask beside it
    feeding = keras.Model(model.input, read)
    return np.asarray(feeding(inputs, training=False))[0]


def trace_layer(
    layer: Any, x: np.ndarray, steps: int, initial: list[np.ndarray] | None = None
) -> list[Direction]:
    """``layer`` run step by step over the first ``steps`` rows of ``x`` (the rest is
    padding, which the model masks), one Direction per direction; from the ``initial``
    states (each (1, width): a decoder's, from its encoder), else from zeros. A layer
    that reads fewer rows than the input has steps (a differenced window) reads the
    last ones: its step j is the input's step j + the rows it lacks."""
    x = x[:steps]
    skipped = steps - len(x)
    if isinstance(layer, keras.layers.Bidirectional):
        return [
            _trace_direction(layer.name, "forward", layer.forward_layer, x, skipped=skipped),
            _trace_direction(layer.name, "backward", layer.backward_layer, x, skipped=skipped),
        ]
    direction = "backward" if layer.go_backwards else "forward"
    return [_trace_direction(layer.name, direction, layer, x, initial, skipped)]


def _trace_direction(
    name: str,
    direction: str,
    layer: Any,
    x: np.ndarray,
    initial: list | None = None,
    skipped: int = 0,
) -> Direction:
    cell = zoo_cell(layer.cell)
    positions = list(range(len(x)))[:: -1 if layer.go_backwards else 1]
    zeros = [np.zeros((1, size), "float32") for size in _state_sizes(cell)]
    states = list(initial) if initial else zeros
    with recording(cell) as recorded:
        for t in positions:
            _, states = cell(x[None, t], states, training=False)
    steps = [{k: np.asarray(v)[0] for k, v in step.items()} for step in recorded]
    traced = np.stack([step["h"] for step in steps])
    agreement = float(np.max(np.abs(traced - _own_loop(layer, x, initial))))
    symbols = {"x": "x_t", **cell.traced}
    weights = cell_weights(cell)
    at = [t + skipped for t in positions]
    return Direction(
        name, direction, at, x[positions], steps, symbols, weights, cell.blocks, agreement
    )


def _own_loop(layer: Any, x: np.ndarray, initial: list | None = None) -> np.ndarray:
    """The layer's outputs at each step, in the order it ran them: Keras's RNN loop over
    a twin of the layer that returns the whole sequence."""
    config = {**layer.get_config(), "return_sequences": True, "return_state": False}
    twin = layer.__class__.from_config(config)
    twin.build((1, *x.shape))
    twin.set_weights(layer.get_weights())
    kwargs = {"initial_state": list(initial)} if initial else {}
    return np.asarray(twin(x[None], training=False, **kwargs))[0]  # go_backwards: reversed


def zoo_cell(cell: Any) -> RecurrentCell:
    """``cell`` if it is the zoo's; for a Keras built-in (``implementation: keras``), the
    zoo's cell of the same name with its arguments and weights, which computes the same
    numbers and names its intermediates."""
    if isinstance(cell, RecurrentCell):
        return cell
    zoo_class = getattr(custom_layers, type(cell).__name__)
    accepted = {
        name
        for klass in zoo_class.__mro__
        if issubclass(klass, RecurrentCell)
        for name in inspect.signature(klass.__init__).parameters
    }
    config = {k: v for k, v in cell.get_config().items() if k in accepted | {"name", "dtype"}}
    twin = zoo_class.from_config(config)
    twin.build(cell.kernel.shape[:1])
    twin.set_weights(cell.get_weights())
    return twin


def cell_weights(cell: RecurrentCell) -> dict[str, np.ndarray]:
    weights = {"W": np.asarray(cell.kernel), "U": np.asarray(cell.recurrent_kernel)}
    if cell.bias is not None:
        weights["b"] = np.asarray(cell.bias)
    return weights


def _state_sizes(cell: RecurrentCell) -> list[int]:
    sizes = cell.state_size
    return list(sizes) if isinstance(sizes, (list, tuple)) else [sizes]


def trace_head(model: keras.Model, inputs: Any, steps: int) -> Head | None:
    """The ``head`` Dense layer at each answered step: its logits (a twin without the
    activation) and the model's own outputs (scaled back to the data's units)."""
    try:
        dense = model.get_layer(HEAD)
    except ValueError:
        return None
    h = np.asarray(keras.Model(model.input, dense.input)(inputs, training=False))[0]
    outputs = np.asarray(model(inputs, training=False))[0]
    linear = keras.layers.Dense.from_config({**dense.get_config(), "activation": "linear"})
    linear.build(dense.input.shape)
    linear.set_weights(dense.get_weights())
    logits = np.asarray(linear(h[None]))[0]
    if h.ndim == 1:  # one answer, after the last step (a quantile head's: flattened,
        # quantile by quantile, as its Dense layer's units are before the reshape)
        positions, logits, outputs = [steps - 1], logits[None], outputs.reshape(1, -1)
    else:
        positions, logits, outputs = list(range(steps)), logits[:steps], outputs[:steps]
    weights = {"W_hy": np.asarray(dense.kernel)}
    if dense.bias is not None:
        weights["b_y"] = np.asarray(dense.bias)
    activation = keras.activations.serialize(dense.activation)
    activation = activation if isinstance(activation, str) else str(activation)
    return Head(positions, activation, logits, outputs, weights)
