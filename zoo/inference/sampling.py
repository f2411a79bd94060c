"""Language-model sampling that carries the recurrent state, as char-rnn does.

Each new token costs one step of each layer's cell, not a forward pass over the whole
window: the trained model's own layers (embedding, cells, residual adds, layer norms,
head) are applied one time step at a time inside one compiled TensorFlow loop, so a
whole continuation, of any number of samples at once, is a single call.

While the prime and the continuation fit in the training window, this computes what
re-running the window computes (the model is causal); past it, the state goes on
carrying the whole text so far, where the window would forget all but its last steps.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import keras
import numpy as np
import tensorflow as tf

from zoo.builder.architectures import token_vectors
from zoo.builder.names import HEAD, RNN, layer_name
from zoo.builder.stack import between_layers, layers_of
from zoo.spec.derived import widths
from zoo.spec.schema import Spec

States = list[list[tf.Tensor]]


class StateSampler:
    """Continues primes token by token from the trained ``model`` of a language-model
    ``spec`` (its layers are shared, not copied)."""

    def __init__(self, model: keras.Model, spec: Spec) -> None:
        self.spec = spec
        self.embedding = token_vectors(model)
        self.layers = [model.get_layer(layer_name(RNN, i)) for i in range(len(widths(spec)))]
        self.trained = layers_of(model)  # its residual adds and layer norms, by name
        self.head = model.get_layer(HEAD)
        signature = tf.TensorSpec([None, None], tf.int32)
        scalar = tf.TensorSpec([], tf.float32), tf.TensorSpec([], tf.int32)
        self._continue = tf.function(
            self._continue_python, input_signature=[signature, tf.TensorSpec([], tf.int32), *scalar]
        )
        self._read: Any = None  # stream's steps, traced on first use
        self._next: Any = None

    def step(
        self, tokens: tf.Tensor, states: States, cells: list[Any] | None = None
    ) -> tuple[tf.Tensor, States]:
        """(next-token probabilities (batch, vocab), the new states) after ``tokens``
        (batch,), one step of every layer (``cells``: the layers' cells, or wrappers),
        wired between layers as the model's stack wires them."""
        x = self.embedding(tokens)
        new_states = []
        cells = cells or [layer.cell for layer in self.layers]
        for index, (layer, cell) in enumerate(zip(self.layers, cells, strict=True)):
            y, layer_states = cell(x, states[index], training=False)
            new_states.append(
                list(layer_states) if isinstance(layer_states, (list, tuple)) else [layer_states]
            )
            keeps_steps = layer.return_sequences
            x = between_layers(x, y, self.spec, layer.name, index, keeps_steps, self.trained)
        return self.head(x), new_states

    def step_model(self) -> keras.Model:
        """``step`` as a Keras model, [token (batch,), *states] -> [probabilities, *new
        states], states flattened layer by layer: the sampler outside Python (zoo export)."""
        token = keras.Input((), dtype="int32", name="token")
        states = [
            [
                keras.Input((int(size),), name=f"{layer_name(RNN, i)}_state_{j + 1}")
                for j, size in enumerate(sizes)
            ]
            for i, sizes in enumerate(self._state_sizes())
        ]
        # The layers' cells often share a name (lstm_cell), which a functional model
        # refuses: it gets renamed copies, with the same weights.
        cells = [_renamed(layer.cell, f"{layer.name}_cell") for layer in self.layers]
        probabilities, new_states = self.step(token, states, cells)
        flat_in = [s for layer in states for s in layer]
        flat_out = [s for layer in new_states for s in layer]
        return keras.Model([token, *flat_in], [probabilities, *flat_out], name="sampler_step")

    def _state_sizes(self) -> list[list[int]]:
        sizes = [layer.cell.state_size for layer in self.layers]
        return [list(s) if isinstance(s, (list, tuple)) else [s] for s in sizes]

    def initial_states(self, batch: Any) -> States:
        return [[tf.zeros((batch, size)) for size in sizes] for sizes in self._state_sizes()]

    def _continue_python(
        self, primes: tf.Tensor, length: tf.Tensor, temperature: tf.Tensor, seed: tf.Tensor
    ) -> tf.Tensor:
        """``length`` new tokens after each row of ``primes`` (batch, prime length)."""
        batch = tf.shape(primes)[0]
        states = self.initial_states(batch)
        for t in tf.range(tf.shape(primes)[1] - 1):  # all but the last: only their states matter
            _, states = self.step(primes[:, t], states)
        token = primes[:, -1]
        made = tf.TensorArray(tf.int32, size=length)
        for i in tf.range(length):
            probabilities, states = self.step(token, states)
            token = _pick(probabilities, temperature, tf.stack([seed, i]))
            made = made.write(i, token)
        return tf.transpose(made.stack())

    def sample(
        self,
        prime: list[int],
        length: int,
        temperature: float = 1.0,
        seed: int | None = None,
        samples: int = 1,
    ) -> list[list[int]]:
        """``samples`` continuations of ``prime`` by ``length`` tokens, drawn together;
        ``temperature`` 0 is greedy. The same ``seed`` gives the same samples."""
        if length <= 0:
            return [[] for _ in range(samples)]
        if seed is None:
            seed = int(np.random.default_rng().integers(2**31 - 1))
        primes = tf.constant([prime] * samples, dtype=tf.int32)
        made = self._continue(
            primes, tf.constant(length), tf.constant(float(temperature)), tf.constant(seed)
        )
        return [list(map(int, row)) for row in made.numpy()]

    def stream(self, prime: list[int], length: int, temperature: float, seed: int) -> Iterator[int]:
        """One continuation of ``prime``, a token at a time as each is drawn (``zoo
        serve`` streams them): the tokens ``sample`` draws with the same ``seed``."""
        if self._next is None:
            self._read = tf.function(lambda token, states: self.step(token, states)[1])
            self._next = tf.function(self._next_python)
        states = self.initial_states(1)
        for token in prime[:-1]:
            states = self._read(tf.constant([token], tf.int32), states)
        token = tf.constant(prime[-1:], tf.int32)
        rules = tf.constant(float(temperature)), tf.constant(seed)
        for i in range(length):
            token, states = self._next(token, states, *rules, tf.constant(i))
            yield int(token[0])

    def _next_python(
        self,
        token: tf.Tensor,
        states: States,
        temperature: tf.Tensor,
        seed: tf.Tensor,
        i: tf.Tensor,
    ) -> tuple[tf.Tensor, States]:
        probabilities, states = self.step(token, states)
        return _pick(probabilities, temperature, tf.stack([seed, i])), states


def _renamed(cell: Any, name: str) -> Any:
    """A copy of ``cell`` under ``name``, with its weights."""
    twin = cell.__class__.from_config({**cell.get_config(), "name": name})
    twin.build(cell.kernel.shape[:1])  # (input features,), as the layer built it
    twin.set_weights(cell.get_weights())
    return twin


def _pick(probabilities: tf.Tensor, temperature: tf.Tensor, seed: tf.Tensor) -> tf.Tensor:
    """The likeliest token at temperature 0; else one drawn from the probabilities
    sharpened (or flattened) by the temperature, reproducibly from ``seed``."""

    def drawn() -> tf.Tensor:
        logits = tf.math.log(tf.maximum(probabilities, 1e-30)) / temperature
        return tf.random.stateless_categorical(logits, 1, seed=seed, dtype=tf.int32)[:, 0]

    return tf.cond(
        temperature > 0, drawn, lambda: tf.argmax(probabilities, axis=-1, output_type=tf.int32)
    )
