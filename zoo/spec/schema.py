"""The spec, version 1: typed sections with unknown keys forbidden everywhere.

Names a spec may use (architectures, cells, implementations, attentions) come
from ``zoo.registry``; rules that relate several fields live in ``rules.py``.
"""

from __future__ import annotations

import itertools
import math
import typing
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Discriminator, Field, Tag
from pydantic_core import core_schema

from zoo.registry import (
    ARCHITECTURES,
    ATTENTIONS,
    CALLBACKS,
    CELLS,
    DATASETS,
    IMPLEMENTATIONS,
    POOLINGS,
    STRATEGIES,
    TUNERS,
    Registry,
)


@dataclass(frozen=True, eq=False)  # hashed by identity: a registry is a mapping
class RegistryName:
    """A str that must be one of a registry's names. The names are read when a spec is
    validated, not when this schema is defined, so an entry registered later (a new
    architecture in its own module) is accepted without touching the schema."""

    registry: Registry

    def check(self, value: str) -> str:
        if value not in self.registry:
            names = [repr(name) for name in self.registry]
            listed = f"{', '.join(names[:-1])} or {names[-1]}" if len(names) > 1 else names[0]
            raise ValueError(f"must be {listed}, got {value!r}")
        return value

    def __get_pydantic_core_schema__(self, source: Any, handler: Any) -> Any:
        return core_schema.no_info_after_validator_function(self.check, handler(source))

    def __get_pydantic_json_schema__(self, schema: Any, handler: Any) -> dict[str, Any]:
        return {"type": "string", "enum": list(self.registry)}


def names_of(registry: Registry) -> Any:
    """The type of a field naming a registry entry: the schema never lists them twice."""
    return Annotated[str, RegistryName(registry)]


def _positive_int(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError(f"must be a positive integer, got {value!r}")
    return value


def _rate(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value < 1:
        raise ValueError(f"must be a number in [0, 1), got {value!r}")
    return float(value)


def _positive_number(value: Any) -> Any:
    if not _finite(value) or value <= 0:
        raise ValueError(f"must be a positive number, got {value!r}")
    return float(value)


def _finite(value: Any) -> bool:
    """A number as a float holds it: not a bool, NaN, infinite, or an int beyond floats."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:  # an int too large for a float
        return False


# np.random.seed's range, which keras.utils.set_random_seed passes the spec's seed to
MAX_SEED = 2**32 - 1


def _seed(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_SEED:
        raise ValueError(f"must be an integer from 0 to {MAX_SEED}, got {value!r}")
    return value


def _units(value: Any) -> Any:
    if isinstance(value, list):
        if not value:
            raise ValueError("must be a positive integer or a non-empty list of them, got []")
        return [_positive_int(v) for v in value]
    return _positive_int(value)


PositiveInt = Annotated[int, BeforeValidator(_positive_int)]
Rate = Annotated[float, BeforeValidator(_rate)]
PositiveNumber = Annotated[float, BeforeValidator(_positive_number)]
Units = Annotated[int | list[int], BeforeValidator(_units)]
Seed = Annotated[int, BeforeValidator(_seed)]
Scalar = str | int | float | bool | None
Arguments = dict[str, Scalar | list[Scalar]]


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


def section_in(annotation: Any) -> type[BaseModel] | None:
    """The section a field holds, wherever it sits in its annotation: ``Inputs``,
    ``Inputs | None``, or one form of a union such as compile.loss's."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for candidate in typing.get_args(annotation):
        found = section_in(candidate)
        if found is not None:
            return found
    return None


class Embedding(Section):
    """Token ids -> vectors (keras.layers.Embedding)."""

    dim: PositiveInt = Field(description="vector size per token")
    mask_zero: bool = Field(False, description="token 0 is padding: masked in every layer")


class Inputs(Section):
    """What one example looks like. Give `features` (real values) or `vocab_size` (tokens)."""

    length: PositiveInt | None = Field(
        None, description="time steps per sequence; omit for variable length"
    )
    features: PositiveInt | None = Field(
        None, description="real-valued features per step (per example for a vector input)"
    )
    vocab_size: PositiveInt | None = Field(
        None, description="number of distinct token ids (0 .. vocab_size-1)"
    )
    encoding: Literal["embedding", "one_hot"] = Field(
        "embedding",
        description="how tokens are fed: learned vectors (embedding), or one-hot vectors of "
        "width vocab_size - 1 (id 0 is padding: the zero vector, masked)",
    )
    embedding: Embedding | None = Field(None, description="required with encoding: embedding")


class Model(Section):
    """The recurrent stack (for one_to_one: the dense stack)."""

    units: Units = Field(64, description="one width for every layer, or one per layer")
    layers: PositiveInt | None = Field(
        None, description="depth; defaults to len(units) or 1; at most 100"
    )
    bidirectional: bool = Field(False, description="wrap each layer in keras.layers.Bidirectional")
    merge_mode: Literal["concat", "sum", "mul", "ave"] = Field(
        "concat", description="how Bidirectional merges the two directions"
    )
    activation: str = Field("tanh", description="the cell's output activation (a Keras name)")
    recurrent_activation: str | None = Field(
        None, description="the gates' activation, lstm/gru only (default sigmoid)"
    )
    use_bias: bool = Field(True, description="add the bias b")
    kernel_initializer: str = Field("glorot_uniform", description="initializer of W (a Keras name)")
    recurrent_initializer: str | None = Field(
        None, description="recurrent cells only (default orthogonal)"
    )
    bias_initializer: str = Field("zeros", description="initializer of b (a Keras name)")
    unit_forget_bias: bool | None = Field(None, description="lstm only (default true)")
    reset_after: bool | None = Field(None, description="gru only (default true)")
    dropout: Rate = Field(0.0, description="dropout on each layer's inputs, one mask per sequence")
    recurrent_dropout: Rate = Field(0.0, description="dropout on h_{t-1}, one mask per sequence")
    unroll: bool = Field(False, description="unroll the time loop (short fixed-length sequences)")
    residual: bool = Field(
        False, description="add each layer's input to its output (layers of equal width)"
    )
    layer_norm: bool = Field(False, description="LayerNormalization after each layer")
    pooling: names_of(POOLINGS) = Field(  # type: ignore[valid-type]
        "last",
        description="many_to_one: how one vector is read off the top layer's outputs, over "
        "its real (unpadded) steps",
    )
    attention: names_of(ATTENTIONS) | None = Field(  # type: ignore[valid-type]
        None, description="seq2seq only: attend over the encoder's states"
    )
    highway: PositiveInt | None = Field(
        None,
        description="many_to_one only: add a linear map of the last N steps the stack reads "
        "(with data.difference, and the window's levels there) to the head's output "
        "(LSTNet's autoregressive highway)",
    )


class Outputs(Section):
    """The output head: a Dense layer, per step for sequence outputs."""

    units: PositiveInt | None = Field(
        None, description="output width; defaults to the vocabulary for token outputs"
    )
    activation: str | None = Field(
        None, description="defaults to softmax for token outputs, else linear"
    )
    length: PositiveInt | None = Field(
        None, description="output steps: one_to_many's length, seq2seq's target length"
    )
    vocab_size: PositiveInt | None = Field(None, description="seq2seq: target vocabulary")
    embedding: Embedding | None = Field(None, description="seq2seq: target token embedding")


class Schedule(Section):
    """A Keras learning-rate schedule by class name; it starts from `learning_rate`."""

    name: str = Field(description="e.g. ExponentialDecay, CosineDecay, PolynomialDecay")
    args: Arguments = Field(
        default_factory=dict, description="the schedule's arguments but its initial rate"
    )


class Optimizer(Section):
    """The optimizer, by Keras name, with its arguments."""

    name: str = Field("adam", description="any Keras optimizer, e.g. adam, sgd, rmsprop")
    learning_rate: PositiveNumber = Field(1e-3, description="the (initial) learning rate")
    schedule: Schedule | None = Field(None, description="decay the learning rate over steps")
    args: Arguments = Field(default_factory=dict, description="other optimizer arguments")


def _quantiles(value: Any) -> Any:
    if not isinstance(value, list) or not value:
        raise ValueError(f"must be a list of probabilities, got {value!r}")
    if any(not _finite(q) or not 0 < q < 1 for q in value):
        raise ValueError(f"each quantile must be a number strictly between 0 and 1, got {value}")
    if any(a >= b for a, b in itertools.pairwise(value)):
        raise ValueError(f"must be in increasing order, each once, got {value}")
    if MEDIAN not in value:
        raise ValueError(f"must hold 0.5, the median, which is the point forecast; got {value}")
    return [float(q) for q in value]


MEDIAN = 0.5


class QuantileLoss(Section):
    """The pinball loss: the head forecasts each quantile of every output, so that a
    forecast comes with its band (the median is the point forecast)."""

    name: Literal["quantile"] = Field(description="quantile")
    quantiles: Annotated[list[float], BeforeValidator(_quantiles)] = Field(
        default_factory=lambda: [0.1, MEDIAN, 0.9],
        description="the quantiles forecast, increasing, 0.5 among them: [0.1, 0.5, 0.9] "
        "gives an 80 % interval",
    )


def _loss(value: Any) -> Any:
    """``loss: quantile`` is the quantile loss with its default quantiles."""
    return {"name": "quantile"} if value == "quantile" else value


def _loss_kind(value: Any) -> str:
    """Which of the loss's forms to validate ``value`` as, so that an error is reported
    against that form alone: a mapping is the quantile loss, anything else a Keras name."""
    return "quantile" if isinstance(value, (dict, QuantileLoss)) else "keras"


# Fields whose scalar form stands for a section (``loss: quantile`` is the quantile loss
# with its defaults), each with what expands it: --set may reach into that section.
SHORTHANDS: dict[tuple[str, ...], Callable[[Any], Any]] = {("compile", "loss"): _loss}

# compile.loss: a Keras loss's name, or the quantile loss's section
LOSS_FORMS = ("quantile", "keras")
Loss = Annotated[
    Annotated[QuantileLoss, Tag("quantile")] | Annotated[str, Tag("keras")],
    Discriminator(_loss_kind),
]


class Compile(Section):
    """How the model is compiled: optimizer, loss, metrics, gradient clipping."""

    optimizer: Optimizer = Field(default_factory=Optimizer)
    loss: Annotated[Loss | None, BeforeValidator(_loss)] = Field(
        None,
        description="a Keras loss; or quantile ({name: quantile, quantiles: [...]}) for "
        "a forecast with its band. Defaults: sparse_categorical_crossentropy for token "
        "outputs, binary_crossentropy for a sigmoid head, mse otherwise",
    )
    metrics: list[str] = Field(default_factory=list, description="Keras metric names")
    clipnorm: PositiveNumber | None = Field(None, description="clip each gradient's norm")
    clipvalue: PositiveNumber | None = Field(None, description="clip each gradient element")
    global_clipnorm: PositiveNumber | None = Field(
        None, description="clip the norm of all gradients together (Pascanu et al. 2013)"
    )


class Callback(Section):
    """A Keras callback by name, e.g. early_stopping or reduce_lr_on_plateau."""

    name: names_of(CALLBACKS) = Field(description="one of the registered callbacks")  # type: ignore[valid-type]
    args: Arguments = Field(default_factory=dict, description="the callback's arguments")


class Train(Section):
    """How `zoo train` fits the model."""

    epochs: PositiveInt = Field(10, description="passes over the training split")
    batch_size: PositiveInt = Field(32, description="examples per gradient step")
    steps_per_epoch: PositiveInt | None = Field(
        None, description="cap the steps of an epoch (default: the whole split)"
    )
    monitor: str = Field(
        "val_loss", description="the logged metric that picks best.keras (loss without validation)"
    )
    callbacks: list[Callback] = Field(default_factory=list, description="extra Keras callbacks")
    truncate: PositiveInt | None = Field(
        None,
        description="truncated backpropagation through time: the gradient stops on the "
        "carried state every k steps, so it reaches back at most k steps (1: the Elman-era "
        "truncated gradient); the forward pass is unchanged",
    )
    distribute: names_of(STRATEGIES) | None = Field(  # type: ignore[valid-type]
        None, description="data-parallel training with a tf.distribute strategy"
    )


class Data(Section):
    """Where `zoo train` gets its examples: a built-in generator or a user file."""

    source: names_of(DATASETS) = Field(description="a generator or file reader; see `zoo data`")  # type: ignore[valid-type]
    args: Arguments = Field(default_factory=dict, description="the source's own arguments")
    validation: Rate = Field(0.1, description="fraction of examples held out for validation")
    test: Rate = Field(0.1, description="fraction of examples held out for `zoo evaluate`")
    seed: Seed | None = Field(None, description="the data's seed (default: the spec's seed)")
    scale: Literal["standard", "minmax", "window", "none"] | None = Field(
        None,
        description="scale real inputs and regression targets with statistics of the training "
        "split, inside the model (default: the source's: standard for user files and the lynx "
        "series, none for generators); window: each window by its own mean and spread, the "
        "forecast mapped back by them (many_to_one forecasters of a series)",
    )
    difference: PositiveInt | None = Field(
        None,
        description="forecast the change over this many steps rather than the level (1: from "
        "the step before; 12: from a year before, in monthly data), differenced and put back "
        "inside the model (many_to_one forecasters of a series; scale: window or none)",
    )
    forecast: Literal["direct", "recursive"] = Field(
        "direct",
        description="how a forecaster reaches its horizon: direct, every step ahead an output "
        "of its own; recursive, one step ahead, the forecast fed back as the window's next "
        "value until the horizon is reached, inside the model and trained through its own "
        "feedback (a many_to_one forecaster of one series from itself alone, a point loss)",
    )


SearchValue = str | int | float | bool


def _bounds(value: Any) -> Any:
    if not isinstance(value, list) or len(value) != 2:
        raise ValueError(f"must be [low, high], got {value!r}")
    if any(isinstance(v, float) and not math.isfinite(v) for v in value):
        raise ValueError(f"must be finite numbers [low, high], got {value!r}")
    return value


class Parameter(Section):
    """One searched spec field: exactly one of int, float, choice, boolean or fixed."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, populate_by_name=False)

    int_: Annotated[list[int], BeforeValidator(_bounds)] | None = Field(
        None, alias="int", description="integers in [low, high], both included"
    )
    float_: Annotated[list[float], BeforeValidator(_bounds)] | None = Field(
        None, alias="float", description="real numbers in [low, high]"
    )
    choice: list[SearchValue] | None = Field(None, description="the values to try, of one type")
    boolean: bool | None = Field(
        None, description="true and false are tried; the value given is the default"
    )
    fixed: SearchValue | None = Field(None, description="one value, used by every trial")
    step: PositiveNumber | None = Field(
        None, description="int/float: spacing of the values (float needs it for grid)"
    )
    sampling: Literal["linear", "log", "reverse_log"] | None = Field(
        None, description="int/float: how values are drawn (default linear); log for rates"
    )
    default: SearchValue | None = Field(None, description="the value tried first (grid, bayesian)")
    when: dict[str, SearchValue | list[SearchValue]] = Field(
        default_factory=dict,
        description="search this field only while other searched fields have these values",
    )

    @property
    def kind(self) -> str:
        """int, float, choice, boolean or fixed: the one kind key given."""
        (kind,) = self.kinds_given()
        return kind

    def kinds_given(self) -> list[str]:
        names = {"int_": "int", "float_": "float"}
        kinds = ("int_", "float_", "choice", "boolean", "fixed")
        return [names.get(k, k) for k in kinds if getattr(self, k) is not None]

    @property
    def bounds(self) -> list[Any]:
        return self.int_ if self.int_ is not None else self.float_ or []


class Tune(Section):
    """How `zoo tune` searches: spec paths -> values, the tuner and its budget."""

    space: dict[str, Parameter] = Field(
        description="spec path (e.g. model.units) -> what to try (the PATH rows)"
    )
    tuner: names_of(TUNERS) = Field("random", description="the search strategy")  # type: ignore[valid-type]
    objective: str = Field(
        "val_loss", description="the logged metric to optimise (loss, val_loss, val_<metric>)"
    )
    direction: Literal["min", "max"] | None = Field(
        None, description="default: min for losses and errors, max for accuracy-like metrics"
    )
    max_trials: PositiveInt | None = Field(
        None, description="trials to run (default 10; grid stops sooner when exhausted)"
    )
    executions_per_trial: PositiveInt = Field(
        1, description="fits per trial, averaged (less noise, more time)"
    )
    epochs: PositiveInt | None = Field(
        None,
        description="epochs per trial (hyperband: the most a trial gets); default train.epochs",
    )
    factor: PositiveInt | None = Field(
        None, description="hyperband only: how many trials make it to the next round (default 3)"
    )
    hyperband_iterations: PositiveInt | None = Field(
        None, description="hyperband only: how many times to run the whole bracket (default 1)"
    )
    patience: PositiveInt | None = Field(
        None, description="stop a trial after this many epochs without a better objective"
    )
    seed: Seed | None = Field(None, description="the tuner's seed (default: the spec's seed)")


class Spec(Section):
    """A recurrent model, declared."""

    version: Literal[1] = Field(description="spec format version")
    name: str = Field(min_length=1, description="the model's name")
    description: str = Field("", description="one line shown by `zoo list`")
    architecture: names_of(ARCHITECTURES) = Field(  # type: ignore[valid-type]
        description="the shape of the problem; see the architectures table"
    )
    cell: names_of(CELLS) | None = Field(  # type: ignore[valid-type]
        None, description="required for every architecture but one_to_one"
    )
    implementation: names_of(IMPLEMENTATIONS) = Field(  # type: ignore[valid-type]
        "custom",
        description="custom: our layers; keras: Keras's built-in, same weights; auto: "
        "keras where cuDNN can run, else custom",
    )
    seed: Seed | None = Field(0, description="weight initialisation seed; null for random")
    inputs: Inputs
    model: Model = Field(default_factory=Model)
    outputs: Outputs = Field(default_factory=Outputs)
    compile: Compile = Field(default_factory=Compile)
    train: Train | None = None
    data: Data | None = None
    tune: Tune | None = None
