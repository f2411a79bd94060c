"""OneHot: token ids as the unit vectors the teaching texts feed, padding masked."""

from __future__ import annotations

from pathlib import Path

import keras
import numpy as np
import pytest

import custom_layers
from tests.helpers import assert_round_trip


def test_ids_become_unit_vectors_and_padding_the_zero_vector() -> None:
    layer = custom_layers.OneHot(5)
    vectors = np.asarray(layer(np.array([[2, 1, 4, 0]])))
    np.testing.assert_array_equal(vectors[0], [[0, 1, 0, 0], [1, 0, 0, 0], [0, 0, 0, 1], [0] * 4])
    np.testing.assert_array_equal(
        np.asarray(layer.compute_mask(np.array([[2, 1, 4, 0]]))), [[True, True, True, False]]
    )


def test_the_mask_reaches_the_recurrent_layer(tmp_path: Path) -> None:
    tokens = keras.Input((4,), dtype="int32")
    x = custom_layers.OneHot(5)(tokens)
    y = custom_layers.GRU(3)(x)
    model = keras.Model(tokens, y)
    padded = np.array([[2, 3, 0, 0]])
    # padding after the last token changes nothing: the GRU stops at the mask
    short = keras.Model(tokens, y)(np.array([[2, 3, 3, 0]]))
    assert not np.allclose(model(padded), short)
    expected = custom_layers.GRU.from_config(model.layers[-1].get_config())
    expected.build((1, 2, 4))
    expected.set_weights(model.layers[-1].get_weights())
    np.testing.assert_allclose(model(padded), expected(np.eye(4)[[[1, 2]]]), atol=1e-6)
    assert_round_trip(model, padded, tmp_path)


def test_too_small_a_vocabulary_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 2"):
        custom_layers.OneHot(1)
