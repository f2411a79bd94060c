"""The compile section: optimizer (with schedule and gradient clipping), loss, metrics.

Names were checked by ``keras_names`` before building; argument errors of the
optimizer or schedule become SpecErrors at the key that holds the arguments.
"""

from __future__ import annotations

import inspect
from typing import Any

import keras

from zoo.errors import SpecError
from zoo.spec.derived import loss_name
from zoo.spec.keras_names import keras_class
from zoo.spec.schema import Spec


def compile_model(model: keras.Model, spec: Spec) -> keras.Model:
    model.compile(
        optimizer=optimizer(spec), loss=loss_name(spec), metrics=list(spec.compile.metrics)
    )
    return model


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
