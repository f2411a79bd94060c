"""Validating a spec that uses common Keras names does not import TensorFlow; every
name the catalog lists is one Keras accepts, and names outside it are still asked."""

from __future__ import annotations

import subprocess
import sys

import pytest

from zoo.spec.keras_catalog import KNOWN, PARAMETERS
from zoo.spec.keras_names import CLASS_KINDS, _class_module, catalog, keras_class, parameters


@pytest.mark.parametrize("kind", sorted(KNOWN))
def test_every_listed_name_is_one_keras_accepts(kind: str) -> None:
    assert KNOWN[kind], kind
    if kind in CLASS_KINDS:
        module, base = _class_module(kind)
        assert all(keras_class(module, name, base) is not None for name in KNOWN[kind])
    else:  # catalog() keeps only what Keras's getter accepts
        assert KNOWN[kind] <= set(catalog()[kind])


def test_common_names_are_listed() -> None:
    assert {"tanh", "sigmoid", "softmax", "linear", "relu"} <= KNOWN["activation"]
    assert {"glorot_uniform", "orthogonal", "zeros", "identity"} <= KNOWN["initializer"]
    assert {"mse", "sparse_categorical_crossentropy"} <= KNOWN["loss"]
    assert {"accuracy", "mae"} <= KNOWN["metric"]
    assert {"adam", "sgd", "rmsprop"} <= KNOWN["optimizer"]
    assert "exponentialdecay" in KNOWN["schedule"]


def validate_in_a_fresh_process(spec: str) -> tuple[str, str]:
    code = (
        "import sys, zoo\n"
        f"problems = zoo.validate({spec!r})\n"
        "print([str(p) for p in problems])\n"
        "print('tensorflow' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    problems, imported = result.stdout.splitlines()
    return problems, imported


def test_every_shipped_spec_validates_without_tensorflow() -> None:
    from zoo.catalog import specs_folder

    for path in sorted(specs_folder().glob("*.yaml")):
        assert validate_in_a_fresh_process(str(path)) == ("[]", "False"), path.name


def test_a_name_outside_the_catalog_is_asked_of_keras(tmp_path) -> None:
    from zoo.catalog import specs_folder

    spec = tmp_path / "spec.yaml"
    text = (specs_folder() / "hello.yaml").read_text()
    assert "\nmodel:\n" in text
    spec.write_text(text.replace("\nmodel:\n", "\nmodel:\n  activation: not_an_activation\n"))
    problems, imported = validate_in_a_fresh_process(str(spec))
    assert "Keras has no activation named 'not_an_activation'" in problems
    assert imported == "True"


def test_every_listed_parameter_is_one_keras_takes() -> None:
    """Arguments are checked against the catalog's parameters without Keras; each must
    be a parameter of the class Keras has now, required exactly where Keras requires it."""
    actual = parameters()
    for kind, classes in PARAMETERS.items():
        assert classes, kind
        for name, listed in classes.items():
            assert listed.items() <= actual[kind][name].items(), (kind, name)
