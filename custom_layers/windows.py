"""Each window scaled by its own statistics, or differenced, and the forecast mapped
back: how a forecaster of a series that trends keeps it in the range it was trained on.

A series that trends leaves the range a scaling fitted on the training years saw, and
a recurrent net saturates there. Scaled per window (instance normalisation, as
neuralforecast's RevIN and DeepAR's mean scaling do), every window reaches the net on
the same footing, and its forecast is put back on the window's own level and spread:

    mu, sigma = mean and standard deviation of each feature over the window's steps
    x' = (x - mu) / sigma                  (WindowScaling)
    y  = y' * sigma[c] + mu[c]             (WindowUnscaling; c: the input column that
                                            each target is, for every horizon step)

Differenced (data.difference: lag), the net reads and forecasts changes over ``lag``
steps, which a trend or a season leaves stationary where the level is not:

    d_t = x_t - x_{t-lag}                  (Differencing)
    y_{T+h} = d'_h + y_{T+h-lag}           (Undifferencing)

A forecast of quantiles (batch, quantiles, outputs) is put back quantile by quantile:
exactly so for scaling (sigma > 0 keeps their order) and for the first ``lag`` steps of
a difference (added to a known value); beyond, each quantile's change is added to the
same quantile of the earlier step, which keeps the bands ordered but treats the changes
of successive seasons as moving together.
"""

from __future__ import annotations

from typing import Any

import keras
from keras import ops

EPSILON = 1e-5  # a flat window keeps sigma above 0


def along(forecast: Any, per_example: Any) -> Any:
    """(batch, outputs) values shaped to broadcast against ``forecast``: the same, or,
    for a forecast of quantiles (batch, quantiles, outputs), the same for each quantile."""
    return ops.expand_dims(per_example, 1) if len(forecast.shape) == 3 else per_example


@keras.saving.register_keras_serializable(package="custom_layers")
class WindowScaling(keras.layers.Layer):
    """(batch, steps, features) -> [the window scaled, its (batch, 2, features) mu and sigma]."""

    def call(self, x: Any) -> list[Any]:
        mu = ops.mean(x, axis=1, keepdims=True)
        sigma = ops.sqrt(ops.var(x, axis=1, keepdims=True) + EPSILON)
        return [(x - mu) / sigma, ops.concatenate([mu, sigma], axis=1)]

    def compute_output_shape(self, input_shape: tuple) -> list[tuple]:
        return [input_shape, (input_shape[0], 2, input_shape[-1])]


@keras.saving.register_keras_serializable(package="custom_layers")
class WindowUnscaling(keras.layers.Layer):
    """[(batch, horizon * targets) forecast, the window's statistics] -> the forecast in
    the data's units; ``columns`` is the input column of each target."""

    def __init__(self, columns: list[int], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.columns = list(columns)

    def call(self, inputs: list[Any]) -> Any:
        forecast, statistics = inputs
        mu = ops.take(statistics[:, 0], self.columns, axis=-1)  # (batch, targets)
        sigma = ops.take(statistics[:, 1], self.columns, axis=-1)
        steps = ops.shape(forecast)[-1] // len(self.columns)
        # the targets are step-major: every horizon step holds one value per target
        sigma, mu = ops.tile(sigma, [1, steps]), ops.tile(mu, [1, steps])
        return forecast * along(forecast, sigma) + along(forecast, mu)

    def compute_output_shape(self, input_shape: list[tuple]) -> tuple:
        return input_shape[0]

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "columns": self.columns}


@keras.saving.register_keras_serializable(package="custom_layers")
class Differencing(keras.layers.Layer):
    """(batch, steps, features) -> (batch, steps - lag, features): x_t - x_{t-lag}, the
    change over ``lag`` steps (1: from the step before; a season: from a season ago).
    The features ``as_is`` stay x_t: a calendar differenced over its own period, or a
    promotion over a season, would read as nothing or as noise."""

    def __init__(self, lag: int, as_is: list[int] | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.lag = int(lag)
        self.as_is = list(as_is or [])

    def call(self, x: Any) -> Any:
        changes = x[:, self.lag :] - x[:, : -self.lag]
        if not self.as_is:
            return changes
        kept = [1.0 if i in self.as_is else 0.0 for i in range(x.shape[-1])]
        return changes + ops.convert_to_tensor(kept, changes.dtype) * x[:, : -self.lag]

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        steps = None if input_shape[1] is None else input_shape[1] - self.lag
        return (input_shape[0], steps, input_shape[-1])

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "lag": self.lag, "as_is": self.as_is}


@keras.saving.register_keras_serializable(package="custom_layers")
class Undifferencing(keras.layers.Layer):
    """[(batch, horizon * targets) forecast changes, the raw window] -> the forecast:
    y_{T+h} = d_h + y_{T+h-lag}, where y_{T+h-lag} is the window's own value for
    h <= lag and the forecast's earlier step beyond; ``columns`` as WindowUnscaling's."""

    def __init__(self, lag: int, columns: list[int], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.lag = int(lag)
        self.columns = list(columns)

    def call(self, inputs: list[Any]) -> Any:
        changes, window = inputs
        targets = len(self.columns)
        past = ops.take(window, self.columns, axis=-1)  # (batch, steps, targets)
        steps = changes.shape[-1] // targets
        made: list[Any] = []
        for h in range(steps):  # the horizon is short and fixed: unrolled
            change = changes[..., h * targets : (h + 1) * targets]
            base = along(changes, past[:, h - self.lag]) if h < self.lag else made[h - self.lag]
            made.append(change + base)
        return ops.concatenate(made, axis=-1)

    def compute_output_shape(self, input_shape: list[tuple]) -> tuple:
        return input_shape[0]

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "lag": self.lag, "columns": self.columns}
