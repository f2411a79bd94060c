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
mse) joins the rounds.

    python benchmarks/rnn_speed.py                        # batch 64, 100 steps, 32 -> 128
    python benchmarks/rnn_speed.py --grid --repeats 5 --cells lstm --csv speed.csv
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

import keras
import numpy as np

import custom_layers

try:
    import torch
except ImportError:
    torch = None

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


# name -> width in the printed table; the torch columns come last and only with torch.
COLUMNS = {
    "cell": 5,
    "config": 24,
    "step": 8,
    "keras ms": 9,
    "custom ms": 9,
    "custom/keras": 12,
    "torch ms": 9,
    "custom/torch": 12,
}
TEXT_COLUMNS = ("cell", "config", "step")
TORCH_COLUMNS = ("torch ms", "custom/torch")


def column_names(with_torch: bool) -> list[str]:
    return [name for name in COLUMNS if with_torch or name not in TORCH_COLUMNS]


@dataclass(frozen=True)
class Row:
    cell: str
    config: str
    step: str
    keras_ms: float
    custom_ms: float
    torch_ms: float | None = None

    def values(self, with_torch: bool) -> list[str]:
        values = [
            self.cell,
            self.config,
            self.step,
            f"{self.keras_ms:.2f}",
            f"{self.custom_ms:.2f}",
            f"{self.custom_ms / self.keras_ms:.2f}",
        ]
        if with_torch:
            # blank where torch did not run (masked input)
            has_torch = self.torch_ms is not None
            values.append(f"{self.torch_ms:.2f}" if has_torch else "")
            values.append(f"{self.custom_ms / self.torch_ms:.2f}" if has_torch else "")
        return values


def table_line(values: list[str]) -> str:
    names = list(COLUMNS)[: len(values)]
    return "  ".join(
        value.ljust(COLUMNS[name]) if name in TEXT_COLUMNS else value.rjust(COLUMNS[name])
        for name, value in zip(names, values, strict=True)
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


def build_model(layer_class: type[keras.layers.Layer], config: Config) -> keras.Model:
    inputs = keras.Input((config.steps, config.features))
    hidden = keras.layers.Masking(mask_value=0.0)(inputs) if config.masked else inputs
    recurrent = layer_class(config.units)
    if config.bidirectional:
        recurrent = keras.layers.Bidirectional(recurrent)
    model = keras.Model(inputs, keras.layers.Dense(1)(recurrent(hidden)))
    model.compile(optimizer=keras.optimizers.Adam(clipnorm=1.0), loss="mse")
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
    cell: str, config: Config, builtin: keras.Model, custom: keras.Model, x: np.ndarray
) -> None:
    difference = np.max(np.abs(builtin.predict_on_batch(x) - custom.predict_on_batch(x)))
    if difference > AGREEMENT_TOLERANCE:
        print(
            f"WARNING: {cell} {config.label}: custom and built-in predictions differ by "
            f"{difference:.2e} (> {AGREEMENT_TOLERANCE:g}); the timings compare different "
            "computations."
        )


def measure(cell: str, config: Config, repeats: int, warmup: int) -> list[Row]:
    keras.backend.clear_session()  # drop the previous case's graphs and layer names
    x, y = make_batch(config, np.random.default_rng(0))
    builtin = build_model(BUILTIN_LAYERS[cell], config)
    custom = build_model(CUSTOM_LAYERS[cell], config)
    custom.set_weights(builtin.get_weights())
    warn_if_predictions_differ(cell, config, builtin, custom, x)
    contenders = {"keras": keras_steps(builtin, x, y), "custom": keras_steps(custom, x, y)}
    # torch has no mask argument; packing the sequences would time a different algorithm.
    if torch is not None and not config.masked:
        contenders["torch"] = torch_steps(cell, config, x, y)
    rows = []
    for step in STEPS:
        medians = median_ms_interleaved(
            {name: steps[step] for name, steps in contenders.items()}, repeats, warmup
        )
        rows.append(
            Row(cell, config.label, step, medians["keras"], medians["custom"], medians.get("torch"))
        )
    return rows


def write_csv(path: Path, rows: list[Row], with_torch: bool) -> None:
    with path.open("w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(column_names(with_torch))
        writer.writerows(row.values(with_torch) for row in rows)


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
    parser.add_argument("--csv", type=Path, help="also write the table's rows to this CSV file")
    arguments = parser.parse_args()
    if arguments.repeats < 1 or arguments.warmup < 1:
        parser.error("--repeats and --warmup must be at least 1 (the first call compiles)")
    return arguments


def main() -> None:
    arguments = parse_arguments()
    with_torch = torch is not None
    print(
        f"keras {keras.__version__} ({keras.backend.backend()} backend), {os.cpu_count()} CPUs; "
        f"medians of {arguments.repeats} interleaved rounds after {arguments.warmup} warm-up "
        "calls each"
    )
    print(f"torch {torch.__version__}" if with_torch else "PyTorch was not found: skipping it.")
    print(table_line(column_names(with_torch)))
    rows = []
    for config in GRID if arguments.grid else (DEFAULT,):
        for cell in arguments.cells:
            for row in measure(cell, config, arguments.repeats, arguments.warmup):
                print(table_line(row.values(with_torch)), flush=True)
                rows.append(row)
    if arguments.csv:
        write_csv(arguments.csv, rows, with_torch)
        print(f"wrote {arguments.csv}", file=sys.stderr)


if __name__ == "__main__":
    main()
