"""The compiled forward pass behind ``zoo predict``: XLA-compiled where the model allows
it (it measures faster than Keras's predict here: see benchmarks/generate_speed.py),
and traced once per file, every batch of one shape (the last one padded).

Training is untouched: this is for a trained model's inference alone.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import tensorflow as tf

BATCH = 256


class CompiledForward:
    """``model(x, training=False)`` as one compiled function, batch by batch."""

    def __init__(self, model: Any, batch_size: int = BATCH, buckets: bool = False) -> None:
        self.model = model
        self.batch_size = batch_size
        # a server's batches come in every size: padded to a power of two, a few traces
        # serve them all, where each new size would trace (and XLA-compile) again
        self.buckets = buckets
        # without XLA (a text model), still one traced graph
        self.xla = xla_ready(model)
        self._function = self._compile(self.xla)

    def _compile(self, xla: bool) -> Any:
        return tf.function(lambda x: self.model(x, training=False), jit_compile=xla)

    def __call__(self, inputs: Any) -> np.ndarray:
        arrays = inputs if isinstance(inputs, list) else [inputs]
        n = len(arrays[0])
        size = min(self.batch_size, 1 << (n - 1).bit_length() if self.buckets else n)
        outputs = []
        for start in range(0, n, size):
            batch = [_padded(a[start : start + size], size) for a in arrays]
            out = self._run(batch if isinstance(inputs, list) else batch[0])
            outputs.append(np.asarray(out)[: min(size, n - start)])
        return np.concatenate(outputs) if outputs else np.zeros((0,))

    def _run(self, batch: Any) -> Any:
        try:
            return self._function(batch)
        except (tf.errors.InvalidArgumentError, tf.errors.UnimplementedError):
            if not self.xla:
                raise
            # An op XLA does not compile on this machine: the same graph without it.
            self.xla, self._function = False, self._compile(False)
            return self._function(batch)


def xla_ready(model: Any) -> bool:
    """Whether every layer can be XLA-compiled: a text model's string ops cannot."""
    from zoo.builder.model import every_layer

    return all(getattr(layer, "supports_jit", True) for layer in every_layer(model))


def _padded(batch: np.ndarray, size: int) -> np.ndarray:
    """``batch`` grown to ``size`` rows by repeating its last one (a real example, so
    nothing the model has not seen, e.g. an empty string, enters the batch)."""
    missing = size - len(batch)
    if missing <= 0:
        return batch
    return np.concatenate([batch, np.repeat(batch[-1:], missing, axis=0)])
