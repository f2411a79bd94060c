"""``train.distribute: multi_worker``: data-parallel training across machines on
TensorFlow's MultiWorkerMirroredStrategy, through a training loop of the zoo's own
(Keras 3's ``fit`` does not run under that strategy: keras-team/keras#20585). Every
other configuration trains with ``fit``.

Every worker builds the global batches a single process would build (the same
permutation per epoch) and takes its own slice of each. The slices' gradients are
summed across the workers, so a step's gradient is the global batch's; it is clipped
as one process clips it, then applied. A run on N workers therefore gives the losses of
a one-process run at the same ``train.batch_size``, to float rounding (for a loss that
averages over examples; a masked loss is averaged per slice, as Keras's own
distributed training does). Metrics are Keras's own: their totals and counts are summed
across the workers when read, so the validation metrics are the whole split's.

The callbacks are those ``fit`` would get (the run recorder, the divergence guard, the
gradient-norm logger, early stopping, TensorBoard), called as ``fit`` calls them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import keras
import numpy as np
import tensorflow as tf

from zoo.data import Dataset
from zoo.errors import UserError
from zoo.training import pipeline
from zoo.training.cluster import Cluster, check_port_free

SUM = tf.distribute.ReduceOp.SUM


def shard(count: int, workers: int, task: int) -> slice | None:
    """This worker's part of a batch of ``count`` examples; None for a batch too small
    to give every worker one (the same verdict on every worker: they skip it together)."""
    size = -(-count // workers)
    if (workers - 1) * size >= count:
        return None
    return slice(task * size, min(count, (task + 1) * size))


def _take(structure: Any, part: slice) -> Any:
    return tf.nest.map_structure(lambda a: a[part], structure)


def _weights(weights: list, part: slice) -> Any:
    """A batch's sample weights (the pipeline yields them where padding is not scored),
    this worker's part; None without."""
    return _take(weights[0], part) if weights else None


@contextmanager
def _clipped_already(optimizer: keras.optimizers.Optimizer) -> Iterator[None]:
    """``optimizer.apply`` clips what it is given; the loop gives it a gradient it has
    clipped already (the global one, as a single process clips it)."""
    own = optimizer.__dict__.get("_clip_gradients")  # the gradient-norm probe, if any
    optimizer._clip_gradients = lambda gradients: gradients
    try:
        yield
    finally:
        if own is None:
            del optimizer._clip_gradients
        else:
            optimizer._clip_gradients = own


class Steps:
    """The compiled training and evaluation steps of one model under ``strategy``."""

    def __init__(self, model: keras.Model, strategy: tf.distribute.Strategy) -> None:
        self.model, self.strategy = model, strategy
        self.workers = strategy.num_replicas_in_sync
        self.train = tf.function(self._train, reduce_retracing=True)
        self.evaluate = tf.function(self._evaluate, reduce_retracing=True)

    def _mean_loss(self, x: Any, y: Any, y_pred: Any, weights: Any, training: bool) -> Any:
        # Keras scales a replica's loss by 1 / replicas for its own distributed fit
        loss = self.model.compute_loss(
            x=x, y=y, y_pred=y_pred, sample_weight=weights, training=training
        )
        return loss * float(self.workers)

    def _train(self, x: Any, y: Any, weights: Any, count: Any) -> Any:
        model, optimizer = self.model, self.model.optimizer

        def replica(x: Any, y: Any, weights: Any) -> Any:
            context = tf.distribute.get_replica_context()
            local = tf.cast(tf.shape(y)[0], "float32")
            with tf.GradientTape() as tape:
                y_pred = model(x, training=True)
                mean = self._mean_loss(x, y, y_pred, weights, training=True)
                share = mean * local / count  # summed over workers: the global batch's mean
            variables = model.trainable_variables
            gradients = context.all_reduce(SUM, tape.gradient(share, variables))
            clipped = optimizer._clip_gradients(gradients)  # the probe measures both norms
            with _clipped_already(optimizer):  # apply sums its gradients over the workers
                optimizer.apply([g / float(self.workers) for g in clipped], variables)
            model._loss_tracker.update_state(mean, sample_weight=local)  # Keras's "loss"
            model.compute_metrics(x, y, y_pred, sample_weight=weights)
            return context.all_reduce(SUM, share)

        return self.strategy.run(replica, args=(x, y, weights))

    def _evaluate(self, x: Any, y: Any, weights: Any) -> None:
        model = self.model

        def replica(x: Any, y: Any, weights: Any) -> None:
            y_pred = model(x, training=False)
            local = tf.cast(tf.shape(y)[0], "float32")
            model._loss_tracker.update_state(
                self._mean_loss(x, y, y_pred, weights, training=False), sample_weight=local
            )
            model.compute_metrics(x, y, y_pred, sample_weight=weights)

        self.strategy.run(replica, args=(x, y, weights))


def metrics(model: keras.Model) -> dict[str, float]:
    """The metrics so far, summed over the workers (every worker must read them)."""
    return {name: float(value) for name, value in model.get_metrics_result().items()}


def evaluate(steps: Steps, dataset: Dataset, batch_size: int, task: int) -> dict[str, float]:
    """The metrics over the whole split: each worker its slice of every batch."""
    steps.model.reset_metrics()
    for x, y, *weights in pipeline.evaluation_pipeline(dataset, batch_size):
        part = shard(int(tf.shape(y)[0]), steps.workers, task)
        if part is not None:
            steps.evaluate(_take(x, part), _take(y, part), _weights(weights, part))
    return metrics(steps.model)


def fit(
    model: keras.Model,
    spec: Any,
    splits: Any,
    callbacks: list,
    verbose: int,
    initial_epoch: int,
    epochs: int,
    seed: int,
    strategy: tf.distribute.Strategy,
    task: int,
) -> keras.callbacks.History:
    """``model.fit``'s work for this strategy: epochs ``initial_epoch .. epochs-1`` of the
    training split, validated after each, the callbacks called as ``fit`` calls them."""
    settings = spec.train
    batch_size, cap = settings.batch_size, settings.steps_per_epoch
    steps = Steps(model, strategy)
    per_epoch = pipeline.batches_per_epoch(splits.train, batch_size, cap)
    data = pipeline.training_pipeline(splits.train, batch_size, epochs, initial_epoch, seed, cap)
    history = keras.callbacks.History()
    listed = keras.callbacks.CallbackList(
        [*callbacks, history],
        add_progbar=verbose != 0,
        model=model,
        verbose=verbose,
        epochs=epochs,
        steps=per_epoch,
    )
    model.stop_training = False
    listed.on_train_begin()
    batches = iter(data)
    for epoch in range(initial_epoch, epochs):
        model.reset_metrics()
        listed.on_epoch_begin(epoch)
        for batch in range(per_epoch):
            x, y, *weights = next(batches)
            count = int(tf.shape(y)[0])
            part = shard(count, steps.workers, task)
            if part is None:
                continue
            listed.on_train_batch_begin(batch)
            steps.train(
                _take(x, part), _take(y, part), _weights(weights, part), tf.constant(float(count))
            )
            listed.on_train_batch_end(batch, metrics(model))
            if model.stop_training:
                break
        logs = metrics(model)
        if splits.validation is not None and not model.stop_training:
            validated = evaluate(steps, splits.validation, batch_size, task)
            logs |= {f"val_{name}": value for name, value in validated.items()}
        listed.on_epoch_end(epoch, logs)
        if model.stop_training:
            break
    listed.on_train_end()
    return history


def chief_text(strategy: tf.distribute.Strategy, text: str, is_chief: bool) -> str:
    """The chief's ``text`` on every worker (the others pass anything): its run state,
    its spec to check theirs against."""
    data = np.frombuffer(text.encode(), dtype="uint8").astype("int32")
    length = int(_chief_ids(strategy, np.array([len(data)], "int32"), is_chief)[0])
    sent = data if is_chief else np.zeros(length, "int32")
    return bytes(_chief_ids(strategy, sent, is_chief).astype("uint8")).decode()


def copy_from_chief(strategy: tf.distribute.Strategy, model: keras.Model, is_chief: bool) -> None:
    """Every worker's weights and optimizer state set to the chief's: a resumed run
    continues from the model the chief saved, wherever the others start from."""
    held = [*model.variables, *model.optimizer.variables]
    sent = [tf.constant(v.numpy() if is_chief else np.zeros(v.shape, v.dtype)) for v in held]

    @tf.function
    def summed() -> Any:
        def replica() -> Any:
            context = tf.distribute.get_replica_context()
            return [context.all_reduce(SUM, tensor) for tensor in sent]  # one dtype each

        return strategy.run(replica)

    for variable, value in zip(held, summed(), strict=True):
        variable.assign(strategy.experimental_local_results(value)[0])


_ID_FUNCTIONS: dict[int, Any] = {}  # one compiled transfer per strategy, any length


def _chief_ids(strategy: tf.distribute.Strategy, ids: np.ndarray, is_chief: bool) -> np.ndarray:
    """``ids`` (int32) as the chief has them: summed over the workers, the others giving
    zeros of the same length."""
    if id(strategy) not in _ID_FUNCTIONS:

        @tf.function(input_signature=[tf.TensorSpec([None], tf.int32)])
        def summed(sent: Any) -> Any:
            def replica(sent: Any) -> Any:
                # placed on this replica's device: a function input has none
                return tf.distribute.get_replica_context().all_reduce(SUM, tf.identity(sent))

            return strategy.run(replica, args=(sent,))

        _ID_FUNCTIONS[id(strategy)] = summed
    sent = ids if is_chief else np.zeros_like(ids)
    result = _ID_FUNCTIONS[id(strategy)](tf.constant(sent))
    return np.asarray(strategy.experimental_local_results(result)[0])


@dataclass
class Team:
    """The workers training one model together, as this process sees them."""

    cluster: Cluster
    strategy: tf.distribute.Strategy

    @classmethod
    def start(cls, cluster: Cluster, strategy_class: type) -> Team:
        """Join the cluster: TensorFlow waits here until every worker has started."""
        check_port_free(cluster)
        return cls(cluster, strategy_class())

    def join(self, model: keras.Model, spec_text: str, state_text: str, saved: Any) -> str:
        """Check this worker trains the chief's spec, give every worker the chief's model
        (``saved``, the chief's last.keras when it resumes) and return the chief's run
        state (``state_text`` as the chief passes it)."""
        is_chief = self.cluster.is_chief
        if chief_text(self.strategy, spec_text, is_chief) != spec_text:
            raise UserError(
                f"worker {self.cluster.index}: its spec is not the chief's; start every "
                "worker with the same spec and the same --set"
            )
        optimizer = model.optimizer
        if not optimizer.built:
            with self.strategy.scope():  # the slots exist on every worker, in one order
                optimizer.build(model.trainable_variables)
        if saved is not None:
            model.set_weights(saved.get_weights())
            for variable, value in zip(optimizer.variables, saved.optimizer.variables, strict=True):
                variable.assign(value)
        copy_from_chief(self.strategy, model, is_chief)
        return chief_text(self.strategy, state_text, is_chief)
