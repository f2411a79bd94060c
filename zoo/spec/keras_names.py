"""Names a spec passes to Keras (activations, initializers, optimizers, schedules,
losses, metrics) checked against Keras itself, all at once, each at its key.

Only Keras's own registries are consulted: a spec can name what Keras ships,
never an arbitrary Python object. Names listed in ``keras_catalog`` (all checked
against Keras by a test) pass without importing Keras, so validating a spec that
uses common names does not start TensorFlow; any other name is asked of Keras.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from zoo.spec.document import Finding, KeyPath
from zoo.spec.keras_catalog import KNOWN
from zoo.spec.schema import Spec

Named = tuple[KeyPath, str, str]  # where, kind (a KNOWN key), the name


def unknown_names(spec: Spec) -> list[Finding]:
    pending = [(path, kind, name) for path, kind, name in named(spec) if not _listed(kind, name)]
    return list(_findings(pending)) if pending else []


def named(spec: Spec) -> list[Named]:
    """Every Keras name the spec uses, with its kind."""
    model, optimizer, loss = spec.model, spec.compile.optimizer, spec.compile.loss
    found: list[tuple[KeyPath, str, str | None]] = [
        (("model", "activation"), "activation", model.activation),
        (("model", "recurrent_activation"), "activation", model.recurrent_activation),
        (("model", "kernel_initializer"), "initializer", model.kernel_initializer),
        (("model", "recurrent_initializer"), "initializer", model.recurrent_initializer),
        (("model", "bias_initializer"), "initializer", model.bias_initializer),
        (("outputs", "activation"), "activation", spec.outputs.activation),
        (("compile", "loss"), "loss", loss if isinstance(loss, str) else None),  # not quantile
        *[(("compile", "metrics", i), "metric", n) for i, n in enumerate(spec.compile.metrics)],
        (("compile", "optimizer", "name"), "optimizer", optimizer.name),
    ]
    if optimizer.schedule is not None:
        found.append(
            (("compile", "optimizer", "schedule", "name"), "schedule", optimizer.schedule.name)
        )
    return [(path, kind, name) for path, kind, name in found if name is not None]


def _listed(kind: str, name: str) -> bool:
    if kind in CLASS_KINDS:
        return class_key(name) in KNOWN[kind]
    return name in KNOWN[kind]


CLASS_KINDS = ("optimizer", "schedule")  # matched like keras_class: Adam, adam, ADAM


def class_key(name: str) -> str:
    return name.replace("_", "").lower()


def _findings(pending: list[Named]) -> Iterator[Finding]:
    from zoo._quiet import import_keras_quietly

    import_keras_quietly()
    import keras

    getters = {
        "activation": keras.activations.get,
        "initializer": keras.initializers.get,
        "loss": keras.losses.get,
        "metric": keras.metrics.get,
    }
    for path, kind, name in pending:
        if kind in getters:
            if not _known(getters[kind], name):
                yield path, f"Keras has no {kind} named {name!r}"
            continue
        module, base = _class_module(kind)
        if keras_class(module, name, base) is None:
            valid = ", ".join(public_classes(module, base))
            yield path, f"unknown {kind} {name!r}; valid: {valid}"


def _class_module(kind: str) -> tuple[Any, type]:
    import keras

    if kind == "optimizer":
        return keras.optimizers, keras.optimizers.Optimizer
    return keras.optimizers.schedules, keras.optimizers.schedules.LearningRateSchedule


def _known(getter: Callable[[Any], Any], name: str) -> bool:
    try:
        return getter(name) is not None
    except (ValueError, TypeError, KeyError):  # KeyError: a class that needs arguments
        return False


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


# Spellings Keras accepts that are not attribute names of its modules.
ALIASES = ("mse", "mae", "mape", "msle", "accuracy", "acc", "crossentropy", "linear", "kld")


def catalog() -> dict[str, list[str]]:
    """What keras_catalog lists: every public name of each Keras module, and the
    aliases above, that Keras's own getter accepts (optimizers and schedules: their
    class names, normalised)."""
    import keras

    getters = {
        "activation": (keras.activations, keras.activations.get),
        "initializer": (keras.initializers, keras.initializers.get),
        "loss": (keras.losses, keras.losses.get),
        "metric": (keras.metrics, keras.metrics.get),
    }
    found = {
        kind: sorted(
            name
            for name in {*dir(module), *ALIASES}
            if not name.startswith("_") and _known(getter, name)
        )
        for kind, (module, getter) in getters.items()
    }
    for kind in CLASS_KINDS:
        module, base = _class_module(kind)
        found[kind] = sorted(class_key(name) for name in public_classes(module, base))
    return found


def parameters() -> dict[str, dict[str, dict[str, bool]]]:
    """What keras_catalog's PARAMETERS lists: for each optimizer and schedule class (by
    its normalised name) and each registered callback, its constructor's named
    parameters, each marked True where it is required."""
    import inspect

    from zoo.registry import CALLBACKS

    classes: dict[str, dict[str, type]] = {
        kind: {class_key(n): c for n, c in public_classes(*_class_module(kind)).items()}
        for kind in CLASS_KINDS
    }
    classes["callback"] = {name: entry.load() for name, entry in CALLBACKS.items()}
    named = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    return {
        kind: {
            key: {
                p.name: p.default is inspect.Parameter.empty
                for p in inspect.signature(value).parameters.values()
                if p.kind in named
            }
            for key, value in sorted(found.items())
        }
        for kind, found in classes.items()
    }


def write_catalog(path: str = "zoo/spec/keras_catalog.py") -> None:
    """Regenerate keras_catalog from the installed Keras."""
    lines = [
        '"""Keras names known to be valid, so validating a spec need not import Keras.',
        "",
        "Generated by `python -c 'from zoo.spec.keras_names import write_catalog;",
        "write_catalog()'`; a test checks each name against Keras. A name missing here",
        'is still asked of Keras, only more slowly."""',
        "",
        "KNOWN: dict[str, frozenset[str]] = {",
        *(f"    {kind!r}: frozenset({names!r})," for kind, names in catalog().items()),
        "}",
        "",
        "# kind -> class -> its constructor's parameters, True where required",
        "PARAMETERS: dict[str, dict[str, dict[str, bool]]] = {",
        *(f"    {kind!r}: {found!r}," for kind, found in parameters().items()),
        "}",
    ]
    with open(path, "w") as file:
        file.write("\n".join(lines) + "\n")
