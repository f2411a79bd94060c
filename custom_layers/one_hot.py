"""Token ids fed as one-hot vectors, with no embedding: the teaching texts' network."""

from __future__ import annotations

from typing import Any

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="custom_layers")
class OneHot(keras.layers.Layer):
    """Token ids (batch, steps) -> one-hot vectors (batch, steps, vocab_size - 1).

    Id 0 is padding, as everywhere in the zoo: it becomes the zero vector and is
    masked, so the vector has one column per real token, id k in column k - 1 (the
    seeds' "hello" network reads 4 inputs for h, e, l, o, not 5).
    """

    def __init__(self, vocab_size: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if int(vocab_size) < 2:
            raise ValueError(
                f"vocab_size must be at least 2 (padding and a token), got {vocab_size}"
            )
        self.vocab_size = int(vocab_size)
        self.mask_zero = True  # read by whoever must know that padding is masked
        self.supports_masking = True

    def call(self, tokens: Any) -> Any:
        # id 0 -> class -1, which one_hot maps to the zero vector
        return ops.one_hot(ops.cast(tokens, "int32") - 1, self.vocab_size - 1)

    def compute_mask(self, tokens: Any, mask: Any = None) -> Any:
        return ops.not_equal(tokens, 0)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return (*input_shape, self.vocab_size - 1)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "vocab_size": self.vocab_size}
