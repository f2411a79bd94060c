"""The long short-term memory cell and layer (Hochreiter & Schmidhuber 1997)."""

from __future__ import annotations

from typing import Any, ClassVar

import keras
from keras import ops

from custom_layers._gated import GatedCell
from custom_layers._layer import RecurrentLayer
from custom_layers._tape import record


@keras.saving.register_keras_serializable(package="custom_layers")
class LSTMCell(GatedCell):
    """LSTM cell with forget gate, interchangeable with ``keras.layers.LSTMCell``.

        i_t = σ(x_t W_i + h_{t-1} U_i + b_i)        input gate
        f_t = σ(x_t W_f + h_{t-1} U_f + b_f)        forget gate
        g_t = tanh(x_t W_c + h_{t-1} U_c + b_c)     candidate cell
        o_t = σ(x_t W_o + h_{t-1} U_o + b_o)        output gate
        c_t = f_t * c_{t-1} + i_t * g_t
        h_t = o_t * tanh(c_t)

    σ is ``recurrent_activation`` (sigmoid), tanh is ``activation``. The fused
    matrices hold the gates in the order i, f, c, o: kernel (d, 4u),
    recurrent_kernel (u, 4u), bias (4u,). States are [h, c].
    ``unit_forget_bias=True`` initialises b_f to 1.
    """

    gates = 4
    blocks = ("i", "f", "c", "o")
    # the intermediates a step records -> their symbols in the equations above
    traced: ClassVar[dict[str, str]] = {
        "z": "z_t",  # x_t W + h_{t-1} U + b, the four gates' blocks before σ and tanh
        "i": "i_t",
        "f": "f_t",
        "g": "g_t",
        "o": "o_t",
        "c": "c_t",
        "h": "h_t",
    }

    def __init__(self, units: int, *args: Any, unit_forget_bias: bool = True, **kwargs: Any):
        super().__init__(units, *args, **kwargs)
        self.unit_forget_bias = bool(unit_forget_bias)

    @property
    def state_size(self) -> list[int]:
        return [self.units, self.units]

    def bias_initializer_for_build(self) -> Any:
        if not self.unit_forget_bias:
            return self.bias_initializer

        def forget_bias_one(shape: tuple, dtype: Any = None) -> Any:
            u, b = self.units, self.bias_initializer
            return ops.concatenate([b((u,), dtype), ops.ones((u,), dtype), b((2 * u,), dtype)])

        return forget_bias_one

    def step(self, projected: Any, states: Any, training: bool = False) -> tuple[Any, Any]:
        # projected = x_t W + b for all four gates, computed by project_inputs
        h_prev, c_prev = states
        z = projected + ops.matmul(self.dropped_state(h_prev, training), self.recurrent_kernel)
        z_i, z_f, z_c, z_o = ops.split(z, 4, axis=-1)
        σ, tanh = self.recurrent_activation, self.activation
        i, f, g, o = σ(z_i), σ(z_f), tanh(z_c), σ(z_o)
        c = f * c_prev + i * g
        h = o * tanh(c)
        record(self, {"z": z, "i": i, "f": f, "g": g, "o": o, "c": c, "h": h})
        return h, [h, c]

    def get_config(self) -> dict:
        return {**super().get_config(), "unit_forget_bias": self.unit_forget_bias}


@keras.saving.register_keras_serializable(package="custom_layers")
class LSTM(RecurrentLayer):
    """Whole-sequence LSTM, interchangeable with ``keras.layers.LSTM``."""

    cell_class = LSTMCell
