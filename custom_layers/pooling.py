"""A sequence of recurrent outputs pooled into one vector, over its real steps only, for
a many_to_one model to classify or regress from (model.pooling).

For outputs h_1 .. h_T, of which the mask marks the real (not padding) steps R:

    max:        s = max_{t in R} h_t                       (per feature)
    mean:       s = (1 / |R|) sum_{t in R} h_t
    attention:  u_t = tanh(W h_t + b)                      (Yang et al. 2016)
                a_t = exp(u_t . v) / sum_{r in R} exp(u_r . v)
                s = sum_{t in R} a_t h_t

``last`` (the default) is no layer: the stack's final output, h_T. Max pooling over a
bidirectional LSTM's outputs is the sentence classifier of Conneau et al. (2017);
attention lets the model say which steps its answer rests on.
"""

from __future__ import annotations

from typing import Any

import keras
from keras import ops

MODES = ("max", "mean", "attention")


@keras.saving.register_keras_serializable(package="custom_layers")
class SequencePooling(keras.layers.Layer):
    """(batch, steps, features), with the mask of its real steps -> (batch, features)."""

    def __init__(self, mode: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}, got {mode!r}")
        self.mode = mode
        self.supports_masking = True

    def build(self, input_shape: tuple) -> None:
        if self.mode == "attention":
            features = input_shape[-1]
            self.W = self.add_weight((features, features), "glorot_uniform", name="kernel")
            self.b = self.add_weight((features,), "zeros", name="bias")
            self.v = self.add_weight((features,), "glorot_uniform", name="context")

    def call(self, h: Any, mask: Any = None) -> Any:
        real = ops.ones(ops.shape(h)[:2], "bool") if mask is None else ops.cast(mask, "bool")
        if self.mode == "max":
            lowest = ops.full_like(h, -3.0e38)  # below any output: a padding step never wins
            return ops.max(ops.where(real[..., None], h, lowest), axis=1)
        if self.mode == "mean":
            weights = ops.cast(real, h.dtype)[..., None]
            return ops.sum(h * weights, axis=1) / ops.maximum(ops.sum(weights, axis=1), 1.0)
        u = ops.tanh(ops.matmul(h, self.W) + self.b)
        scores = ops.where(real, ops.matmul(u, self.v), -1.0e9)  # padding: weight ~0
        a = ops.softmax(scores, axis=1)
        return ops.sum(a[..., None] * h, axis=1)

    def compute_mask(self, inputs: Any, mask: Any = None) -> None:
        return None  # one vector per example: nothing left to mask

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return (input_shape[0], input_shape[-1])

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "mode": self.mode}
