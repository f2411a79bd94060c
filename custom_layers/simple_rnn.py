"""The vanilla (Elman) recurrent cell and layer."""

from __future__ import annotations

from typing import Any

import keras
from keras import ops

from custom_layers._cell import RecurrentCell, like, previous
from custom_layers._layer import RecurrentLayer


@keras.saving.register_keras_serializable(package="custom_layers")
class SimpleRNNCell(RecurrentCell):
    """Elman cell, interchangeable with ``keras.layers.SimpleRNNCell``.

        h_t = act(x_t W + h_{t-1} U + b)          act defaults to tanh

    Weights: kernel W (d, u), recurrent_kernel U (u, u), bias b (u,).
    The output is h_t; a readout y_t = h_t W_hy is a Dense head, not part of the cell.
    """

    gates = 1

    @property
    def state_size(self) -> int:
        return self.units

    def step(self, projected: Any, states: Any, training: bool = False) -> tuple[Any, Any]:
        # projected = x_t W + b, computed by project_inputs
        h_prev = previous(states)
        h = self.activation(
            projected + ops.matmul(self.dropped_state(h_prev, training), self.recurrent_kernel)
        )
        return h, like(states, h)


@keras.saving.register_keras_serializable(package="custom_layers")
class SimpleRNN(RecurrentLayer):
    """Whole-sequence vanilla RNN, interchangeable with ``keras.layers.SimpleRNN``."""

    cell_class = SimpleRNNCell
