"""The benchmarks' tables are well formed: every contender is compared with a reference
it also times, and what they build is what they claim. (Timings are never asserted:
the machines are shared.)"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

import keras  # noqa: F401  (loaded before any test hides torch: scipy, under it, looks for it)
import pytest

BENCHMARKS = Path(__file__).parents[1] / "benchmarks"


def load(name: str) -> Any:
    """A benchmark script as a module (benchmarks/ is not a package)."""
    spec = importlib.util.spec_from_file_location(name, BENCHMARKS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while the class is made
    spec.loader.exec_module(module)
    return module


def test_every_contender_has_a_timed_reference(tmp_path: Path) -> None:
    module = load("command_speed")
    commands = module.contenders(tmp_path)
    references = {reference for _, reference in commands.values() if reference}
    assert references == {"plain Keras script", "import tensorflow"}
    assert references <= commands.keys()
    assert module.SPEC.is_file()
    assert (tmp_path / "plain.py").read_text() == module.PLAIN_KERAS


def load_rnn_speed(monkeypatch: pytest.MonkeyPatch) -> Any:
    """benchmarks/rnn_speed.py without PyTorch: its native libraries must load before
    TensorFlow's, which this process has loaded already (and no test here needs it)."""
    monkeypatch.setitem(sys.modules, "torch", None)
    return load("rnn_speed")


def test_layer_table_rows_line_up_with_their_columns(monkeypatch: pytest.MonkeyPatch) -> None:
    speed = load_rnn_speed(monkeypatch)
    contenders = ["keras", "custom", "xla", "floor", "torch"]
    row = speed.Row("lstm", "b2", "train", {"keras": 10.0, "custom": 8.0, "xla": 5.0, "floor": 4.0})
    table = speed.columns(contenders)
    values = row.values(contenders)
    assert len(values) == len(table)
    by_column = dict(zip((column.name for column in table), values, strict=True))
    assert by_column["custom/keras"] == "0.80"
    assert by_column["xla/keras"] == "0.50"
    assert by_column["floor/keras"] == "0.40"
    # torch did not run (masked input): its cells are blank, not a crash
    assert by_column["torch ms"] == by_column["custom/torch"] == ""
    assert speed.table_line(values, table).startswith("lstm ")


def test_every_layer_contender_is_timed_on_a_tiny_case(monkeypatch: pytest.MonkeyPatch) -> None:
    speed = load_rnn_speed(monkeypatch)
    tiny = speed.Config(batch=2, steps=3, features=2, units=4, bidirectional=True)
    rows = speed.measure("rnn", tiny, repeats=1, warmup=1, optional={"xla", "floor"})
    assert [row.step for row in rows] == list(speed.STEPS)
    for row in rows:
        assert set(row.ms) == {"keras", "custom", "xla", "floor"}
        assert all(ms > 0 for ms in row.ms.values())


def test_generation_contenders_run_and_agree(monkeypatch: pytest.MonkeyPatch) -> None:
    with monkeypatch.context() as patch:  # see load_rnn_speed; only while it imports
        patch.setitem(sys.modules, "torch", None)
        speed = load("generate_speed")
    sampling = speed.language_model_contenders(tokens=3, window_tokens=2, spec_name="hello")
    assert set(sampling) == {"window", "state", "state x16"}
    medians = speed.measure(sampling, repeats=1)
    assert speed.table(medians, "window", "t").splitlines()[2].split()[-1] == "1.0x"
    decoding = speed.seq2seq_contenders("seq2seq_reversal")
    made = {name: run() for name, run in decoding.items()}
    assert made["greedy, predict_on_batch"] == made["greedy, compiled"] == 7
    assert made["beam 4, predict_on_batch"] == made["beam 4, compiled"]


def test_the_benchmarks_keras_reference_decodes_as_the_compiled_loop() -> None:
    import numpy as np

    import zoo
    from zoo.inference.decoding import encode, seq2seq_inference

    with pytest.MonkeyPatch.context() as patch:
        patch.setitem(sys.modules, "torch", None)
        speed = load("generate_speed")
    spec = zoo.load_spec("seq2seq_reversal")
    compiled = seq2seq_inference(zoo.build(spec), spec)
    reference = speed.KerasCalls(compiled.encoder, compiled.decoder_step, compiled.state_shapes)
    source = np.array([[1, 2, 3, 0, 0, 0, 0, 0, 0, 0]], dtype="int32")
    context, states = encode(compiled, source)
    np.testing.assert_array_equal(
        reference.greedy(context, states, 11, -1, 6), compiled.greedy(context, states, 11, -1, 6)
    )


def test_memory_batches_are_sized_to_the_target() -> None:
    memory = load("memory_estimate")
    from zoo.spec.cost import estimate

    for name in memory.SPECS:
        batch = memory.batch_for(name, 64 * 2**20)
        grown = memory.growing_bytes(estimate(zoo_spec(name, batch)))
        assert 0.9 * 64 * 2**20 <= grown <= 1.1 * 64 * 2**20, (name, batch, grown)


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/clear_refs").exists(), reason="reads Linux's /proc")
def test_the_memory_estimate_is_within_a_factor_of_2_of_what_training_holds() -> None:
    """Measured in a fresh process of its own (its peak resident set, reset after the
    model is built), so the suite's other processes do not enter the figure."""
    memory = load("memory_estimate")
    row = memory.measure("adding_lstm", memory.batch_for("adding_lstm", 128 * 2**20), repeats=1)
    assert 0.5 <= row.ratio <= 2, (row.estimated, row.measured)  # 0.78 when written
    header, line = memory.table([row]).splitlines()
    assert header.split()[-1] == "estimated/measured"
    assert line.split()[0] == "adding_lstm" and float(line.split()[-1]) == round(row.ratio, 2)


def zoo_spec(name: str, batch: int) -> Any:
    import zoo

    return zoo.load_spec(name, {"train.batch_size": batch})


def test_serve_load_table_gives_each_setting_beside_the_in_process_reference() -> None:
    module = load("serve_load")
    latencies = [i / 1000 for i in range(1, 101)]  # 1 .. 100 ms
    batching = module.Load("serve, batching", 2.0, latencies, 0, True, 12.5)
    alone = module.Load("serve, one pass each", 2.0, latencies[:10], 3, False, 1.0)
    assert batching.per_second == 50 and batching.percentile(0.5) == pytest.approx(51)
    assert batching.percentile(0.99) == pytest.approx(100)
    header, first, second = module.table([batching, alone], 100.0).splitlines()
    assert header.split()[:3] == ["setting", "req/s", "p50"]
    assert first.split()[-2:] == ["12.5", "0.50"]  # mean batch, then 50 / 100 req/s
    # errors, whether the malformed request was refused, mean batch, 5 / 100 req/s
    assert second.split()[-4:] == ["3", "NO", "1.0", "0.05"]
