"""The state sampler wires the trained layers as the model's stack does (one function,
zoo.builder.stack.between_layers, serves both): with residual adds and layer norms
between two layers, each sampled step, in Python and as the exported step model, is
the full forward pass at that position."""

from __future__ import annotations

import numpy as np
import pytest

import zoo
from zoo.inference.sampling import StateSampler

LM = {
    "version": 1,
    "name": "lm",
    "seed": 5,
    "architecture": "language_model",
    "cell": "lstm",
    "inputs": {"length": 6, "vocab_size": 9, "embedding": {"dim": 5}},
    "model": {"units": 5, "layers": 2, "residual": True, "layer_norm": True},
}


@pytest.fixture(scope="module")
def lm() -> tuple:
    model = zoo.build(LM)
    tokens = np.random.default_rng(1).integers(1, 9, (4, 6)).astype("int32")
    return model, StateSampler(model, zoo.load_spec(LM)), tokens, model.predict_on_batch(tokens)


def test_each_step_equals_the_full_forward_pass(lm: tuple) -> None:
    model, sampler, tokens, full = lm
    assert {"rnn_2_residual", "rnn_1_norm", "rnn_2_norm"} <= {layer.name for layer in model.layers}
    states = sampler.initial_states(len(tokens))
    for t in range(tokens.shape[1]):
        probabilities, states = sampler.step(tokens[:, t], states)
        np.testing.assert_allclose(np.asarray(probabilities), full[:, t], atol=1e-5)


def test_the_step_model_equals_the_full_forward_pass(lm: tuple) -> None:
    _, sampler, tokens, full = lm
    step = sampler.step_model()
    states = [np.asarray(s) for layer in sampler.initial_states(len(tokens)) for s in layer]
    for t in range(tokens.shape[1]):
        probabilities, *states = step.predict_on_batch([tokens[:, t], *states])
        np.testing.assert_allclose(np.asarray(probabilities), full[:, t], atol=1e-5)
