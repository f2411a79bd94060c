"""Keras's private ``keras.src`` is used in one module, custom_layers._keras_internals,
and only the pieces it names: a Keras upgrade that moves one fails there first."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import pytest

from custom_layers import _keras_internals

ROOT = Path(__file__).resolve().parents[2]
SCANNED = ("custom_layers", "zoo", "examples", "benchmarks")
INTERNALS = ROOT / "custom_layers" / "_keras_internals.py"

# What the project takes from keras.src; a new use is added here on purpose.
USED = ["DropoutRNNCell", "rnn"]


def private_keras_uses(source: str) -> list[int]:
    """The lines of ``source`` that import from keras.src or reach into keras.src."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules = [node.module]
            if node.module == "keras":
                modules += [f"keras.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Attribute) and node.attr == "src":
            value = node.value
            modules = ["keras.src"] if isinstance(value, ast.Name) and value.id == "keras" else []
        else:
            continue
        if any(m == "keras.src" or m.startswith("keras.src.") for m in modules):
            lines.append(node.lineno)
    return lines


def test_the_scan_finds_each_way_of_reaching_keras_src() -> None:
    source = (
        "import keras.src.backend\n"
        "from keras.src.layers import RNN\n"
        "from keras import src\n"
        "x = keras.src.ops\n"
        "import keras\n"
        "from keras import ops\n"
        "# keras.src in a comment\n"
        "y = 'keras.src in a string'\n"
    )
    assert private_keras_uses(source) == [1, 2, 3, 4]


def test_keras_src_is_used_in_one_module_only() -> None:
    files = [path for folder in SCANNED for path in sorted((ROOT / folder).rglob("*.py"))]
    assert INTERNALS in files
    found = {
        str(path.relative_to(ROOT)): lines
        for path in files
        if path != INTERNALS and (lines := private_keras_uses(path.read_text(encoding="utf-8")))
    }
    assert found == {}, "import keras.src only in custom_layers/_keras_internals.py"
    assert private_keras_uses(INTERNALS.read_text(encoding="utf-8"))


def test_the_module_names_exactly_what_is_used() -> None:
    public = sorted(name for name in vars(_keras_internals) if not name.startswith("_"))
    assert public == sorted(_keras_internals.__all__) == sorted(USED)


@pytest.mark.parametrize("name", USED)
def test_each_name_resolves_to_keras_own(name: str) -> None:
    used = getattr(_keras_internals, name)
    assert used.__module__.startswith("keras.src."), used.__module__


def test_the_dropout_mixin_has_what_the_cells_call() -> None:
    mixin = _keras_internals.DropoutRNNCell
    assert inspect.isclass(mixin)
    for method in ("get_dropout_mask", "get_recurrent_dropout_mask"):
        assert callable(getattr(mixin, method)), method


def test_the_loop_takes_what_the_truncated_layer_passes() -> None:
    parameters = inspect.signature(_keras_internals.rnn).parameters
    passed = (
        "go_backwards",
        "mask",
        "unroll",
        "input_length",
        "zero_output_for_mask",
        "return_all_outputs",
    )
    assert set(passed) <= set(parameters)
