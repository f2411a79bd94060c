"""Training many models in one process (a sweep, a notebook) with flat memory.

Each time TensorFlow traces a Keras training step it registers a gradient function,
globally and for good: Keras all-reduces the gradients through a tf.custom_gradient,
and the registered function holds the step's whole graph (about 9 MB for a tiny RNN;
tensorflow/tensorflow#61791, #62854). The function is only ever looked up to
differentiate through the optimizer's update, which training never does, so it can be
dropped once the model is trained. Keras's own global state (layer-name counters and
the like) grows too, until ``keras.backend.clear_session()``.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import ParamSpec, TypeVar

import keras
from tensorflow.python.framework import ops

P = ParamSpec("P")
R = TypeVar("R")

_CUSTOM_GRADIENT = "CustomGradient-"  # the names tf.custom_gradient registers under


def releases_memory(train: Callable[P, R]) -> Callable[P, R]:
    """Run ``train`` in a fresh Keras session, dropping the gradient functions
    TensorFlow registered while it traced."""

    @functools.wraps(train)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        keras.backend.clear_session()
        with dropped_gradient_functions():
            return train(*args, **kwargs)

    return wrapper


@contextmanager
def dropped_gradient_functions() -> Iterator[None]:
    """On leaving, unregister the custom gradient functions registered inside (training
    never differentiates through them; see the module's docstring)."""
    # A private registry: if TensorFlow renames it, training goes on, unreleased.
    registry = getattr(getattr(ops, "_gradient_registry", None), "_registry", {})
    before = set(registry)
    try:
        yield
    finally:
        for name in set(registry) - before:
            if name.startswith(_CUSTOM_GRADIENT):
                del registry[name]


def resident_megabytes() -> float | None:
    """This process's resident memory (Linux), or None where it cannot be read."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError, IndexError):
        return None
