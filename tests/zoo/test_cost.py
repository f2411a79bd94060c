"""The cost estimate: exactly the built model's parameters for every shipped spec and a
grid of options, the optimizers' slots as Keras keeps them, memory as measured, and the
refusal of a spec too large to train: exit 2, one line, no traceback, within seconds."""

from __future__ import annotations

import json
import math
import subprocess
import sys
import typing
from pathlib import Path

import keras
import pytest

import custom_layers
import zoo
from zoo.catalog import specs_folder
from zoo.cli import main
from zoo.registry import ATTENTIONS, CELLS
from zoo.spec import cost
from zoo.spec import machine as spec_machine
from zoo.spec.cost import (
    MAX_PARAMETERS,
    SLOTS,
    estimate,
    format_bytes,
    format_flops,
    optimizer_slots,
    parse_size,
)
from zoo.spec.keras_catalog import KNOWN, PARAMETERS
from zoo.spec.keras_names import keras_class
from zoo.spec.rules import MAX_LAYERS
from zoo.spec.schema import Model

SPECS = sorted(specs_folder().glob("*.yaml"))
HELLO = specs_folder() / "hello.yaml"
GiB = 2**30


def layer_parameters(model: keras.Model) -> dict[str, int]:
    return {layer.name: layer.count_params() for layer in model.layers if layer.count_params()}


def assert_exact(spec: zoo.Spec) -> None:
    """The estimate's parameters are the built model's, layer by layer."""
    model = zoo.build(spec)
    assert estimate(spec).layer_parameters() == layer_parameters(model)
    assert estimate(spec).parameters == model.count_params()


@pytest.mark.parametrize("path", SPECS, ids=lambda p: p.stem)
def test_parameters_of_every_shipped_spec(path: Path) -> None:
    """The text models (sentiment_bilstm, tagger_bigru) take their vocabulary's size
    from the spec, so the model built from the spec alone is the trained one's size."""
    assert_exact(zoo.load_spec(path))


MERGE_MODES = typing.get_args(Model.model_fields["merge_mode"].annotation)


def _stacks() -> list[dict]:
    """Every cell × bidirectional with each merge mode × layer_norm × 1-2 layers."""
    directions = [{"bidirectional": False}] + [
        {"bidirectional": True, "merge_mode": mode} for mode in MERGE_MODES
    ]
    return [
        {
            "architecture": "many_to_many",
            "cell": cell,
            "inputs": {"length": 3, "features": 2},
            "model": {"units": 3, "layers": layers, "layer_norm": norm, "residual": layers > 1}
            | direction,
            "outputs": {"units": 2},
        }
        for cell in CELLS
        for direction in directions
        for norm in (False, True)
        for layers in (1, 2)
    ]


def _seq2seqs() -> list[dict]:
    """Every cell × no attention and each attention × 1-2 layers."""
    return [
        {
            "architecture": "seq2seq",
            "cell": cell,
            "inputs": {"length": 4, "vocab_size": 6, "embedding": {"dim": 3}},
            "model": {"units": 5, "layers": layers, "attention": attention},
            "outputs": {"length": 3, "vocab_size": 7, "embedding": {"dim": 2}},
        }
        for cell in CELLS
        for attention in [None, *ATTENTIONS]
        for layers in (1, 2)
    ]


def _others() -> list[dict]:
    """The other architectures, input encodings and weight options."""
    dense = {"architecture": "one_to_one", "inputs": {"features": 5}, "outputs": {"units": 3}}
    recurrent = {
        "architecture": "many_to_one",
        "inputs": {"length": 3, "features": 2},
        "outputs": {"units": 1},
    }
    return [
        *(
            dense | {"model": {"units": [4, 4], "use_bias": bias, "residual": r, "layer_norm": n}}
            for bias in (True, False)
            for r in (True, False)
            for n in (True, False)
        ),
        *(
            {
                "architecture": "language_model",
                "cell": cell,
                "inputs": {"length": 4, "vocab_size": 9}
                | ({"encoding": "one_hot"} if one_hot else {"embedding": {"dim": 3}}),
                "model": {"units": 4},
            }
            for cell in CELLS
            for one_hot in (True, False)
        ),
        *(
            {
                "architecture": "one_to_many",
                "cell": cell,
                "inputs": {"features": 3},
                "model": {"units": 4},
                "outputs": {"length": 5, "units": 2},
            }
            for cell in CELLS
        ),
        recurrent | {"cell": "gru", "model": {"units": 4, "reset_after": False}},
        *(recurrent | {"cell": cell, "model": {"units": 4, "use_bias": False}} for cell in CELLS),
        *(recurrent | {"cell": cell, "implementation": "keras"} for cell in CELLS),
        recurrent | {"cell": "lstm", "model": {"units": [5, 3, 4]}},
    ]


@pytest.mark.parametrize("case", _stacks() + _seq2seqs() + _others(), ids=json.dumps)
def test_parameters_over_a_grid_of_options(case: dict) -> None:
    assert_exact(zoo.load_spec({"version": 1, "name": "grid"} | case))


def test_the_registry_counts_the_gates_the_layers_hold() -> None:
    for name, cell in CELLS.items():
        assert getattr(custom_layers, cell.target).cell_class.gates == cell.gates, name


NEEDS_ARGUMENTS = {n for n, p in PARAMETERS["optimizer"].items() if any(p.values())}
SLOT_CASES = [(name, {}) for name in sorted(KNOWN["optimizer"] - NEEDS_ARGUMENTS)] + [
    ("sgd", {"momentum": 0.9}),
    ("rmsprop", {"momentum": 0.9}),
    ("rmsprop", {"centered": True}),
    ("adam", {"amsgrad": True}),
    ("adamw", {"amsgrad": True}),
    ("adam", {"use_ema": True}),
    ("adam", {"gradient_accumulation_steps": 2}),
    ("muon", {"exclude_embeddings": False}),
]


def test_every_keras_optimizer_has_a_slot_rule() -> None:
    assert set(SLOTS) == KNOWN["optimizer"] - NEEDS_ARGUMENTS


@pytest.mark.parametrize(("name", "arguments"), SLOT_CASES, ids=str)
def test_optimizer_slots_are_the_variables_keras_adds(name: str, arguments: dict) -> None:
    """Weights of every rank (GRU's 2-row bias, embeddings, layer norms, attention's
    scale) against what the optimizer's build() adds, scalars (its step) left out."""
    spec = zoo.load_spec(
        {
            "version": 1,
            "name": "slots",
            "architecture": "seq2seq",
            "cell": "gru",
            "inputs": {"length": 4, "vocab_size": 6, "embedding": {"dim": 3}},
            "model": {"units": 5, "layer_norm": True, "attention": "bahdanau"},
            "outputs": {"length": 3, "vocab_size": 7, "embedding": {"dim": 2}},
            "compile": {"optimizer": {"name": name, "args": arguments}},
        }
    )
    model = zoo.build(spec)
    optimizer = keras_class(keras.optimizers, name, keras.optimizers.Optimizer)(**arguments)
    optimizer.build(model.trainable_variables)
    kept = sum(math.prod(v.shape) for v in optimizer.variables if len(v.shape) > 0)
    assert kept == sum(optimizer_slots(spec, w) for w in estimate(spec).weights)


def test_estimating_and_validating_do_not_load_tensorflow() -> None:
    code = (
        "import sys, zoo\n"
        "from zoo.spec.cost import estimate\n"
        "estimate(zoo.load_spec('seq2seq_reversal'))\n"
        "assert zoo.validate('hello', {'model.units': 10**6}, max_memory=2**30)\n"
        "print('tensorflow' in sys.modules, 'keras' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.split() == ["False", "False"], result.stderr[-3000:]


def test_train_refuses_before_tensorflow_loads(tmp_path) -> None:
    code = (
        "import sys\n"
        "from zoo.cli import main\n"
        "argv = ['train', 'hello', '--set', 'model.units=1000000']\n"
        f"code = main([*argv, '--runs', {str(tmp_path)!r}])\n"
        "print(code, 'tensorflow' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.split() == ["2", "False"], result.stderr[-3000:]
    assert "model.units: 1000000 makes 1.0e12 parameters" in result.stderr
    assert not list(tmp_path.iterdir())


def test_an_unset_length_is_the_data_s_or_assumed_and_said() -> None:
    path = specs_folder() / "sentiment_bilstm.yaml"
    spec = zoo.load_spec(path)  # inputs.length unset; its text source pads to args.length
    assert spec.inputs.length is None and spec.data.args["length"] == 64
    fixed = estimate(zoo.load_spec(path, {"inputs.length": 64}))
    assert estimate(spec) == fixed and estimate(spec).assumed == ()
    unsaid = zoo.load_spec(path, {"data.args": {"path": spec.data.args["path"]}})
    assert estimate(unsaid).assumed == ("inputs.length",)
    assert estimate(unsaid).line().endswith("; inputs.length unset: 100 steps assumed")
    assert estimate(zoo.load_spec(HELLO)).assumed == ()


def test_sizes_as_text() -> None:
    assert [format_bytes(n) for n in (0, 1023, 1536, 23 * GiB, 16 * 10**12)] == [
        "0 B",
        "1023 B",
        "1.5 KiB",
        "23 GiB",
        "15 TiB",
    ]
    assert format_bytes(10**4000) == "1.0e4000 B"  # any integer YAML holds
    assert [format_flops(n) for n in (864, 12_345, 999_999, 4 * 10**12)] == [
        "864",
        "12.3e3",
        "1e6",
        "4e12",
    ]
    assert [parse_size(t) for t in ("8GiB", "500MB", "1.5 kib", "4096")] == [
        8 * GiB,
        500 * 10**6,
        1536,
        4096,
    ]
    for text in ("8G", "-1GiB", "0", "lots"):
        with pytest.raises(ValueError, match="expected a size such as 8GiB or 500MB"):
            parse_size(text)


# -- the refusal -------------------------------------------------------------------------
def run(capsys: pytest.CaptureFixture, *argv: object) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def refused(capsys: pytest.CaptureFixture, tmp_path: Path, command: str, *argv: object) -> str:
    """The one line a refused command writes: exit 2, nothing written (before anything
    is built: the refusal comes from the estimate)."""
    extra = {"build": ["-o", tmp_path / "m.keras"], "train": ["--runs", tmp_path / "runs"]}
    code, out, err = run(capsys, command, *argv, *extra.get(command, []))
    assert code == 2
    assert "Traceback" not in out + err
    assert not list(tmp_path.iterdir())
    (line,) = err.splitlines()
    return line


@pytest.fixture
def machine(monkeypatch) -> None:
    monkeypatch.setattr(spec_machine, "available_memory", lambda: 23 * GiB)
    monkeypatch.setattr(spec_machine, "cgroup_headroom", lambda: None)


COMMANDS = ["validate", "build", "train"]


@pytest.mark.parametrize("command", COMMANDS)
def test_the_issue_s_units_are_refused(capsys, tmp_path, machine, command) -> None:
    line = refused(capsys, tmp_path, command, HELLO, "--set", "model.units=1000000")
    assert line == (
        "error: --set model.units=1000000: model.units: 1000000 makes 1.0e12 parameters "
        "(15 TiB to train); this machine has 23 GiB available"
    )


@pytest.mark.parametrize(
    ("override", "field", "made"),
    [
        ("inputs.vocab_size=2000000000", "inputs.vocab_size", "5.0e10 parameters"),
        ("train.batch_size=100000000", "train.batch_size", "103 GiB of activations"),
        ("inputs.length=1000000000", "inputs.length", "257 GiB of activations"),
    ],
)
@pytest.mark.parametrize("command", COMMANDS)
def test_the_field_most_responsible_is_named(
    capsys, tmp_path, machine, command, override, field, made
) -> None:
    line = refused(capsys, tmp_path, command, HELLO, "--set", override)
    value = override.partition("=")[2]
    assert line.startswith(f"error: --set {override}: {field}: {value} makes {made} (")
    assert line.endswith("to train); this machine has 23 GiB available")


def test_the_field_is_located_in_its_file(capsys, tmp_path, machine) -> None:
    spec = tmp_path / "big.yaml"
    lines = HELLO.read_text().replace("units: 16", "units: 1000000").splitlines()
    spec.write_text("\n".join(lines))
    line = next(n for n, text in enumerate(lines, start=1) if "units: 1000000" in text)
    code, _, err = run(capsys, "validate", spec)
    assert code == 2
    assert err.startswith(f"error: {spec}:{line}:3: model.units: 1000000 makes 1.0e12 parameters")


@pytest.mark.parametrize("command", COMMANDS)
def test_max_memory_sets_the_limit(capsys, tmp_path, machine, command) -> None:
    line = refused(capsys, tmp_path, command, HELLO, "--max-memory", "1KiB")
    assert line.startswith(f"error: {HELLO}:") and line.endswith("; --max-memory is 1.0 KiB")
    line = refused(capsys, tmp_path, command, HELLO, "--max-memory", "8G")
    assert line == "error: --max-memory: expected a size such as 8GiB or 500MB, got '8G'"


def test_a_spec_that_fits_is_valid(capsys, machine) -> None:
    code, out, _ = run(capsys, "validate", HELLO, "--set", "model.units=1000")
    assert (code, out) == (0, f"{HELLO}: ok\n")
    assert zoo.validate(HELLO, {"model.units": 10**4}) == []  # no limit given: none applied
    (problem,) = zoo.validate(HELLO, {"model.units": 10**4}, max_memory=GiB)
    assert problem.path == "model.units"
    assert problem.message.endswith("(1.5 GiB to train); the limit is 1.0 GiB")
    (problem,) = zoo.validate(HELLO, {"model.units": 10**4}, max_memory="1GiB")  # as typed
    assert problem.message.endswith("(1.5 GiB to train); max_memory is 1.0 GiB ('1GiB')")
    with pytest.raises(ValueError, match="expected a size such as 8GiB"):
        zoo.validate(HELLO, max_memory="8G")


def test_available_memory_falls_back_to_none(monkeypatch) -> None:
    if sys.platform == "linux":
        assert 0 < spec_machine.available_memory() < 2**50

    def unreadable(*_):
        raise OSError("no /proc here")

    monkeypatch.setattr(spec_machine, "open", unreadable, raising=False)
    monkeypatch.setattr(spec_machine.os, "sysconf", lambda name: 4096)
    assert spec_machine.available_memory() == 4096**2  # free pages × page size
    monkeypatch.setattr(spec_machine.os, "sysconf", lambda name: unreadable())
    assert spec_machine.available_memory() is None
    monkeypatch.setattr(spec_machine, "cgroup_headroom", lambda: None)
    assert cost.MemoryLimit.available() is None


def write_files(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)


def test_a_cgroup_v1_limit_of_the_group_or_an_ancestor_is_read(tmp_path) -> None:
    write_files(
        tmp_path,
        {
            "proc": "4:memory:/jobs/42\n1:cpu:/\n",
            "sys/memory/memory.limit_in_bytes": "9223372036854771712",  # no limit
            "sys/memory/jobs/memory.limit_in_bytes": str(8 * GiB),
            "sys/memory/jobs/42/memory.limit_in_bytes": str(16 * GiB),
            "sys/memory/jobs/42/memory.usage_in_bytes": str(GiB),
        },
    )
    headroom = spec_machine.cgroup_headroom(tmp_path / "sys", tmp_path / "proc")
    assert headroom == 7 * GiB  # the parent's 8 GiB binds, less the group's use


def test_a_container_s_cgroup_v2_limit_is_read_at_the_root(tmp_path) -> None:
    write_files(
        tmp_path,
        {
            "proc": "0::/docker/abc\n",  # the host's path; the container mounts its own group
            "sys/memory.max": str(4 * GiB),
            "sys/memory.current": str(GiB),
        },
    )
    assert spec_machine.cgroup_headroom(tmp_path / "sys", tmp_path / "proc") == 3 * GiB
    (tmp_path / "sys/memory.max").write_text("max\n")
    assert spec_machine.cgroup_headroom(tmp_path / "sys", tmp_path / "proc") is None
    assert spec_machine.cgroup_headroom(tmp_path / "sys", tmp_path / "none") is None


def test_the_tighter_of_the_host_and_the_cgroup_is_the_limit(monkeypatch) -> None:
    monkeypatch.setattr(spec_machine, "available_memory", lambda: 23 * GiB)
    monkeypatch.setattr(spec_machine, "cgroup_headroom", lambda: 2 * GiB)
    limit = cost.MemoryLimit.available()
    assert limit.bytes == 2 * GiB
    assert str(limit) == "this process's cgroup has 2.0 GiB left of its memory limit"
    (problem,) = zoo.validate(HELLO, {"model.units": 2 * 10**4}, max_memory=limit)
    assert problem.message.endswith("this process's cgroup has 2.0 GiB left of its memory limit")
    monkeypatch.setattr(spec_machine, "cgroup_headroom", lambda: 64 * GiB)
    assert str(cost.MemoryLimit.available()) == "this machine has 23 GiB available"


@pytest.mark.parametrize("override", ["model.units=1000000", "inputs.vocab_size=2000000000"])
def test_absurd_sizes_are_refused_where_memory_cannot_be_read(
    capsys, tmp_path, monkeypatch, override
) -> None:
    monkeypatch.setattr(spec_machine, "available", lambda: None)
    line = refused(capsys, tmp_path, "build", HELLO, "--set", override)
    assert line.endswith(
        f"parameters; the zoo builds at most 1.0e10 ({format_bytes(MAX_PARAMETERS * 4)} of "
        "weights alone)"
    )
    assert zoo.validate(HELLO, [override])  # the same, whatever the machine


def test_a_stack_deeper_than_the_maximum_is_refused(capsys, tmp_path) -> None:
    line = refused(capsys, tmp_path, "build", HELLO, "--set", "model.layers=1000")
    assert line == (
        f"error: --set model.layers=1000: model.layers: 1000 layers is more than the "
        f"{MAX_LAYERS} the zoo builds: Keras recurses once per layer to build, save and load "
        "a model, and deeper stacks exceed Python's recursion limit"
    )
    assert zoo.validate(HELLO, {"model.layers": MAX_LAYERS}) == []
    (problem,) = zoo.validate(HELLO, {"model.units": [4] * (MAX_LAYERS + 1)})
    assert problem.path == "model.units"


def test_one_hot_inputs_need_two_token_ids(capsys, tmp_path) -> None:
    line = refused(capsys, tmp_path, "build", "hello_seed", "--set", "inputs.vocab_size=1")
    assert line.endswith(
        "inputs.vocab_size: one-hot inputs need 2 or more token ids (0 is padding)"
    )


# -- what the commands print ---------------------------------------------------------------
def test_show_cost(capsys) -> None:
    code, out, _ = run(capsys, "show", "--cost", "seq2seq_addition")
    lines = out.splitlines()
    assert code == 0
    assert lines[0] == "seq2seq_addition: what training costs, estimated from the spec"
    assert lines[1] == "  parameters       152,221"
    assert lines[4] == "  optimizer slots  1.2 MiB (2 per weight)"
    assert [line.split()[0] for line in lines[2:9]] == [
        "weights",
        "gradients",
        "optimizer",
        "activations",
        "attention",
        "to",
        "FLOPs",
    ]


def test_build_prints_the_cost_in_one_line(capsys, tmp_path) -> None:
    code, out, _ = run(capsys, "build", HELLO, "-o", tmp_path / "h.keras")
    assert code == 0
    assert out.splitlines()[-2] == (
        "cost: 525 parameters, 9.3 KiB to train at batch 1 (activations 1.1 KiB), "
        "11.1e3 FLOPs per step"
    )
