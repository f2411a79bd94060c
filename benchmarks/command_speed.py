"""What the `zoo` command costs against plain Keras: `zoo build` beside a Python script
that builds and saves the same model with Keras directly, and the TensorFlow-free
commands (`zoo --help`, `zoo list`, `zoo validate`) beside a Python that only imports
TensorFlow, the cost they avoid.

Each command runs as a fresh process (what a user waits for), the contenders alternate
round by round so load from other processes hits them alike, and the table gives
medians and the ratio against the reference measured in the same run.

    python benchmarks/command_speed.py [--repeats 7]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "specs" / "adding_lstm.yaml"

# specs/adding_lstm.yaml written by hand: Input(100, 2) -> LSTM(64) -> Dense(1), Adam
# with clipnorm 1, mse, saved as .keras
PLAIN_KERAS = """
import os, sys
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import keras
keras.utils.set_random_seed(0)
model = keras.Sequential(
    [keras.Input((100, 2)), keras.layers.LSTM(64), keras.layers.Dense(1)], name="adding_lstm"
)
model.compile(keras.optimizers.Adam(0.001, clipnorm=1.0), "mse")
model.summary()
model.save(sys.argv[1])
"""


def contenders(folder: Path) -> dict[str, tuple[list[str], str]]:
    """name -> (command, the reference it is compared with)."""
    zoo = [sys.executable, "-m", "zoo.cli"]
    plain = folder / "plain.py"
    plain.write_text(PLAIN_KERAS)
    return {
        "plain Keras script": ([sys.executable, str(plain), str(folder / "plain.keras")], ""),
        "zoo build": (
            [*zoo, "build", str(SPEC), "-o", str(folder / "zoo.keras")],
            "plain Keras script",
        ),
        "import tensorflow": ([sys.executable, "-c", "import tensorflow"], ""),
        "zoo --help": ([*zoo, "--help"], "import tensorflow"),
        "zoo list": ([*zoo, "list"], "import tensorflow"),
        "zoo validate (all specs)": (
            [*zoo, "validate", *map(str, sorted((ROOT / "specs").glob("*.yaml")))],
            "import tensorflow",
        ),
    }


def seconds(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, cwd=ROOT)
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=7, help="rounds (default 7)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        commands = contenders(Path(folder))
        for command, _ in commands.values():  # warm the file cache once
            seconds(command)
        times: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(args.repeats):
            for name, (command, _) in commands.items():
                times[name].append(seconds(command))
    print(f"medians of {args.repeats} interleaved rounds, each a fresh process")
    print(f"{'command':28} {'seconds':>8}  ratio to the reference")
    for name, (_, reference) in commands.items():
        median = statistics.median(times[name])
        ratio = (
            f"{median / statistics.median(times[reference]):.2f} × {reference}"
            if reference
            else "(reference)"
        )
        print(f"{name:28} {median:8.2f}  {ratio}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
