"""The whole-sequence layer shared by SimpleRNN, LSTM and GRU.

It is ``keras.layers.RNN`` (return_sequences, return_state, go_backwards,
stateful, unroll, masking, initial_state, Bidirectional support) over one of our
cells, with the Keras layer's flat constructor and config.

The time loop calls the whole cell step. Hoisting the input projection
(``cell.project_inputs`` over all steps, then ``cell.step`` in the loop) was
measured 20-25 % slower under TensorFlow's while loop on the CPU (batch 64,
100 steps, 32 features, 128 units): the loop then carries a k·u-wide input per
step instead of a d-wide one. The cells keep the two halves separate so that a
loop which does profit from hoisting can use them.

Two other rewrites were measured on the same case and not kept:
- A hand-written backward pass (``tf.custom_gradient`` around the whole loop, one
  ``dz Uᵀ`` matmul per step, Uᵀ's gradient as one large matmul after the loop) made
  the LSTM's training step 1.1× slower than autodiff's: the gate derivatives,
  evaluated over all steps at once, cost more in memory traffic than they saved.
- Compiling the inference loop with XLA (``tf.function(jit_compile=True)``) made the
  forward pass 0.5-0.75× as long, but each new input shape compiles anew (about 0.5 s),
  and a gradient taken through an inference call fails (XLA cannot pass the loop's
  saved tensors back to TensorFlow). ``model.compile(jit_compile=True)`` gives the
  same forward gain to a user who wants it; ``benchmarks/rnn_speed.py --xla`` times it.

``benchmarks/rnn_speed.py --floor`` times the matmuls and activations alone: on a
2-core CPU they take 0.5-0.6× as long as Keras's forward pass, and these layers'
forward passes 1.4-1.5× as long as the floor.
"""

from __future__ import annotations

import inspect
import re
from typing import Any, ClassVar

import keras
from keras import ops

from custom_layers import _arguments
from custom_layers._cell import RecurrentCell
from custom_layers._keras_internals import rnn
from custom_layers._truncation import carried

# Keys the base Layer writes into a cell's config that belong to the layer itself.
_LAYER_OWNED_KEYS = ("name", "trainable", "dtype")


class RecurrentLayer(keras.layers.RNN):
    """Base class: a subclass names its ``cell_class``; the constructor takes the
    cell's arguments (``units``, ``activation``, ``dropout``, ...) and the layer's
    (``return_sequences``, ``return_state``, ``go_backwards``, ``stateful``,
    ``unroll``), with the same names and defaults as the Keras layer; and one Keras's
    layer does not have, ``truncate=k``: truncated backpropagation through time
    (``custom_layers._truncation``)."""

    cell_class: ClassVar[type[RecurrentCell]]

    def __init__(
        self,
        units: int,
        return_sequences: bool = False,
        return_state: bool = False,
        go_backwards: bool = False,
        stateful: bool = False,
        unroll: bool = False,
        truncate: int | None = None,
        **kwargs: Any,
    ) -> None:
        self.truncate = None if truncate is None else _arguments.positive_int("truncate", truncate)
        cell_kwargs = {k: kwargs.pop(k) for k in list(kwargs) if k in self._cell_arguments()}
        cell = self.cell_class(
            units,
            dtype=kwargs.get("dtype"),
            trainable=kwargs.get("trainable", True),
            name=f"{_snake_case(type(self).__name__)}_cell",  # as Keras names it
            **cell_kwargs,
        )
        super().__init__(
            cell,
            return_sequences=return_sequences,
            return_state=return_state,
            go_backwards=go_backwards,
            stateful=stateful,
            unroll=unroll,
            **kwargs,
        )
        self.input_spec = keras.layers.InputSpec(ndim=3)

    @classmethod
    def _cell_arguments(cls) -> set[str]:
        names: set[str] = set()
        for klass in cls.cell_class.__mro__:
            if issubclass(klass, RecurrentCell):
                names |= set(inspect.signature(klass.__init__).parameters)
        return names - {"self", "units", "args", "kwargs"}

    @property
    def units(self) -> int:
        return self.cell.units

    def inner_loop(self, sequences: Any, initial_state: Any, mask: Any, training: bool = False):
        """Keras's loop; with ``truncate``, the loop also carries the step count, by which
        each step cuts the gradient of the states it reads (the count holds still on
        masked steps, as the states do)."""
        if self.truncate is None:
            return super().inner_loop(sequences, initial_state, mask, training)
        states = (
            list(initial_state) if isinstance(initial_state, (list, tuple)) else [initial_state]
        )

        def step(inputs: Any, loop_states: list) -> tuple[Any, list]:
            *states, count = loop_states
            output, new_states = self.cell(
                inputs, carried(states, count, self.truncate), training=training
            )
            new_states = list(new_states) if isinstance(new_states, (list, tuple)) else [new_states]
            return output, [*new_states, count + 1]

        count = ops.zeros_like(states[0][:, :1])  # (batch, 1): carried like a state
        last, outputs, final = rnn(  # the loop keras.layers.RNN itself runs
            step,
            sequences,
            [*states, count],
            go_backwards=self.go_backwards,
            mask=mask,
            unroll=self.unroll,
            input_length=sequences.shape[1],
            zero_output_for_mask=self.zero_output_for_mask,
            return_all_outputs=self.return_sequences,
        )
        return last, outputs, final[:-1]

    def get_config(self) -> dict:
        config = super().get_config()
        del config["cell"]  # rebuilt from the cell's own arguments, flattened in
        cell_config = self.cell.get_config()
        for key in _LAYER_OWNED_KEYS:
            cell_config.pop(key, None)
        activity = {"activity_regularizer": keras.regularizers.serialize(self.activity_regularizer)}
        return {**config, **cell_config, **activity, "truncate": self.truncate}

    @classmethod
    def from_config(cls, config: dict) -> RecurrentLayer:
        return cls(**config)


def _snake_case(class_name: str) -> str:
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", class_name).lower()
