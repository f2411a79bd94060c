"""Every spec field has a visible effect on the built model (no silently ignored
options): each case builds a base spec with and without one change and checks a
property that holds only with it. A meta-test makes sure no field is left out."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import keras
import numpy as np
import pytest
from pydantic import BaseModel

import custom_layers
import zoo
from zoo.inference.decoding import seq2seq_inference
from zoo.spec.schema import Spec, section_in

SEQUENCE = {
    "version": 1,
    "name": "base",
    "architecture": "many_to_one",
    "cell": "lstm",
    "inputs": {"length": 6, "features": 3},
    "model": {"units": 8},
    "outputs": {"units": 1},
}
TOKENS = {**SEQUENCE, "inputs": {"length": 6, "vocab_size": 20, "embedding": {"dim": 4}}}
SEQ2SEQ = {
    **TOKENS,
    "architecture": "seq2seq",
    "outputs": {"length": 5, "vocab_size": 9, "embedding": {"dim": 4}},
}
VECTOR = {
    **SEQUENCE,
    "architecture": "one_to_many",
    "inputs": {"features": 3},
    "outputs": {"units": 2, "length": 4},
}
DENSE = {**SEQUENCE, "architecture": "one_to_one", "cell": None, "inputs": {"features": 3}}


def recurrent(model: keras.Model) -> list[keras.layers.Layer]:
    """The recurrent layers, Bidirectional wrappers unwrapped to their forward layer."""
    found = []
    for layer in model.layers:
        inner = getattr(layer, "forward_layer", layer)
        if isinstance(inner, keras.layers.RNN):
            found.append(inner)
    return found


def cell(model: keras.Model) -> Any:
    return recurrent(model)[0].cell


def layer_types(model: keras.Model) -> set[type]:
    return {type(layer) for layer in model.layers}


def weights(model: keras.Model, name: str) -> np.ndarray:
    return np.asarray(getattr(cell(model), name))


def optimizer(model: keras.Model) -> keras.optimizers.Optimizer:
    return model.optimizer


Check = Callable[[keras.Model], bool]
# (field path, base spec, changes that set it, a property only the changed model has)
CASES: list[tuple[str, dict, dict, Check]] = [
    ("name", SEQUENCE, {"name": "other"}, lambda m: m.name == "other"),
    (
        "architecture",
        SEQUENCE,
        {"architecture": "many_to_many"},
        lambda m: len(m.output_shape) == 3,
    ),
    ("cell", SEQUENCE, {"cell": "gru"}, lambda m: isinstance(recurrent(m)[0], custom_layers.GRU)),
    (
        "implementation",
        SEQUENCE,
        {"implementation": "keras"},
        lambda m: type(recurrent(m)[0]) is keras.layers.LSTM,
    ),
    (
        "seed",
        SEQUENCE,
        {"seed": 1},
        lambda m: not np.array_equal(weights(m, "kernel"), weights(zoo.build(SEQUENCE), "kernel")),
    ),
    ("inputs.length", SEQUENCE, {"inputs.length": 9}, lambda m: m.input_shape[1] == 9),
    ("inputs.features", SEQUENCE, {"inputs.features": 5}, lambda m: m.input_shape[-1] == 5),
    (
        "inputs.vocab_size",
        TOKENS,
        {"inputs.vocab_size": 30},
        lambda m: m.get_layer("inputs_embedding").input_dim == 30,
    ),
    (
        "inputs.encoding",
        TOKENS,
        {"inputs.encoding": "one_hot", "inputs.embedding": None},
        lambda m: any(isinstance(layer, custom_layers.OneHot) for layer in m.layers),
    ),
    (
        "inputs.embedding.dim",
        TOKENS,
        {"inputs.embedding.dim": 7},
        lambda m: m.get_layer("inputs_embedding").output_dim == 7,
    ),
    (
        "inputs.embedding.mask_zero",
        TOKENS,
        {"inputs.embedding.mask_zero": True},
        lambda m: m.get_layer("inputs_embedding").mask_zero,
    ),
    (
        "train.truncate",
        SEQUENCE,
        {"train.truncate": 3},
        lambda m: recurrent(m)[0].truncate == 3,
    ),
    ("model.units", SEQUENCE, {"model.units": 16}, lambda m: recurrent(m)[0].units == 16),
    ("model.layers", SEQUENCE, {"model.layers": 3}, lambda m: len(recurrent(m)) == 3),
    (
        "model.bidirectional",
        SEQUENCE,
        {"model.bidirectional": True},
        lambda m: keras.layers.Bidirectional in layer_types(m),
    ),
    (
        "model.merge_mode",
        {**SEQUENCE, "model": {"units": 8, "bidirectional": True}},
        {"model.merge_mode": "sum"},
        lambda m: m.layers[1].merge_mode == "sum",
    ),
    (
        "model.activation",
        SEQUENCE,
        {"model.activation": "relu"},
        lambda m: cell(m).activation is keras.activations.relu,
    ),
    (
        "model.recurrent_activation",
        SEQUENCE,
        {"model.recurrent_activation": "hard_sigmoid"},
        lambda m: cell(m).recurrent_activation is keras.activations.hard_sigmoid,
    ),
    ("model.use_bias", SEQUENCE, {"model.use_bias": False}, lambda m: cell(m).bias is None),
    (
        "model.kernel_initializer",
        SEQUENCE,
        {"model.kernel_initializer": "zeros"},
        lambda m: not weights(m, "kernel").any(),
    ),
    (
        "model.recurrent_initializer",
        SEQUENCE,
        {"model.recurrent_initializer": "zeros"},
        lambda m: not weights(m, "recurrent_kernel").any(),
    ),
    (
        "model.bias_initializer",
        SEQUENCE,
        {"model.bias_initializer": "ones"},
        lambda m: weights(m, "bias").all(),
    ),
    (
        "model.unit_forget_bias",
        SEQUENCE,
        {"model.unit_forget_bias": False},
        lambda m: not weights(m, "bias").any(),
    ),
    (
        "model.reset_after",
        {**SEQUENCE, "cell": "gru"},
        {"model.reset_after": False},
        lambda m: weights(m, "bias").shape == (24,),
    ),
    ("model.dropout", SEQUENCE, {"model.dropout": 0.5}, lambda m: cell(m).dropout == 0.5),
    (
        "model.recurrent_dropout",
        SEQUENCE,
        {"model.recurrent_dropout": 0.25},
        lambda m: cell(m).recurrent_dropout == 0.25,
    ),
    ("model.unroll", SEQUENCE, {"model.unroll": True}, lambda m: recurrent(m)[0].unroll),
    (
        "model.residual",
        {**SEQUENCE, "model": {"units": 8, "layers": 3}},
        {"model.residual": True},
        lambda m: keras.layers.Add in layer_types(m),
    ),
    (
        "model.layer_norm",
        SEQUENCE,
        {"model.layer_norm": True},
        lambda m: keras.layers.LayerNormalization in layer_types(m),
    ),
    (
        "model.pooling",
        SEQUENCE,
        {"model.pooling": "attention"},
        lambda m: custom_layers.SequencePooling in layer_types(m),
    ),
    (
        "model.highway",
        SEQUENCE,
        {"model.highway": 3},
        lambda m: any(layer.name == "highway" for layer in m.layers),
    ),
    (
        "model.attention",
        SEQ2SEQ,
        {"model.attention": "bahdanau"},
        lambda m: keras.layers.AdditiveAttention in layer_types(m),
    ),
    (
        "data.forecast",  # the one data field that shapes the model: tested here too
        {
            **SEQUENCE,
            "inputs": {"length": 6, "features": 1},
            "outputs": {"units": 3},
            "data": {"source": "sine", "args": {"window": 6, "horizon": 3}},
        },
        {"data.forecast": "recursive"},
        lambda m: any(layer.name == "one_step" for layer in m.layers) and m.output_shape[-1] == 3,
    ),
    ("outputs.units", SEQUENCE, {"outputs.units": 4}, lambda m: m.output_shape[-1] == 4),
    (
        "outputs.activation",
        SEQUENCE,
        {"outputs.activation": "sigmoid"},
        lambda m: m.get_layer("head").activation is keras.activations.sigmoid,
    ),
    ("outputs.length", VECTOR, {"outputs.length": 7}, lambda m: m.output_shape[1] == 7),
    ("outputs.vocab_size", SEQ2SEQ, {"outputs.vocab_size": 12}, lambda m: m.output_shape[-1] == 12),
    (
        "outputs.embedding.dim",
        SEQ2SEQ,
        {"outputs.embedding.dim": 6},
        lambda m: m.get_layer("decoder_embedding").output_dim == 6,
    ),
    (
        "outputs.embedding.mask_zero",
        SEQ2SEQ,
        {"outputs.embedding.mask_zero": True},
        lambda m: m.get_layer("decoder_embedding").mask_zero,
    ),
    (
        "compile.optimizer.name",
        SEQUENCE,
        {"compile.optimizer.name": "sgd"},
        lambda m: isinstance(optimizer(m), keras.optimizers.SGD),
    ),
    (
        "compile.optimizer.learning_rate",
        SEQUENCE,
        {"compile.optimizer.learning_rate": 0.5},
        lambda m: np.isclose(float(optimizer(m).learning_rate), 0.5),
    ),
    (
        "compile.optimizer.schedule.name",
        SEQUENCE,
        {
            "compile.optimizer.schedule": {
                "name": "ExponentialDecay",
                "args": {"decay_steps": 10, "decay_rate": 0.5},
            }
        },
        lambda m: isinstance(
            optimizer(m)._learning_rate, keras.optimizers.schedules.ExponentialDecay
        ),
    ),
    (
        "compile.optimizer.schedule.args",
        SEQUENCE,
        {"compile.optimizer.schedule": {"name": "CosineDecay", "args": {"decay_steps": 77}}},
        lambda m: getattr(optimizer(m)._learning_rate, "decay_steps", None) == 77,
    ),
    (
        "compile.optimizer.args",
        SEQUENCE,
        {"compile.optimizer.args": {"beta_1": 0.5}},
        lambda m: optimizer(m).beta_1 == 0.5,
    ),
    ("compile.loss", SEQUENCE, {"compile.loss": "mae"}, lambda m: m.loss.name == "mae"),
    (
        "compile.loss.name",
        SEQUENCE,
        {"compile.loss": {"name": "quantile"}},
        lambda m: isinstance(m.loss, custom_layers.Pinball),
    ),
    (
        "compile.loss.quantiles",
        {**SEQUENCE, "compile": {"loss": {"name": "quantile"}}},
        {"compile.loss.quantiles": [0.25, 0.5, 0.75, 0.9]},
        lambda m: m.output_shape == (None, 4, 1),
    ),
    (
        "compile.metrics",
        SEQUENCE,
        {"compile.metrics": ["mae"]},
        lambda m: m.get_compile_config()["weighted_metrics"] == ["mae"],
    ),
    ("compile.clipnorm", SEQUENCE, {"compile.clipnorm": 1.0}, lambda m: optimizer(m).clipnorm == 1),
    (
        "compile.clipvalue",
        SEQUENCE,
        {"compile.clipvalue": 0.5},
        lambda m: optimizer(m).clipvalue == 0.5,
    ),
    (
        "compile.global_clipnorm",
        SEQUENCE,
        {"compile.global_clipnorm": 2.0},
        lambda m: optimizer(m).global_clipnorm == 2,
    ),
]

# Fields that describe the spec rather than the model, and the sections that later
# commands read (train, data, tune); each is tested where it is used.
NOT_MODEL_FIELDS = {"version", "description", "train", "data", "tune"}


@pytest.mark.parametrize(("field", "base", "change", "check"), CASES, ids=[c[0] for c in CASES])
def test_field_changes_the_model(field: str, base: dict, change: dict, check: Check) -> None:
    assert not check(zoo.build(base)), "the property already holds without the change"
    assert check(zoo.build(base, change))


def _leaf_fields(model: type[BaseModel], prefix: str = "") -> set[str]:
    leaves = set()
    for name, field in model.model_fields.items():
        path = f"{prefix}{name}"
        section = section_in(field.annotation)
        if section is not None and path not in NOT_MODEL_FIELDS:
            leaves |= _leaf_fields(section, f"{path}.")
        else:
            leaves.add(path)
    return leaves


def test_every_field_has_an_effect_case() -> None:
    covered = {case[0] for case in CASES} | NOT_MODEL_FIELDS
    assert _leaf_fields(Spec) - covered == set()


def test_default_loss_follows_the_head() -> None:
    assert zoo.build(SEQUENCE).loss.name == "mse"
    assert zoo.build(SEQUENCE, {"outputs.activation": "sigmoid"}).loss.name == "binary_crossentropy"
    assert zoo.build(SEQ2SEQ).loss.name == "sparse_categorical_crossentropy"


def test_luong_attention_and_seq2seq_inference_models() -> None:
    overrides = {"model.attention": "luong", "model.layers": 2}
    model = zoo.build(SEQ2SEQ, overrides)
    assert keras.layers.Attention in layer_types(model)
    inference = seq2seq_inference(model, zoo.load_spec(SEQ2SEQ, overrides))
    rng = np.random.default_rng(0)
    source, target = rng.integers(1, 20, (2, 6)), rng.integers(1, 9, (2, 5))
    teacher_forced = np.asarray(model.predict_on_batch([source, target]))
    encoded = inference.encoder.predict_on_batch(source)
    n_states = sum(len(s) for s in inference.state_shapes)
    context, states = encoded[: len(encoded) - n_states], encoded[len(encoded) - n_states :]
    for t in range(5):  # feeding the true tokens one at a time reproduces teacher forcing
        outputs = inference.decoder_step.predict_on_batch([target[:, t : t + 1], *context, *states])
        np.testing.assert_allclose(outputs[0][:, 0], teacher_forced[:, t], atol=1e-5)
        states = list(outputs[1:])


def test_dense_baseline_uses_model_options() -> None:
    model = zoo.build(
        DENSE,
        {
            "model.units": [6, 6],
            "model.residual": True,
            "model.layer_norm": True,
            "model.dropout": 0.5,
        },
    )
    dense = [layer for layer in model.layers if type(layer) is keras.layers.Dense]
    assert [layer.units for layer in dense] == [6, 6, 1]
    assert {keras.layers.Add, keras.layers.LayerNormalization} <= layer_types(model)
    assert all(d.rate == 0.5 for d in model.layers if isinstance(d, keras.layers.Dropout))


def test_same_seed_same_weights() -> None:
    for a, b in zip(
        zoo.build(SEQUENCE).get_weights(), zoo.build(SEQUENCE).get_weights(), strict=True
    ):
        np.testing.assert_array_equal(a, b)


def test_keras_implementation_loads_custom_weights() -> None:
    ours, theirs = zoo.build(SEQUENCE), zoo.build(SEQUENCE, {"implementation": "keras"})
    theirs.set_weights(ours.get_weights())
    x = np.random.default_rng(0).normal(size=(2, 6, 3)).astype("float32")
    np.testing.assert_allclose(theirs.predict_on_batch(x), ours.predict_on_batch(x), atol=1e-5)
