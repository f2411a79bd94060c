"""The gated recurrent unit cell and layer (Cho et al. 2014)."""

from __future__ import annotations

from typing import Any, ClassVar

import keras
from keras import ops

from custom_layers._cell import like, previous
from custom_layers._gated import GatedCell
from custom_layers._layer import RecurrentLayer
from custom_layers._tape import record


@keras.saving.register_keras_serializable(package="custom_layers")
class GRUCell(GatedCell):
    """GRU cell, interchangeable with ``keras.layers.GRUCell``.

        z_t = σ(x_t W_z + h_{t-1} U_z + b_z)        update gate
        r_t = σ(x_t W_r + h_{t-1} U_r + b_r)        reset gate
      reset_after=False (the original paper), bias (3u,):
        ĥ_t = tanh(x_t W_h + (r_t * h_{t-1}) U_h + b_h)
      reset_after=True (Keras's default, cuDNN-compatible), bias (2, 3u):
        ĥ_t = tanh(x_t W_h + b_h^in + r_t * (h_{t-1} U_h + b_h^rec))
        row 0 of the bias is added to x_t W (b^in), row 1 to h_{t-1} U (b^rec)
        for all three blocks.
        h_t = z_t * h_{t-1} + (1 - z_t) * ĥ_t         z weights the OLD state

    σ is ``recurrent_activation`` (sigmoid), tanh is ``activation``. The fused
    matrices hold the gates in the order z, r, h: kernel (d, 3u), recurrent_kernel (u, 3u).
    """

    gates = 3
    blocks = ("z", "r", "h")
    # the intermediates a step records -> their symbols in the equations above
    traced: ClassVar[dict[str, str]] = {"z": "z_t", "r": "r_t", "ĥ": "ĥ_t", "h": "h_t"}

    def __init__(self, units: int, *args: Any, reset_after: bool = True, **kwargs: Any):
        super().__init__(units, *args, **kwargs)
        self.reset_after = bool(reset_after)

    @property
    def state_size(self) -> int:
        return self.units

    def bias_shape(self) -> tuple:
        return (2, 3 * self.units) if self.reset_after else (3 * self.units,)

    @property
    def input_bias(self) -> Any:
        if self.bias is None or not self.reset_after:
            return self.bias
        return self.bias[0]

    @property
    def recurrent_bias(self) -> Any:
        return self.bias[1] if self.bias is not None and self.reset_after else None

    def step(self, projected: Any, states: Any, training: bool = False) -> tuple[Any, Any]:
        # projected = x_t W + b^in for the z, r, h blocks, computed by project_inputs
        h_prev = previous(states)
        h_seen = self.dropped_state(h_prev, training)
        x_z, x_r, x_h = ops.split(projected, 3, axis=-1)
        U, u = self.recurrent_kernel, self.units
        σ, tanh = self.recurrent_activation, self.activation
        if self.reset_after:
            h_U = ops.matmul(h_seen, U)
            if self.recurrent_bias is not None:
                h_U = h_U + self.recurrent_bias
            hU_z, hU_r, hU_h = ops.split(h_U, 3, axis=-1)
            z, r = σ(x_z + hU_z), σ(x_r + hU_r)
            ĥ = tanh(x_h + r * hU_h)
        else:
            hU_z, hU_r = ops.split(ops.matmul(h_seen, U[:, : 2 * u]), 2, axis=-1)
            z, r = σ(x_z + hU_z), σ(x_r + hU_r)
            ĥ = tanh(x_h + ops.matmul(r * h_seen, U[:, 2 * u :]))
        h = z * h_prev + (1 - z) * ĥ
        record(self, {"z": z, "r": r, "ĥ": ĥ, "h": h})
        return h, like(states, h)

    def get_config(self) -> dict:
        return {**super().get_config(), "reset_after": self.reset_after}


@keras.saving.register_keras_serializable(package="custom_layers")
class GRU(RecurrentLayer):
    """Whole-sequence GRU, interchangeable with ``keras.layers.GRU``."""

    cell_class = GRUCell
