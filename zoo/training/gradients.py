"""The global gradient norm of every training step, before and after clipping.

Keras applies clipping inside ``optimizer.apply`` (``_clip_gradients``) and
reports neither norm. The probe wraps that one method on the optimizer
instance, so the norms are measured on exactly the gradients the optimizer
uses, at no extra backward pass; the wrapper is not part of the saved model.
"""

from __future__ import annotations

from typing import Any

import keras
from keras import ops


def global_norm(gradients: list[Any]) -> Any:
    squares = [ops.sum(ops.square(g)) for g in gradients if g is not None]
    return ops.sqrt(ops.sum(ops.stack(squares)))


class GradientNormProbe:
    def __init__(self, optimizer: keras.optimizers.Optimizer) -> None:
        self.before = keras.Variable(0.0, trainable=False, name="gradient_norm_before_clipping")
        self.after = keras.Variable(0.0, trainable=False, name="gradient_norm_after_clipping")
        clip = optimizer._clip_gradients

        def measured_clip(gradients: list[Any]) -> list[Any]:
            self.before.assign(global_norm(gradients))
            clipped = clip(gradients)
            self.after.assign(global_norm(clipped))
            return clipped

        optimizer._clip_gradients = measured_clip

    def read(self) -> tuple[float, float]:
        return float(self.before.numpy()), float(self.after.numpy())


class GradientNormLogger(keras.callbacks.Callback):
    """Collects (step, norm before, norm after) after every training batch."""

    def __init__(self, probe: GradientNormProbe, first_step: int = 0) -> None:
        super().__init__()
        self.probe = probe
        self.step = first_step
        self.rows: list[tuple[int, float, float]] = []

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        self.step += 1
        self.rows.append((self.step, *self.probe.read()))
