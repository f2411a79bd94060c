"""model.pooling: a many_to_one model's one vector read off all its steps, over the real
ones only: each mode from its equation, padding never counted, and the option's effect
on a built model."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import zoo
from custom_layers import SequencePooling
from tests.helpers import assert_round_trip
from zoo.builder import build_model
from zoo.spec.cost import estimate

RNG = np.random.default_rng(0)
H = RNG.normal(size=(3, 6, 4)).astype("float32") - 2.0  # mostly negative outputs
MASK = np.array([[1, 1, 1, 1, 1, 1], [1, 1, 1, 0, 0, 0], [1, 0, 0, 0, 0, 0]], bool)


def real_steps(b: int) -> np.ndarray:
    return H[b, MASK[b]]


def test_max_is_the_largest_real_output_even_where_padding_would_be_larger() -> None:
    pooled = np.asarray(SequencePooling("max")(H, mask=MASK))
    for b in range(3):
        np.testing.assert_allclose(pooled[b], real_steps(b).max(axis=0), rtol=1e-6)
    assert (pooled < 0).any()  # a zero at a padding step would have won there


def test_mean_is_over_the_real_steps() -> None:
    pooled = np.asarray(SequencePooling("mean")(H, mask=MASK))
    for b in range(3):
        np.testing.assert_allclose(pooled[b], real_steps(b).mean(axis=0), rtol=1e-5)
    np.testing.assert_allclose(SequencePooling("mean")(H), H.mean(axis=1), rtol=1e-5)


def test_attention_is_its_equation_and_gives_padding_no_weight() -> None:
    layer = SequencePooling("attention")
    pooled = np.asarray(layer(H, mask=MASK))
    W, b, v = (np.asarray(w) for w in (layer.W, layer.b, layer.v))
    for i in range(3):
        h = real_steps(i)
        scores = np.tanh(h @ W + b) @ v
        a = np.exp(scores - scores.max())
        a /= a.sum()
        np.testing.assert_allclose(pooled[i], a @ h, rtol=1e-5, atol=1e-6)
    assert [w.path.split("/")[-1] for w in layer.weights] == ["kernel", "bias", "context"]


def test_an_unknown_mode_is_refused() -> None:
    with pytest.raises(ValueError, match="mode must be one of max, mean, attention"):
        SequencePooling("sum")


SPEC = {
    "version": 1,
    "name": "pooled",
    "architecture": "many_to_one",
    "cell": "lstm",
    "inputs": {"length": 8, "vocab_size": 30, "embedding": {"dim": 4, "mask_zero": True}},
    "model": {"units": 5, "bidirectional": True},
    "outputs": {"units": 1, "activation": "sigmoid"},
    "seed": 0,
}


@pytest.mark.parametrize("pooling", ["max", "mean", "attention"])
def test_a_pooled_model_reads_every_real_step_and_round_trips(pooling: str, tmp_path: Path) -> None:
    spec = zoo.load_spec(SPEC, [f"model.pooling={pooling}"])
    model = build_model(spec)
    last = build_model(zoo.load_spec(SPEC))
    tokens = np.array([[3, 4, 5, 6, 0, 0, 0, 0], [7, 8, 9, 10, 11, 12, 0, 0]], "int32")
    # the same weights but the pooling: the answer differs from the last step's
    last.set_weights(
        [w for layer in model.layers if layer.name != "pooling" for w in layer.get_weights()]
    )
    assert not np.allclose(model.predict(tokens, verbose=0), last.predict(tokens, verbose=0))
    # an early step moves the answer, as it may not move a final state
    changed = tokens.copy()
    changed[:, 0] = 20
    assert not np.allclose(model.predict(changed, verbose=0), model.predict(tokens, verbose=0))
    assert sum(np.prod(w.shape) for w in model.weights) == estimate(spec).parameters
    model.train_on_batch(tokens, np.ones((2, 1)))  # Keras saves a built optimizer
    assert_round_trip(model, tokens, tmp_path)


def test_padding_does_not_move_a_pooled_answer() -> None:
    spec = dict(SPEC, inputs={**SPEC["inputs"], "length": None})
    model = build_model(zoo.load_spec(spec, ["model.pooling=max"]))
    short = np.array([[3, 4, 5]], "int32")
    padded = np.array([[3, 4, 5, 0, 0, 0, 0]], "int32")
    np.testing.assert_allclose(model(short), model(padded), rtol=1e-6)


def test_pooling_outside_many_to_one_is_a_located_error() -> None:
    problems = zoo.validate("tagger_bigru", {"model.pooling": "max"})
    assert [(p.path, "answers at every step" in p.message) for p in problems] == [
        ("model.pooling", True)
    ]


def test_last_adds_no_layer() -> None:
    names = [layer.name for layer in build_model(zoo.load_spec(SPEC)).layers]
    assert "pooling" not in names and names[-1] == "head"
