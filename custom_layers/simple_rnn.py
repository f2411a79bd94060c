"""The vanilla (Elman) recurrent cell and layer."""

from __future__ import annotations

from typing import Any, ClassVar

import keras
from keras import ops

from custom_layers._cell import RecurrentCell, like, previous
from custom_layers._layer import RecurrentLayer
from custom_layers._tape import record


@keras.saving.register_keras_serializable(package="custom_layers")
class SimpleRNNCell(RecurrentCell):
    """Elman cell, interchangeable with ``keras.layers.SimpleRNNCell``.

        h_t = act(x_t W + h_{t-1} U + b)          act defaults to tanh

    Weights: kernel W (d, u), recurrent_kernel U (u, u), bias b (u,).
    The output is h_t; a readout y_t = h_t W_hy is a Dense head, not part of the cell.
    The bias is added on the recurrent side, h_{t-1} U + b, as the teaching texts
    write the step (and as ``zoo trace`` shows it); the sum is the same.
    """

    gates = 1
    blocks = ("h",)
    # the intermediates a step records -> their symbols in the equations above
    traced: ClassVar[dict[str, str]] = {"xW": "x_t W", "hU+b": "h_{t-1} U + b", "h": "h_t"}

    @property
    def state_size(self) -> int:
        return self.units

    @property
    def input_bias(self) -> Any:
        return None  # b joins h_{t-1} U in the step

    def step(self, projected: Any, states: Any, training: bool = False) -> tuple[Any, Any]:
        # projected = x_t W, computed by project_inputs
        h_prev = previous(states)
        hU_b = ops.matmul(self.dropped_state(h_prev, training), self.recurrent_kernel)
        if self.bias is not None:
            hU_b = hU_b + self.bias
        h = self.activation(projected + hU_b)
        record(self, {"xW": projected, "hU+b": hU_b, "h": h})
        return h, like(states, h)


@keras.saving.register_keras_serializable(package="custom_layers")
class SimpleRNN(RecurrentLayer):
    """Whole-sequence vanilla RNN, interchangeable with ``keras.layers.SimpleRNN``."""

    cell_class = SimpleRNNCell
