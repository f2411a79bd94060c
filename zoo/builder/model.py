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
