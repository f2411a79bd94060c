"""The compile section: optimizer (with schedule and gradient clipping), loss, metrics.

Names were checked by ``keras_names`` before building; argument errors of the
optimizer or schedule become SpecErrors at the key that holds the arguments.
"""

from __future__ import annotations

import inspect
from typing import Any

import keras

from custom_layers.quantiles import AtQuantile, Pinball
from zoo.errors import SpecError
from zoo.spec.derived import loss_name, quantiles
from zoo.spec.keras_names import class_key, keras_class
from zoo.spec.schema import MEDIAN, Spec


def compile_model(model: keras.Model, spec: Spec) -> keras.Model:
    # Weighted metrics, so that outputs the data weighs 0 (a tagger's padding, where the
    # model does not mask it) are scored by no metric, as by the loss; without sample
    # weights they are the plain metrics, under the same names.
    model.compile(optimizer=optimizer(spec), loss=loss(spec), weighted_metrics=metrics(spec))
    return model


def metrics(spec: Spec) -> list[Any]:
    """compile.metrics by name; a quantile forecaster's scoring its median, the point
    forecast, under the same names."""
    bands = quantiles(spec)
    if bands is None:
        return list(spec.compile.metrics)
    return [AtQuantile(name, bands.index(MEDIAN)) for name in spec.compile.metrics]


# Keras's default reduction divides a weighted loss by the count of every output,
# weighted 0 or not: the more padding a batch of sentences holds, the smaller its loss.
# This one divides by the weights' sum, so the loss is the mean over what is scored, as
# Keras computes it where a mask hides the padding; without weights or a mask, the two
# are the same.
REDUCTION = "mean_with_sample_weight"


def loss(spec: Spec) -> keras.losses.Loss | str:
    """The spec's loss (by its Keras name), averaged over the outputs that are scored:
    the Loss class of that name, or of the function it names ("mse" is
    mean_squared_error, whose class is MeanSquaredError); the pinball loss of a
    quantile forecaster."""
    bands = quantiles(spec)
    if bands is not None:
        return Pinball(bands, reduction=REDUCTION)
    name = loss_name(spec)
    found = keras.losses.get(name)
    if isinstance(found, keras.losses.Loss):  # named by its class
        return type(found).from_config({**found.get_config(), "reduction": REDUCTION})
    key = class_key(getattr(found, "__name__", name))
    for candidate in vars(keras.losses).values():
        if (
            isinstance(candidate, type)
            and issubclass(candidate, keras.losses.Loss)
            and class_key(candidate.__name__) == key
        ):
            return candidate(reduction=REDUCTION, name=name)
    return name  # a function without a class: Keras's own reduction


def optimizer(spec: Spec) -> keras.optimizers.Optimizer:
    section = spec.compile.optimizer
    optimizer_class = keras_class(keras.optimizers, section.name, keras.optimizers.Optimizer)
    assert optimizer_class is not None  # checked by keras_names
    learning_rate: Any = section.learning_rate
    if section.schedule is not None:
        learning_rate = schedule(spec)
    clipping = {
        name: value
        for name in ("clipnorm", "clipvalue", "global_clipnorm")
        if (value := getattr(spec.compile, name)) is not None
    }
    try:
        return optimizer_class(learning_rate=learning_rate, **clipping, **section.args)
    except (TypeError, ValueError) as error:
        raise SpecError.single(f"{section.name}: {error}", "compile.optimizer.args") from None


def schedule(spec: Spec) -> keras.optimizers.schedules.LearningRateSchedule:
    section = spec.compile.optimizer.schedule
    assert section is not None
    base = keras.optimizers.schedules.LearningRateSchedule
    schedule_class = keras_class(keras.optimizers.schedules, section.name, base)
    assert schedule_class is not None  # checked by keras_names
    arguments = dict(section.args)
    if "initial_learning_rate" in inspect.signature(schedule_class).parameters:
        arguments["initial_learning_rate"] = spec.compile.optimizer.learning_rate
    try:
        return schedule_class(**arguments)
    except (TypeError, ValueError) as error:
        raise SpecError.single(
            f"{section.name}: {error}", "compile.optimizer.schedule.args"
        ) from None
