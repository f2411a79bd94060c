"""A Keras model zoo for recurrent networks, driven by declarative YAML specs.

    import zoo
    spec = zoo.load_spec("specs/hello.yaml", overrides={"model.units": 32})
    model = zoo.build(spec)            # a compiled keras.Model
    problems = zoo.validate("specs/hello.yaml")

Importing ``zoo`` does not import TensorFlow; building a model does.
"""

from zoo.api import build, load_spec, validate
from zoo.errors import Problem, SpecError
from zoo.saving import load_model, read_spec, save_model
from zoo.spec import Spec, to_yaml

__all__ = [
    "Problem",
    "Spec",
    "SpecError",
    "build",
    "load_model",
    "load_spec",
    "read_spec",
    "save_model",
    "to_yaml",
    "validate",
]
