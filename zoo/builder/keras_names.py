"""Names a spec passes to Keras (activations, initializers, optimizers, schedules,
losses, metrics) checked against Keras itself, all at once, each at its key.

Only Keras's own registries are consulted: a spec can name what Keras ships,
never an arbitrary Python object.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import keras

from zoo.spec.document import KeyPath
from zoo.spec.schema import Spec

Finding = tuple[KeyPath, str]


def unknown_names(spec: Spec) -> list[Finding]:
    return list(_findings(spec))


def _findings(spec: Spec) -> Iterator[Finding]:
    model = spec.model
    lookups: list[tuple[KeyPath, Any, Callable[[Any], Any]]] = [
        (("model", "activation"), model.activation, keras.activations.get),
        (("model", "recurrent_activation"), model.recurrent_activation, keras.activations.get),
        (("model", "kernel_initializer"), model.kernel_initializer, keras.initializers.get),
        (("model", "recurrent_initializer"), model.recurrent_initializer, keras.initializers.get),
        (("model", "bias_initializer"), model.bias_initializer, keras.initializers.get),
        (("outputs", "activation"), spec.outputs.activation, keras.activations.get),
        (("compile", "loss"), spec.compile.loss, keras.losses.get),
        *[
            (("compile", "metrics", i), name, keras.metrics.get)
            for i, name in enumerate(spec.compile.metrics)
        ],
    ]
    for path, name, getter in lookups:
        if name is not None and not _known(getter, name):
            yield path, f"Keras has no {_kind(path)} named {name!r}"
    optimizer = spec.compile.optimizer
    if keras_class(keras.optimizers, optimizer.name, keras.optimizers.Optimizer) is None:
        valid = ", ".join(public_classes(keras.optimizers, keras.optimizers.Optimizer))
        yield (
            ("compile", "optimizer", "name"),
            f"unknown optimizer {optimizer.name!r}; valid: {valid}",
        )
    if optimizer.schedule is not None:
        base = keras.optimizers.schedules.LearningRateSchedule
        if keras_class(keras.optimizers.schedules, optimizer.schedule.name, base) is None:
            valid = ", ".join(public_classes(keras.optimizers.schedules, base))
            yield (
                ("compile", "optimizer", "schedule", "name"),
                f"unknown schedule {optimizer.schedule.name!r}; valid: {valid}",
            )


def _known(getter: Callable[[Any], Any], name: str) -> bool:
    try:
        return getter(name) is not None
    except (ValueError, TypeError):
        return False


def _kind(path: KeyPath) -> str:
    key = str(path[1] if path[0] == "compile" else path[-1])
    return {"metrics": "metric"}.get(
        key, key.replace("recurrent_", "").replace("kernel_", "").replace("bias_", "")
    )


def public_classes(module: Any, base: type) -> dict[str, type]:
    """Public subclasses of ``base`` in a Keras module, by class name."""
    found = {}
    for attribute in dir(module):
        value = getattr(module, attribute)
        if isinstance(value, type) and issubclass(value, base) and value is not base:
            found[value.__name__] = value
    return dict(sorted(found.items()))


def keras_class(module: Any, name: str, base: type) -> type | None:
    """``Adam`` or ``adam``; ``ExponentialDecay`` or ``exponential_decay``."""
    wanted = name.replace("_", "").lower()
    for class_name, value in public_classes(module, base).items():
        if class_name.lower() == wanted:
            return value
    return None
