"""A model's layer names are defined once, in zoo.builder.names: every layer the
builder makes is named from there, and no module finds a layer by spelling its name."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import zoo
from zoo.builder import names
from zoo.builder.names import (
    DECODER,
    DENSE,
    ENCODER,
    INPUTS,
    RNN,
    dropout_name,
    embedding_name,
    layer_name,
    norm_name,
    one_hot_name,
    residual_name,
)

ROOT = Path(__file__).resolve().parents[2]


def builder_names(depth: int) -> set[str]:
    """Every name zoo.builder.names makes, for stacks up to ``depth`` layers."""
    constants = {v for k, v in vars(names).items() if k.isupper() and isinstance(v, str)}
    stacks = {layer_name(p, i) for p in (RNN, ENCODER, DECODER, DENSE) for i in range(depth)}
    around = {f(s) for s in stacks for f in (norm_name, residual_name, dropout_name)}
    inputs = {embedding_name(INPUTS), one_hot_name(INPUTS)}
    return constants | stacks | around | inputs


@pytest.mark.parametrize(
    ("spec", "overrides"),
    [
        ("deep_lstm", {"model.units": 4}),  # residual adds and layer norms
        ("sentiment_bilstm", {"inputs.vocab_size": 30, "model.units": 4}),  # embedding
        ("generator_gru", {"model.units": 4}),  # repeat
        ("seq2seq_reversal", {"model.units": 4}),  # encoder, decoder, attention
        ("dense_baseline", {"model.units": [4, 4], "model.residual": True}),
    ],
)
def test_every_layer_the_builder_makes_is_named_from_one_place(spec, overrides: dict) -> None:
    model = zoo.build(spec, overrides)
    made = {layer.name for layer in model.layers}
    assert made <= builder_names(depth=4), made - builder_names(depth=4)


def spelled_layer_reads(source: str) -> list[int]:
    """Lines of ``source`` that call ``get_layer`` with a string literal or f-string."""
    return [
        node.lineno
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "get_layer"
        and node.args
        and (
            isinstance(node.args[0], ast.JoinedStr)
            or (isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str))
        )
    ]


def test_the_scan_finds_spelled_names() -> None:
    source = 'm.get_layer("head")\nm.get_layer(f"rnn_{i}")\nm.get_layer(HEAD)\nget_layer(x)\n'
    assert spelled_layer_reads(source) == [1, 2]


def test_no_module_spells_a_layer_name_to_find_it() -> None:
    found = {
        str(path.relative_to(ROOT))
        for folder in ("zoo", "custom_layers", "examples", "benchmarks")
        for path in (ROOT / folder).rglob("*.py")
        if spelled_layer_reads(path.read_text(encoding="utf-8"))
    }
    assert found == set(), "find layers by the names in zoo.builder.names"
