"""Speed of our recurrent layers against Keras's built-ins (and PyTorch's, if installed).

For each cell (rnn, lstm, gru) and configuration it times two things on the same model,
Input -> [Masking] -> RNN layer [in Bidirectional] -> Dense(1), compiled with
Adam(clipnorm=1.0) and mse:

    train    one ``model.train_on_batch(x, y)``   (forward, backward, optimizer update)
    forward  one ``model.predict_on_batch(x)``    (inference)

The custom model gets the built-in's weights, so both compute the same function (checked
once). Calls of the contenders alternate round by round and the table reports medians, so
that load from other processes on a shared machine hits all of them alike. When ``torch``
is importable, torch.nn.RNN / LSTM / GRU with a Linear head (Adam, clip_grad_norm_ 1.0,
mse) joins the rounds. Two optional contenders put the figures in context:

    --xla     the custom model compiled with ``jit_compile=True`` (XLA), as a user may
              choose in ``model.compile``
    --floor   only the arithmetic no implementation of the cell can skip: the input
              projection, the T sequential recurrent matmuls with the gate activations,
              and for training the T sequential matmuls of the backward pass and the
              weight-gradient matmuls. Its ratio to Keras bounds what any rewrite of the
              cell in TensorFlow ops could reach on this machine.

    python benchmarks/rnn_speed.py                        # batch 64, 100 steps, 32 -> 128
    python benchmarks/rnn_speed.py --grid --repeats 5 --cells lstm --csv speed.csv
    python benchmarks/rnn_speed.py --xla --floor
"""

from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")  # before TensorFlow loads: no C++ chatter

import argparse
import csv
import logging
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

try:
    # Before TensorFlow: torch's compiler stack (torch._dynamo, which torch.optim loads
    # lazily) brings in triton, whose native library crashes the process when it loads
    # after TensorFlow's. Loaded first, the two coexist.
    import torch
    import torch._dynamo
except ImportError:
    torch = None

import keras
import numpy as np
import tensorflow as tf

import custom_layers

# Every model traces its own step functions once; TensorFlow's retracing detector counts
# those traces across models and would warn about "excessive retracing" that is not there.
logging.getLogger("tensorflow").setLevel(logging.ERROR)

BUILTIN_LAYERS = {
    "rnn": keras.layers.SimpleRNN,
    "lstm": keras.layers.LSTM,
    "gru": keras.layers.GRU,
}
CUSTOM_LAYERS = {
    "rnn": custom_layers.SimpleRNN,
    "lstm": custom_layers.LSTM,
    "gru": custom_layers.GRU,
}
TORCH_LAYER_NAMES = {"rnn": "RNN", "lstm": "LSTM", "gru": "GRU"}
GATES = {"rnn": 1, "lstm": 4, "gru": 3}  # u-wide blocks of the recurrent kernel
STEPS = ("train", "forward")
AGREEMENT_TOLERANCE = 1e-4


@dataclass(frozen=True)
class Config:
    batch: int = 64
    steps: int = 100
    features: int = 32
    units: int = 128
    masked: bool = False
    bidirectional: bool = False

    @property
    def label(self) -> str:
        flags = " mask" * self.masked + " bidir" * self.bidirectional
        return f"b{self.batch} t{self.steps} f{self.features} u{self.units}{flags}"


DEFAULT = Config()
# One axis at a time away from the default, so that each row isolates one effect.
GRID = (
    DEFAULT,
    replace(DEFAULT, batch=16),
    replace(DEFAULT, batch=256),
    replace(DEFAULT, steps=20),
    replace(DEFAULT, steps=500),
    replace(DEFAULT, units=32),
    replace(DEFAULT, units=512),
    replace(DEFAULT, masked=True),
    replace(DEFAULT, bidirectional=True),
)


# The reference every ratio is taken against, then the optional contenders, in order.
REFERENCE = "keras"
OPTIONAL = ("xla", "floor", "torch")


@dataclass(frozen=True)
class Column:
    name: str
    width: int
    text: bool = False


def columns(contenders: list[str]) -> list[Column]:
    """The table's columns for these contenders: each one's median, and its ratio to the
    built-in (the custom layer's also to PyTorch's: the issue's second reference)."""
    table = [Column("cell", 5, True), Column("config", 24, True), Column("step", 8, True)]
    table += [Column("keras ms", 9), Column("custom ms", 9), Column("custom/keras", 12)]
    for name in OPTIONAL:
        if name in contenders:
            ratio = "custom/torch" if name == "torch" else f"{name}/keras"
            table += [Column(f"{name} ms", 9), Column(ratio, 12)]
    return table


@dataclass(frozen=True)
class Row:
    cell: str
    config: str
    step: str
    ms: dict[str, float]  # contender -> median milliseconds

    def values(self, contenders: list[str]) -> list[str]:
        values = [self.cell, self.config, self.step]
        for name in ["keras", "custom", *(n for n in OPTIONAL if n in contenders)]:
            values.append(f"{self.ms[name]:.2f}" if name in self.ms else "")
            if name == "keras":
                continue
            # blank where a contender did not run (torch on masked input)
            numerator, denominator = ("custom", name) if name == "torch" else (name, REFERENCE)
            has_both = numerator in self.ms and denominator in self.ms
            ratio = self.ms[numerator] / self.ms[denominator] if has_both else None
            values.append(f"{ratio:.2f}" if ratio is not None else "")
        return values


def table_line(values: list[str], table: list[Column]) -> str:
    return "  ".join(
        value.ljust(column.width) if column.text else value.rjust(column.width)
        for column, value in zip(table, values, strict=True)
    ).rstrip()


def make_batch(config: Config, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    shape = (config.batch, config.steps, config.features)
    x = rng.standard_normal(shape).astype("float32")
    if config.masked:
        # Zero (= masked) tails of random length, so sequences differ in length as in
        # padded real data; every sequence keeps at least half of its steps.
        lengths = rng.integers(config.steps // 2, config.steps + 1, size=config.batch)
        x[np.arange(config.steps) >= lengths[:, None]] = 0.0
    y = rng.standard_normal((config.batch, 1)).astype("float32")
    return x, y


def build_model(
    layer_class: type[keras.layers.Layer], config: Config, jit_compile: bool = False
) -> keras.Model:
    inputs = keras.Input((config.steps, config.features))
    hidden = keras.layers.Masking(mask_value=0.0)(inputs) if config.masked else inputs
    recurrent = layer_class(config.units)
    if config.bidirectional:
        recurrent = keras.layers.Bidirectional(recurrent)
    model = keras.Model(inputs, keras.layers.Dense(1)(recurrent(hidden)))
    model.compile(
        optimizer=keras.optimizers.Adam(clipnorm=1.0), loss="mse", jit_compile=jit_compile
    )
    return model


def keras_steps(model: keras.Model, x: np.ndarray, y: np.ndarray) -> dict[str, Callable]:
    return {
        "train": lambda: model.train_on_batch(x, y),
        "forward": lambda: model.predict_on_batch(x),
    }


def torch_steps(cell: str, config: Config, x: np.ndarray, y: np.ndarray) -> dict[str, Callable]:
    directions = 2 if config.bidirectional else 1
    layer_class = getattr(torch.nn, TORCH_LAYER_NAMES[cell])
    rnn = layer_class(
        config.features, config.units, batch_first=True, bidirectional=config.bidirectional
    )
    head = torch.nn.Linear(directions * config.units, 1)
    parameters = [*rnn.parameters(), *head.parameters()]
    optimizer = torch.optim.Adam(parameters)  # lr 1e-3, as Keras's Adam
    inputs, targets = torch.from_numpy(x), torch.from_numpy(y)

    def predict() -> torch.Tensor:
        _, state = rnn(inputs)
        last = state[0] if isinstance(state, tuple) else state  # LSTM's state is (h, c)
        # (directions, batch, units) -> (batch, directions * units): the final state of
        # each direction side by side, as Keras's Bidirectional concatenates them.
        return head(last.transpose(0, 1).reshape(len(inputs), -1))

    def train() -> None:
        optimizer.zero_grad()
        torch.nn.functional.mse_loss(predict(), targets).backward()
        # One global norm where Keras's clipnorm clips each variable's: the same cost.
        torch.nn.utils.clip_grad_norm_(parameters, 1.0)
        optimizer.step()

    def forward() -> None:
        with torch.inference_mode():
            predict()

    return {"train": train, "forward": forward}


def floor_steps(cell: str, config: Config) -> dict[str, Callable]:
    """The arithmetic any implementation of the cell must do, and nothing else.

    forward: X W over all steps in one matmul, then T sequential steps of h U and an
             activation over the k·u gate columns (one loop per direction);
    train:   the forward, then T sequential steps of dz Uᵀ (the backward recurrence)
             and the weight gradients Hᵀ dZ (per direction) and Xᵀ dZ, one matmul each.

    State updates, masking, biases, the head and the optimizer are left out, so a real
    layer is always slower: floor/keras is a lower bound for custom/keras."""
    k, u, steps = GATES[cell], config.units, config.steps
    directions = 2 if config.bidirectional else 1
    rng = np.random.default_rng(1)

    def constant(*shape: int) -> tf.Tensor:
        return tf.constant(0.1 * rng.standard_normal(shape), tf.float32)

    x = constant(steps * config.batch, config.features)
    kernel = constant(config.features, k * u)
    recurrent = [constant(u, k * u) for _ in range(directions)]  # one loop per direction
    h0 = constant(config.batch, u)
    hidden, gate_grads = constant(steps * config.batch, u), constant(steps * config.batch, k * u)

    def loop(step: Callable, start: tf.Tensor) -> tf.Tensor:
        return tf.while_loop(lambda t, _: t < steps, lambda t, a: (t + 1, step(a)), (0, start))[1]

    def gates(h: tf.Tensor) -> tf.Tensor:  # (batch, u) -> (batch, k·u), as dh feeds dz
        return tf.tile(h, [1, k]) if k > 1 else h

    def state(z: tf.Tensor) -> tf.Tensor:  # (batch, k·u) -> (batch, u)
        return z[:, :u] if k > 1 else z

    @tf.function
    def forward() -> list[tf.Tensor]:
        # z = h U and the gates' activation, step after step
        ends = [loop(lambda h, U=U: state(tf.tanh(tf.matmul(h, U))), h0) for U in recurrent]
        return [*ends, tf.matmul(x, kernel)]

    @tf.function
    def train() -> list[tf.Tensor]:
        *ends, projected = forward()
        # dh = dz Uᵀ, step after step backwards
        starts = [gates(h) for h in ends]
        backward = [
            loop(lambda dz, U=U: gates(tf.matmul(dz, U, transpose_b=True)), dz)
            for dz, U in zip(starts, recurrent, strict=True)
        ]
        weight_grads = [
            tf.matmul(inputs, gate_grads, transpose_a=True)
            for inputs in [hidden] * directions + [x]
        ]
        return [*backward, *weight_grads, projected]

    # .numpy() waits for the result, as train_on_batch and predict_on_batch do.
    return {
        "train": lambda: [t.numpy() for t in train()],
        "forward": lambda: [t.numpy() for t in forward()],
    }


def median_ms_interleaved(
    contenders: dict[str, Callable], repeats: int, warmup: int
) -> dict[str, float]:
    """Median wall time of each contender's call, calls alternating round by round."""
    for call in contenders.values():
        for _ in range(warmup):  # the first call traces and compiles the step
            call()
    names = list(contenders)
    samples: dict[str, list[float]] = {name: [] for name in names}
    for round_index in range(repeats):
        # Rotate who goes first, so that none always runs right after the same neighbour.
        shift = round_index % len(names)
        for name in names[shift:] + names[:shift]:
            start = time.perf_counter()
            contenders[name]()
            samples[name].append(time.perf_counter() - start)
    return {name: 1000 * statistics.median(times) for name, times in samples.items()}


def warn_if_predictions_differ(
    cell: str, config: Config, name: str, builtin: keras.Model, model: keras.Model, x: np.ndarray
) -> None:
    difference = np.max(np.abs(builtin.predict_on_batch(x) - model.predict_on_batch(x)))
    if difference > AGREEMENT_TOLERANCE:
        print(
            f"WARNING: {cell} {config.label}: {name} and built-in predictions differ by "
            f"{difference:.2e} (> {AGREEMENT_TOLERANCE:g}); the timings compare different "
            "computations."
        )


def measure(cell: str, config: Config, repeats: int, warmup: int, optional: set[str]) -> list[Row]:
    keras.backend.clear_session()  # drop the previous case's graphs and layer names
    x, y = make_batch(config, np.random.default_rng(0))
    builtin = build_model(BUILTIN_LAYERS[cell], config)
    models = {"keras": builtin, "custom": build_model(CUSTOM_LAYERS[cell], config)}
    if "xla" in optional:
        models["xla"] = build_model(CUSTOM_LAYERS[cell], config, jit_compile=True)
    for name, model in models.items():
        if model is not builtin:
            model.set_weights(builtin.get_weights())
            warn_if_predictions_differ(cell, config, name, builtin, model, x)
    contenders = {name: keras_steps(model, x, y) for name, model in models.items()}
    if "floor" in optional:
        contenders["floor"] = floor_steps(cell, config)
    # torch has no mask argument; packing the sequences would time a different algorithm.
    if "torch" in optional and not config.masked:
        contenders["torch"] = torch_steps(cell, config, x, y)
    rows = []
    for step in STEPS:
        medians = median_ms_interleaved(
            {name: steps[step] for name, steps in contenders.items()}, repeats, warmup
        )
        rows.append(Row(cell, config.label, step, medians))
    return rows


def write_csv(path: Path, rows: list[Row], contenders: list[str]) -> None:
    with path.open("w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(column.name for column in columns(contenders))
        writer.writerows(row.values(contenders) for row in rows)


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Time a training step and a forward pass of custom_layers' SimpleRNN, "
        "LSTM and GRU against the Keras built-ins (and PyTorch, if installed)."
    )
    parser.add_argument(
        "--cells",
        nargs="+",
        choices=list(BUILTIN_LAYERS),
        default=list(BUILTIN_LAYERS),
        help="which cells to time (default: all)",
    )
    parser.add_argument(
        "--grid",
        action="store_true",
        help="also vary batch, steps and units, and add masked and bidirectional cases "
        "(about 10 minutes for all cells on 2 cores at the default repeats)",
    )
    parser.add_argument("--repeats", type=int, default=15, help="timed rounds (default 15)")
    parser.add_argument(
        "--warmup", type=int, default=3, help="untimed calls per contender first (default 3)"
    )
    parser.add_argument(
        "--xla",
        action="store_true",
        help="also time the custom model compiled with jit_compile=True (XLA)",
    )
    parser.add_argument(
        "--floor",
        action="store_true",
        help="also time only the matmuls and activations no implementation can skip: "
        "a lower bound for any rewrite of the cells",
    )
    parser.add_argument("--csv", type=Path, help="also write the table's rows to this CSV file")
    arguments = parser.parse_args()
    if arguments.repeats < 1 or arguments.warmup < 1:
        parser.error("--repeats and --warmup must be at least 1 (the first call compiles)")
    return arguments


def main() -> None:
    arguments = parse_arguments()
    optional = {name for name in ("xla", "floor") if getattr(arguments, name)}
    if torch is not None:
        optional.add("torch")
    contenders = [REFERENCE, "custom", *(name for name in OPTIONAL if name in optional)]
    print(
        f"keras {keras.__version__} ({keras.backend.backend()} backend), {os.cpu_count()} CPUs; "
        f"medians of {arguments.repeats} interleaved rounds after {arguments.warmup} warm-up "
        "calls each"
    )
    print(f"torch {torch.__version__}" if torch else "PyTorch was not found: skipping it.")
    table = columns(contenders)
    print(table_line([column.name for column in table], table))
    rows = []
    for config in GRID if arguments.grid else (DEFAULT,):
        for cell in arguments.cells:
            for row in measure(cell, config, arguments.repeats, arguments.warmup, optional):
                print(table_line(row.values(contenders), table), flush=True)
                rows.append(row)
    if arguments.csv:
        write_csv(arguments.csv, rows, contenders)
        print(f"wrote {arguments.csv}", file=sys.stderr)


if __name__ == "__main__":
    main()
