"""tf.data pipelines whose every epoch is reproducible on its own.

Epoch e is shuffled by a permutation drawn from ``seed + e``, so a run resumed at
epoch k sees exactly the batches an uninterrupted run would have seen.
"""

from __future__ import annotations

import math

import numpy as np
import tensorflow as tf

from zoo.data import Dataset


def batches_per_epoch(dataset: Dataset, batch_size: int, cap: int | None) -> int:
    full = math.ceil(len(dataset) / batch_size)
    return min(full, cap) if cap else full


def training_pipeline(
    dataset: Dataset, batch_size: int, epochs: int, first_epoch: int, seed: int, cap: int | None
) -> tf.data.Dataset:
    """Epochs ``first_epoch .. epochs-1`` back to back, each its own permutation."""
    n = len(dataset)
    orders = np.stack(
        [np.random.default_rng(seed + epoch).permutation(n) for epoch in range(first_epoch, epochs)]
    )
    steps = batches_per_epoch(dataset, batch_size, cap)
    arrays = _tensors(dataset)

    def one_epoch(order: tf.Tensor) -> tf.data.Dataset:
        return tf.data.Dataset.from_tensor_slices(order).batch(batch_size).take(steps)

    def gather(index: tf.Tensor):
        return tf.nest.map_structure(lambda a: tf.gather(a, index), arrays)

    return (
        tf.data.Dataset.from_tensor_slices(orders)
        .flat_map(one_epoch)
        .map(gather, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
        .prefetch(tf.data.AUTOTUNE)
    )


def evaluation_pipeline(dataset: Dataset, batch_size: int) -> tf.data.Dataset:
    return (
        tf.data.Dataset.from_tensor_slices(_tensors(dataset))
        .batch(batch_size)
        .prefetch(tf.data.AUTOTUNE)
    )


def _tensors(dataset: Dataset) -> tuple:
    """(x, y), or (x, y, sample weights) where some outputs are not scored (padding):
    Keras then leaves them out of the loss and of every metric."""
    x = tuple(dataset.x) if isinstance(dataset.x, list) else dataset.x
    arrays = (tf.nest.map_structure(tf.constant, x), tf.constant(dataset.y))
    if dataset.weights is None:
        return arrays
    return (*arrays, tf.constant(dataset.weights))
