"""A forecast with its band: the head forecasts quantiles, trained by the pinball loss.

For a quantile q in (0, 1) and the error e = y - y_q of its forecast y_q,

    pinball_q(e) = max(q * e, (q - 1) * e)

is smallest, in expectation, where y_q is the q-quantile of y's distribution: an
under-forecast costs q per unit, an over-forecast 1 - q. Averaged over the quantiles
[0.1, 0.5, 0.9], the forecasts of 0.1 and 0.9 bound an 80 % interval and that of 0.5 is
the median, the point forecast (pinball_0.5 is half the absolute error).

A quantile forecaster's output is (batch, quantiles, outputs): each quantile's forecast
of every output, laid out as a point forecaster's. Its metrics (mse, mae, ...) score
the median's forecast, ``AtQuantile``, so they read as a point forecaster's would.
"""

from __future__ import annotations

from typing import Any

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="custom_layers")
class Pinball(keras.losses.Loss):
    """y_true (batch, outputs), y_pred (batch, quantiles, outputs) -> the pinball loss,
    averaged over the quantiles and outputs of each example."""

    def __init__(
        self,
        quantiles: list[float],
        name: str = "quantile",
        reduction: str = "sum_over_batch_size",
        dtype: Any = None,
    ) -> None:
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        self.quantiles = [float(q) for q in quantiles]

    def call(self, y_true: Any, y_pred: Any) -> Any:
        q = ops.reshape(ops.convert_to_tensor(self.quantiles, y_pred.dtype), (-1, 1))
        e = ops.expand_dims(ops.cast(y_true, y_pred.dtype), 1) - y_pred  # y - y_q
        return ops.mean(ops.maximum(q * e, (q - 1) * e), axis=(1, 2))

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "quantiles": self.quantiles}


@keras.saving.register_keras_serializable(package="custom_layers")
class AtQuantile(keras.metrics.Metric):
    """A Keras metric (by name: mse, mae, ...) of one quantile's forecast, the
    ``index``-th along the output's quantile axis; logged under the metric's name."""

    def __init__(self, metric: str, index: int, name: str | None = None, **kwargs: Any) -> None:
        super().__init__(name=name or metric, **kwargs)
        self.metric = metric
        self.index = int(index)
        found = keras.metrics.get(metric)
        # a name Keras resolves to a function is wrapped as Keras wraps it in compile
        self.scored = (
            found
            if isinstance(found, keras.metrics.Metric)
            else keras.metrics.MeanMetricWrapper(found, name=metric)
        )

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        self.scored.update_state(y_true, y_pred[:, self.index], sample_weight=sample_weight)

    def result(self) -> Any:
        return self.scored.result()

    def reset_state(self) -> None:
        self.scored.reset_state()

    def get_config(self) -> dict[str, Any]:
        return {"metric": self.metric, "index": self.index, "name": self.name, "dtype": self.dtype}
