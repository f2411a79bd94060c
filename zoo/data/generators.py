"""Built-in data generators for the classic recurrent-network tasks.

Every generator is deterministic under ``context.seed`` and takes its sizes and
lengths as typed arguments. Token ids keep one convention: 0 is padding, and
``Dataset.vocabulary[i]`` is the text of token id ``i``.
"""

from __future__ import annotations

import string
from collections.abc import Hashable

import numpy as np
from pydantic import Field, ValidationInfo, field_validator, model_validator

from zoo.data.base import (
    Context,
    Dataset,
    DataSource,
    Naive,
    Predictor,
    SourceArgs,
    accuracy,
    always,
    binary_cross_entropy,
    commonest_class,
    constant,
    cross_entropy,
    mean_squared_error,
)
from zoo.data.tokens import END, START, markers
from zoo.errors import SpecError


class AddingArgs(SourceArgs):
    samples: int = Field(10_000, gt=0, description="number of sequences")
    length: int = Field(100, ge=2, description="time steps T per sequence")


def _adding(args: AddingArgs, context: Context) -> Dataset:
    """Le, Jaitly & Hinton (2015) form: channel 0 holds values in U[0, 1], channel 1
    marks exactly two steps (one in each half); the target is the sum of the two
    marked values. Predicting the mean (1.0) scores MSE 1/6 ≈ 0.167."""
    rng = np.random.default_rng(context.seed)
    n, t = args.samples, args.length
    values = rng.uniform(0.0, 1.0, size=(n, t))
    markers = np.zeros((n, t))
    first = rng.integers(0, t // 2, size=n)
    second = rng.integers(t // 2, t, size=n)
    markers[np.arange(n), first] = 1.0
    markers[np.arange(n), second] = 1.0
    x = np.stack([values, markers], axis=-1).astype("float32")
    y = (values * markers).sum(axis=1, keepdims=True).astype("float32")
    return Dataset(x, y, naive=constant("mse of predicting the mean", y, 1.0))


adding = DataSource(AddingArgs, _adding)


class CopyMemoryArgs(SourceArgs):
    samples: int = Field(10_000, gt=0, description="number of sequences")
    delay: int = Field(100, ge=1, description="steps T from the last symbol to the delimiter")
    symbols: int = Field(
        8, ge=1, le=26, description="distinct symbols (token ids 1..symbols, named a, b, ...)"
    )
    copy_length: int = Field(10, ge=1, description="symbols K to remember per sequence")


def _copy_memory(args: CopyMemoryArgs, context: Context) -> Dataset:
    """Arjovsky, Shah & Bengio (2016) form, with T = ``delay`` and K = ``copy_length``:
    T + 2K steps of one token each. The input is K symbols drawn uniformly from ids
    1..symbols, T - 1 blanks, the delimiter, then K blanks; the target, step for step,
    is T + K blanks, then the K symbols. Blank is id symbols + 1 and the delimiter
    symbols + 2, so 0 stays padding (never used) and there are symbols + 3 classes.
    Predicting blanks, then a uniform guess over the symbols, scores cross-entropy
    K ln(symbols) / (T + 2K)."""
    rng = np.random.default_rng(context.seed)
    n, t, k = args.samples, args.delay, args.copy_length
    blank, delimiter = args.symbols + 1, args.symbols + 2
    symbols = rng.integers(1, args.symbols + 1, size=(n, k))
    x = np.full((n, t + 2 * k), blank, dtype="int32")
    x[:, :k] = symbols
    x[:, k + t - 1] = delimiter
    y = np.full_like(x, blank)
    y[:, -k:] = symbols
    vocabulary = ["", *_symbol_names(args.symbols), "<blank>", "<delimiter>"]
    # the memoryless guess is sure of each blank and gives each symbol 1 / symbols
    memoryless = np.ones(y.shape, dtype="float32")
    memoryless[:, -k:] = 1 / args.symbols
    naive = Naive("memoryless cross-entropy", cross_entropy, given=memoryless)
    return Dataset(x, y, vocabulary, naive=naive)


copy_memory = DataSource(CopyMemoryArgs, _copy_memory)


# A grammar as a transition table: state -> the edges (symbol, next state) leaving it,
# each taken with equal probability. A string ends in the state without edges.
Grammar = dict[Hashable, tuple[tuple[str, Hashable], ...]]

# The Reber grammar (Reber 1967), as used by Hochreiter & Schmidhuber (1997), from
# state 0 to state 7.
_REBER: Grammar = {
    0: (("B", 1),),
    1: (("T", 2), ("P", 3)),
    2: (("S", 2), ("X", 4)),
    3: (("T", 3), ("V", 5)),
    4: (("X", 3), ("S", 6)),
    5: (("P", 4), ("V", 6)),
    6: (("E", 7),),
    7: (),
}


def _embedded(inner: Grammar) -> Grammar:
    """The embedded grammar: B, then T or P, a string of ``inner``, the same T or P
    again, then E. Remembering that branch symbol across the inner string is the
    long-term dependency. Its states are "start", "branch", (branch, inner state)
    for each copy of ``inner``, "close" and "end"."""
    table: Grammar = {
        "start": (("B", "branch"),),
        "branch": (("T", ("T", 0)), ("P", ("P", 0))),
        "close": (("E", "end"),),
        "end": (),
    }
    for branch in "TP":
        for state, edges in inner.items():
            if edges:
                table[branch, state] = tuple((s, (branch, n)) for s, n in edges)
            else:  # the inner string is complete: repeat the branch symbol
                table[branch, state] = ((branch, "close"),)
    return table


_REBER_SYMBOLS = "BTPSXVE"  # token ids 1..7
_MAX_DRAWS = 2_000_000  # rejection sampling gives up when a data set would take more


class ReberArgs(SourceArgs):
    samples: int = Field(2000, gt=0, description="number of strings")
    embedded: bool = Field(True, description="the embedded grammar (B T|P <Reber> T|P E)")
    max_length: int = Field(
        40, ge=5, description="longest string kept (longer draws are redrawn); the padded length"
    )
    min_length: int = Field(
        0, ge=0, description="shortest string kept (shorter draws are redrawn): longer memory"
    )

    @field_validator("max_length")
    @classmethod
    def fits_shortest(cls, value: int, info: ValidationInfo) -> int:
        shortest = 9 if info.data.get("embedded", True) else 5  # BTBTXSETE, BTXSE
        if value < shortest:
            raise ValueError(f"must be at least {shortest}, the length of the shortest string")
        return value

    @model_validator(mode="after")
    def lengths_ordered(self) -> ReberArgs:
        if self.min_length > self.max_length:
            raise ValueError(f"min_length {self.min_length} is above max_length {self.max_length}")
        return self


def _reber(args: ReberArgs, context: Context) -> Dataset:
    """Next-symbol prediction on the (embedded) Reber grammar (Hochreiter & Schmidhuber
    1997), drawn by walking the transition tables above. Symbols B T P S X V E are
    token ids 1..7, right-padded with 0 to ``max_length``. At each step the target is
    a multi-hot vector over the 7 symbols (index id - 1) marking every symbol the
    grammar allows next; it is all zeros after the final E and at padding, whose weights
    are 0 (not trained on, not scored, masked or not). The baseline predicts each
    symbol with its frequency among the training split's targets of real steps."""
    rng = np.random.default_rng(context.seed)
    table = _embedded(_REBER) if args.embedded else _REBER
    legal = {
        state: [symbol in {s for s, _ in edges} for symbol in _REBER_SYMBOLS]
        for state, edges in table.items()
    }
    x = np.zeros((args.samples, args.max_length), dtype="int32")
    y = np.zeros((args.samples, args.max_length, len(_REBER_SYMBOLS)), dtype="float32")
    i = draws = 0
    while i < args.samples:
        walk = _walk(table, "start" if args.embedded else 0, rng)
        draws += 1
        if draws % 10_000 == 0 and (i + 1) * _MAX_DRAWS < args.samples * draws:
            raise SpecError.single(
                f"strings of {args.min_length} to {args.max_length} symbols are too rare in "
                f"this grammar ({i} in {draws:,} draws): lower min_length or raise max_length",
                "data.args",
            )
        if not args.min_length <= len(walk) <= args.max_length:
            continue
        for step, (symbol, state) in enumerate(walk):
            x[i, step] = _REBER_SYMBOLS.index(symbol) + 1
            y[i, step] = legal[state]
        i += 1
    weights = (x > 0).astype("float32")  # per step: the targets' last axis is one output
    name = "binary cross-entropy of predicting symbol frequencies"
    naive = Naive(name, binary_cross_entropy, fit=_symbol_frequencies)
    return Dataset(x, y, ["", *_REBER_SYMBOLS], naive=naive, weights=weights)


def _symbol_frequencies(train: Dataset) -> Predictor:
    real = train.scored[..., 0]
    frequency = np.clip(train.y[real].mean(axis=0), 1e-7, 1 - 1e-7)  # Keras's epsilon

    def predict(data: Dataset) -> np.ndarray:
        predicted = np.full(data.y.shape, np.nan, dtype="float32")  # padding is not scored
        predicted[data.scored[..., 0]] = frequency
        return predicted

    return predict


def _walk(table: Grammar, state: Hashable, rng: np.random.Generator) -> list[tuple[str, Hashable]]:
    """One random string: each symbol with the state it leads to."""
    walk = []
    while edges := table[state]:
        symbol, state = edges[rng.integers(len(edges))]
        walk.append((symbol, state))
    return walk


reber = DataSource(ReberArgs, _reber)


class SeriesArgs(SourceArgs):
    """A generated series, cut into forecasting windows."""

    series_length: int = Field(5000, gt=0, description="time steps generated")
    window: int = Field(48, gt=0, description="past steps per example (the input)")
    horizon: int = Field(12, gt=0, description="future steps per example (the target)")
    stride: int = Field(1, gt=0, description="steps between the starts of consecutive windows")

    @model_validator(mode="after")
    def window_fits(self) -> SeriesArgs:
        if self.series_length < self.window + self.horizon:
            raise ValueError(
                f"series_length {self.series_length} is shorter than window + horizon "
                f"({self.window} + {self.horizon})"
            )
        return self


def window_count(steps: int, window: int, horizon: int, stride: int) -> int:
    """How many forecasting examples ``forecast`` cuts from a series of ``steps``."""
    return (steps - window - horizon) // stride + 1


def forecast(
    inputs: np.ndarray,
    targets: np.ndarray,
    window: int,
    horizon: int,
    stride: int,
    target_columns: list[int | None] | None = None,
    future: np.ndarray | None = None,
) -> Dataset:
    """Forecasting examples from series with time along axis 0 (at least window +
    horizon steps): example i reads ``inputs`` (steps, features) at steps s .. s +
    window - 1, with s = i * stride, and predicts ``targets`` (steps, series) at the
    ``horizon`` steps after, flattened step-major to horizon * series values. The
    windows are split by time (``zoo.data.base.time_split``). Persistence (repeating
    the window's last target row) is the baseline. ``target_columns``: the input column
    each target is (default: the one series is its own input). ``future`` (steps,
    covariates): columns known ahead, read ``horizon`` steps ahead (``led``)."""
    stride = min(stride, len(inputs))  # longer strides give one window too
    count = window_count(len(inputs), window, horizon, stride)
    starts = np.arange(count)[:, None] * stride
    x = led(inputs, future, starts + np.arange(window), horizon)
    y = targets[starts + window + np.arange(horizon)]
    last = np.repeat(targets[starts + window - 1], horizon, axis=1)
    return Dataset(
        x.astype("float32"),
        y.reshape(count, -1).astype("float32"),
        spans=np.concatenate([starts + window, starts + window + horizon], axis=1),
        series=targets,
        target_columns=[0] if target_columns is None else target_columns,
        future_columns=None if future is None else list(range(inputs.shape[1], x.shape[-1])),
        naive=Naive("mse of persistence", mean_squared_error, given=last.reshape(count, -1)),
    )


def led(
    inputs: np.ndarray, future: np.ndarray | None, rows: np.ndarray, horizon: int
) -> np.ndarray:
    """The input ``rows`` of a series, each beside its future covariates ``horizon`` rows
    on: a window's last rows then hold them over the horizon it forecasts, and a
    recurrent net reads them last, nearest its forecast."""
    if future is None:
        return inputs[rows]
    return np.concatenate([inputs[rows], future[rows + horizon]], axis=-1)


class SineArgs(SeriesArgs):
    components: int = Field(3, gt=0, description="sines summed")
    noise: float = Field(0.1, ge=0, description="standard deviation of the added Gaussian noise")


def _sine(args: SineArgs, context: Context) -> Dataset:
    """A sum of ``components`` sines, each with a period in U[10, 100] steps, an
    amplitude in U[0.5, 1.5] and a phase in U[0, 2π), plus N(0, noise²) per step;
    windowed by ``forecast`` (one feature, ``horizon`` target values)."""
    rng = np.random.default_rng(context.seed)
    periods = rng.uniform(10, 100, size=args.components)
    amplitudes = rng.uniform(0.5, 1.5, size=args.components)
    phases = rng.uniform(0, 2 * np.pi, size=args.components)
    t = np.arange(args.series_length)[:, None]
    series = (amplitudes * np.sin(2 * np.pi * t / periods + phases)).sum(axis=1)
    series += rng.normal(0, args.noise, size=args.series_length)
    return forecast(series[:, None], series[:, None], args.window, args.horizon, args.stride)


sine = DataSource(SineArgs, _sine, feeds_back=always)


class ArmaArgs(SeriesArgs):
    ar: list[float] = Field(
        default_factory=lambda: [0.6, -0.2], description="autoregressive coefficients φ_1..φ_p"
    )
    ma: list[float] = Field(
        default_factory=lambda: [0.4], description="moving-average coefficients θ_1..θ_q"
    )
    noise: float = Field(1.0, gt=0, description="standard deviation σ of the innovations ε")

    @field_validator("ar")
    @classmethod
    def not_explosive(cls, value: list[float]) -> list[float]:
        if abs(sum(value)) >= 1:
            raise ValueError(
                f"the ar coefficients sum to {sum(value):g}; |sum(ar)| must be below 1, "
                "or the series drifts without bound"
            )
        return value


# Steps simulated, then dropped, so the series forgets its all-zero start.
_ARMA_BURN_IN = 500


def _arma(args: ArmaArgs, context: Context) -> Dataset:
    """x_t = φ_1 x_{t-1} + ... + φ_p x_{t-p} + ε_t + θ_1 ε_{t-1} + ... + θ_q ε_{t-q},
    with ε_t ~ N(0, σ²), started from zeros and run for a burn-in before the
    ``series_length`` steps kept; windowed by ``forecast`` like ``sine``."""
    rng = np.random.default_rng(context.seed)
    p, q = len(args.ar), len(args.ma)
    steps = _ARMA_BURN_IN + args.series_length
    # p and q zeros of history in front; index t + p (t + q) is step t
    series = np.zeros(p + steps)
    epsilon = np.concatenate([np.zeros(q), rng.normal(0, args.noise, size=steps)])
    phi, theta = np.array(args.ar[::-1]), np.array(args.ma[::-1])
    for t in range(steps):
        series[t + p] = series[t : t + p] @ phi + epsilon[t + q] + epsilon[t : t + q] @ theta
    series = series[p + _ARMA_BURN_IN :]
    return forecast(series[:, None], series[:, None], args.window, args.horizon, args.stride)


arma = DataSource(ArmaArgs, _arma, feeds_back=always)


class ReversalArgs(SourceArgs):
    samples: int = Field(10_000, gt=0, description="number of sequences")
    length: int = Field(10, gt=0, description="source tokens per sequence")
    vocab: int = Field(
        10, ge=1, le=26, description="distinct symbols (token ids 1..vocab, named a, b, ...)"
    )


def _reversal(args: ReversalArgs, context: Context) -> Dataset:
    """Source: ``length`` symbols drawn uniformly from ids 1..vocab (source vocabulary
    vocab + 1). Target: the source reversed, then end; start is id vocab + 1 and end
    vocab + 2 (target vocabulary vocab + 3). Decoder inputs as in ``seq2seq_dataset``."""
    rng = np.random.default_rng(context.seed)
    source = rng.integers(1, args.vocab + 1, size=(args.samples, args.length), dtype="int32")
    end = np.full((args.samples, 1), args.vocab + 2, dtype="int32")
    targets = np.concatenate([source[:, ::-1], end], axis=1)
    symbols = ["", *_symbol_names(args.vocab)]
    return seq2seq_dataset(source, targets, [*symbols, START, END], symbols)


reversal = DataSource(ReversalArgs, _reversal)


class AdditionArgs(SourceArgs):
    samples: int = Field(20_000, gt=0, description="number of sums")
    digits: int = Field(3, ge=1, le=9, description="digits of each operand at most")


_DIGITS = {d: i for i, d in enumerate(string.digits, start=1)}  # "0".."9" -> 1..10


def _addition(args: AdditionArgs, context: Context) -> Dataset:
    """The sum a + b of operands uniform in [0, 10^digits), as text. Source: the
    characters of "a+b" ("0".."9" -> ids 1..10, "+" -> 11), right-padded with 0 to
    2 * digits + 1 (source vocabulary 12). Target: the characters of the sum (ids
    1..10), then end (12), right-padded with 0 to digits + 2; start is 11 (target
    vocabulary 13, which ``vocabulary`` names). Decoder inputs as in ``seq2seq_dataset``."""
    rng = np.random.default_rng(context.seed)
    a, b = rng.integers(0, 10**args.digits, size=(2, args.samples))
    source_ids = {**_DIGITS, "+": len(_DIGITS) + 1}
    end = len(_DIGITS) + 2
    source = padded(
        [[source_ids[c] for c in f"{i}+{j}"] for i, j in zip(a, b, strict=True)],
        2 * args.digits + 1,
    )
    targets = padded([[*(_DIGITS[c] for c in str(s)), end] for s in a + b], args.digits + 2)
    return seq2seq_dataset(source, targets, ["", *_DIGITS, START, END], ["", *source_ids])


addition = DataSource(AdditionArgs, _addition)


def seq2seq_dataset(
    source: np.ndarray, targets: np.ndarray, vocabulary: list[str], source_vocabulary: list[str]
) -> Dataset:
    """Teacher forcing: x = [source, decoder inputs], where the decoder inputs are the
    targets shifted right by one behind the start token (the last target dropped), so
    both have the same length. ``vocabulary`` names the target ids and
    ``source_vocabulary`` the source ids. The baseline predicts, at each target
    position, the token most common there in the training split."""
    start = np.full((len(targets), 1), markers(vocabulary)[0], dtype="int32")
    decoder_inputs = np.concatenate([start, targets[:, :-1]], axis=1)
    name = "accuracy of predicting each position's majority token"
    return Dataset(
        [source, decoder_inputs],
        targets,
        vocabulary,
        source_vocabulary=source_vocabulary,
        naive=Naive(name, accuracy, fit=_majority_per_position),
    )


def _majority_per_position(train: Dataset) -> Predictor:
    majority = np.array([np.bincount(column).argmax() for column in train.y.T], dtype="int32")
    return lambda data: np.tile(majority, (len(data.y), 1))


def padded(rows: list[list[int]], length: int) -> np.ndarray:
    """Token rows, right-padded with 0 to ``length``."""
    padded = np.zeros((len(rows), length), dtype="int32")
    for i, row in enumerate(rows):
        padded[i, : len(row)] = row
    return padded


def _symbol_names(count: int) -> list[str]:
    return list(string.ascii_lowercase[:count])


class ClustersArgs(SourceArgs):
    samples: int = Field(5_000, gt=0, description="number of vectors")
    features: int = Field(32, gt=0, description="dimensions per vector")
    classes: int = Field(10, ge=2, description="clusters, one per class")
    spread: float = Field(1.0, gt=0, description="standard deviation around each centre")


def _clusters(args: ClustersArgs, context: Context) -> Dataset:
    """Vector classification (one_to_one): ``classes`` Gaussian clusters with centres
    drawn from N(0, 3²) per feature and points spread N(0, spread²) around them; y is
    the cluster id, shaped (examples, 1). The baseline predicts the commonest class."""
    rng = np.random.default_rng(context.seed)
    centres = rng.normal(0.0, 3.0, size=(args.classes, args.features))
    labels = rng.integers(0, args.classes, size=args.samples)
    x = centres[labels] + rng.normal(0.0, args.spread, size=(args.samples, args.features))
    y = labels[:, None].astype("int32")
    return Dataset(x.astype("float32"), y, naive=commonest_class())


clusters = DataSource(ClustersArgs, _clusters)


class TrajectoriesArgs(SourceArgs):
    samples: int = Field(5_000, gt=0, description="number of trajectories")
    features: int = Field(16, gt=0, description="size of the initial state (the input vector)")
    steps: int = Field(20, gt=0, description="time steps per trajectory (the output length)")
    channels: int = Field(3, gt=0, description="values observed per step")


def _trajectories(args: TrajectoriesArgs, context: Context) -> Dataset:
    """Sequence generation from a vector (one_to_many): a fixed random linear system
    s_{t+1} = A s_t, observed as y_t = C s_t, started from the input vector s_1 ~ N(0, I).
    A is a random rotation scaled by 0.95 (a decaying oscillation), C a random
    (features x channels) projection; both come from the seed, so the model must learn
    to unroll the same dynamics. The baseline predicts zeros (the mean)."""
    rng = np.random.default_rng(context.seed)
    rotation, _ = np.linalg.qr(rng.normal(size=(args.features, args.features)))
    dynamics = 0.95 * rotation
    observe = rng.normal(size=(args.features, args.channels)) / np.sqrt(args.features)
    state = rng.normal(size=(args.samples, args.features))
    x = state.copy()
    y = np.empty((args.samples, args.steps, args.channels))
    for t in range(args.steps):
        y[:, t] = state @ observe
        state = state @ dynamics
    y = y.astype("float32")
    return Dataset(x.astype("float32"), y, naive=constant("mse of predicting zeros", y, 0.0))


trajectories = DataSource(TrajectoriesArgs, _trajectories)
