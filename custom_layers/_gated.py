"""What the gated cells (LSTM, GRU) add to the base cell: a gate activation σ."""

from __future__ import annotations

from typing import Any

import keras

from custom_layers import _arguments
from custom_layers._cell import RecurrentCell


class GatedCell(RecurrentCell):
    def __init__(
        self,
        units: int,
        activation: Any = "tanh",
        recurrent_activation: Any = "sigmoid",
        use_bias: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(units, activation=activation, use_bias=use_bias, **kwargs)
        self.recurrent_activation = _arguments.lookup(
            "recurrent_activation", recurrent_activation, keras.activations.get
        )

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "recurrent_activation": keras.activations.serialize(self.recurrent_activation),
        }
