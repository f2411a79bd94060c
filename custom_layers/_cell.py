"""The part every recurrent cell shares: weights, arguments, config, dropout.

A cell's step is written as two halves:

    project_inputs(x_t)   x_t W + b_in    independent of the state, so it can be
                                          hoisted out of a time loop
    step(x̃_t, states)     the recurrence  h_{t-1} U and the gate equations

``call(x_t, states)`` is ``step(project_inputs(x_t), states)``.
"""

from __future__ import annotations

from typing import Any, ClassVar

import keras
from keras import ops

from custom_layers import _arguments
from custom_layers._keras_internals import DropoutRNNCell  # Keras's dropout masks, reused


class RecurrentCell(keras.layers.Layer, DropoutRNNCell):
    """Base class: ``gates`` blocks of ``units`` columns in kernel and recurrent kernel."""

    gates: int  # how many u-wide blocks the fused matrices hold (1, 4 or 3)
    blocks: tuple[str, ...]  # their names, in the order the fused matrices hold them
    # what a step hands to custom_layers._tape.record -> its symbol in the equations
    traced: ClassVar[dict[str, str]]

    def __init__(
        self,
        units: int,
        activation: Any = "tanh",
        use_bias: bool = True,
        kernel_initializer: Any = "glorot_uniform",
        recurrent_initializer: Any = "orthogonal",
        bias_initializer: Any = "zeros",
        kernel_regularizer: Any = None,
        recurrent_regularizer: Any = None,
        bias_regularizer: Any = None,
        kernel_constraint: Any = None,
        recurrent_constraint: Any = None,
        bias_constraint: Any = None,
        dropout: float = 0.0,
        recurrent_dropout: float = 0.0,
        seed: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.units = _arguments.positive_int("units", units)
        self.activation = _arguments.lookup("activation", activation, keras.activations.get)
        self.use_bias = bool(use_bias)
        weight_options = {
            "kernel_initializer": kernel_initializer,
            "recurrent_initializer": recurrent_initializer,
            "bias_initializer": bias_initializer,
            "kernel_regularizer": kernel_regularizer,
            "recurrent_regularizer": recurrent_regularizer,
            "bias_regularizer": bias_regularizer,
            "kernel_constraint": kernel_constraint,
            "recurrent_constraint": recurrent_constraint,
            "bias_constraint": bias_constraint,
        }
        for name, value in weight_options.items():
            getter = _WEIGHT_OPTIONS[_kind(name)][0]
            setattr(self, name, _arguments.lookup(name, value, getter))
        self.dropout = _arguments.rate("dropout", dropout)
        self.recurrent_dropout = _arguments.rate("recurrent_dropout", recurrent_dropout)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed=seed)
        self.output_size = self.units

    # -- weights ---------------------------------------------------------------
    def build(self, input_shape: tuple) -> None:
        super().build(input_shape)
        width = self.gates * self.units
        self.kernel = self._add("kernel", (input_shape[-1], width), self.kernel_initializer)
        self.recurrent_kernel = self._add(
            "recurrent_kernel", (self.units, width), self.recurrent_initializer
        )
        self.bias = (
            self._add("bias", self.bias_shape(), self.bias_initializer_for_build())
            if self.use_bias
            else None
        )

    def _add(self, name: str, shape: tuple, initializer: Any) -> keras.Variable:
        role = "recurrent" if name == "recurrent_kernel" else name
        return self.add_weight(
            shape=shape,
            name=name,
            initializer=initializer,
            regularizer=getattr(self, f"{role}_regularizer"),
            constraint=getattr(self, f"{role}_constraint"),
        )

    def bias_shape(self) -> tuple:
        return (self.gates * self.units,)

    def bias_initializer_for_build(self) -> Any:
        return self.bias_initializer

    @property
    def input_bias(self) -> Any:
        """The part of the bias that is added to x_t W (hoistable with it); a cell that
        adds its bias inside the step returns None."""
        return self.bias

    # -- the two halves of a step ------------------------------------------------
    def project_inputs(self, inputs: Any, training: bool = False) -> Any:
        """x_t W + b_in: the half of a step that does not depend on the state."""
        if training and self.dropout > 0:
            inputs = inputs * self.get_dropout_mask(inputs)
        projected = ops.matmul(inputs, self.kernel)
        if self.input_bias is not None:
            projected = projected + self.input_bias
        return projected

    def dropped_state(self, h_prev: Any, training: bool) -> Any:
        """h_{t-1} as the recurrent matmul sees it (recurrent dropout in training)."""
        if training and self.recurrent_dropout > 0:
            return h_prev * self.get_recurrent_dropout_mask(h_prev)
        return h_prev

    def step(self, projected: Any, states: Any, training: bool = False) -> tuple[Any, Any]:
        raise NotImplementedError

    def call(self, inputs: Any, states: Any, training: bool = False) -> tuple[Any, Any]:
        return self.step(self.project_inputs(inputs, training), states, training)

    # -- config ------------------------------------------------------------------
    def get_config(self) -> dict:
        config = {
            "units": self.units,
            "activation": keras.activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "dropout": self.dropout,
            "recurrent_dropout": self.recurrent_dropout,
            "seed": self.seed,
        }
        for role in ("kernel", "recurrent", "bias"):
            for kind, (_, serialize) in _WEIGHT_OPTIONS.items():
                name = f"{role}_{kind}"
                config[name] = serialize(getattr(self, name))
        return {**super().get_config(), **config}


# option kind -> (how an identifier is resolved, how it is written to a config)
_WEIGHT_OPTIONS = {
    "initializer": (keras.initializers.get, keras.initializers.serialize),
    "regularizer": (keras.regularizers.get, keras.regularizers.serialize),
    "constraint": (keras.constraints.get, keras.constraints.serialize),
}


def _kind(option_name: str) -> str:
    return option_name.rsplit("_", 1)[1]


def previous(states: Any) -> Any:
    """The single state of a one-state cell, whether passed bare or in a list."""
    return states[0] if isinstance(states, (list, tuple)) else states


def like(states: Any, new_state: Any) -> Any:
    """Return the new state in the same structure the caller passed the old one."""
    return [new_state] if isinstance(states, (list, tuple)) else new_state
