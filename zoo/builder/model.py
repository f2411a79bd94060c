"""build_model: check Keras names, build the registered architecture, compile."""

from __future__ import annotations

import keras

from zoo.builder.compiling import compile_model
from zoo.data.preprocessing import Preprocessing
from zoo.errors import Problem, SpecError
from zoo.registry import ARCHITECTURES
from zoo.spec.document import dotted
from zoo.spec.keras_names import unknown_names
from zoo.spec.schema import Spec


def build_model(spec: Spec, preprocessing: Preprocessing | None = None) -> keras.Model:
    """A compiled keras.Model; the same spec and seed give the same initial weights.
    ``preprocessing``, fitted on a training split, puts the data's scaling and
    tokenizer inside it, so that the model takes raw inputs."""
    problems = [Problem(message, dotted(path)) for path, message in unknown_names(spec)]
    if problems:
        raise SpecError(problems)
    if spec.seed is not None:
        keras.utils.set_random_seed(spec.seed)
    model = ARCHITECTURES[spec.architecture].load()(spec, preprocessing)
    return compile_model(model, spec)


def every_layer(model: keras.Model) -> list[keras.layers.Layer]:
    """The model's layers, those of a model inside it (a recursive forecaster's one step)
    in its place: what the spec describes layer by layer."""
    found = []
    for layer in model.layers:
        found += every_layer(layer) if isinstance(layer, keras.Model) else [layer]
    return found


def one_step(model: keras.Model) -> keras.Model:
    """A recursive forecaster's one-step model, which its tracing and diagnosis read (the
    model itself where it forecasts directly)."""
    from zoo.builder.names import ONE_STEP

    inner = [layer for layer in model.layers if layer.name == ONE_STEP]
    return inner[0] if inner else model
