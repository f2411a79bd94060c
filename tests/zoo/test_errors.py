"""Every class of spec error: the exact location (file:line:col), key and message."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

import zoo
from zoo.errors import SpecError

VALID = """\
version: 1
name: t
architecture: many_to_one
cell: lstm
inputs:
  length: 10
  features: 3
model:
  units: 8
outputs:
  units: 1
"""


def write(tmp_path: Path, text: str, name: str = "spec.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return path


def problems(source, overrides=None) -> list[str]:
    with pytest.raises(SpecError) as caught:
        zoo.load_spec(source, overrides)
    return [str(p) for p in caught.value.problems]


def test_valid_spec_has_no_problems(tmp_path: Path) -> None:
    assert zoo.validate(write(tmp_path, VALID)) == []


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("  units: 8", "  units: -4", "{f}:9:3: model.units: must be a positive integer, got -4"),
        (
            "  units: 8",
            "  unit: 8",
            "{f}:9:3: model.unit: unknown key 'unit'; did you mean 'units'?",
        ),
        (
            "  units: 8",
            "  units: [8, 0]",
            "{f}:9:3: model.units: must be a positive integer, got 0",
        ),
        (
            "  units: 8",
            "  units: []",
            "{f}:9:3: model.units: must be a positive integer or a non-empty list of them, got []",
        ),
        (
            "  units: 8",
            "  dropout: 1.5",
            "{f}:9:3: model.dropout: must be a number in [0, 1), got 1.5",
        ),
        (
            "  units: 8",
            "  bidirectional: maybe",
            "{f}:9:3: model.bidirectional: must be a valid boolean, got 'maybe'",
        ),
        ("cell: lstm", "cell: lstmm", "{f}:4:1: cell: must be 'rnn', 'lstm' or 'gru', got 'lstmm'"),
        (
            "architecture: many_to_one",
            "architecture: tree",
            "{f}:3:1: architecture: must be "
            "'one_to_one', 'one_to_many', 'many_to_one', 'many_to_many', 'seq2seq' or "
            "'language_model', got 'tree'",
        ),
        ("version: 1", "version: 2", "{f}:1:1: version: must be 1, got 2"),
        ("name: t\n", "", "{f}: name: required key is missing"),
        (
            "  features: 3\n",
            "  features: 3\n  colour: red\n",
            "{f}:8:3: inputs.colour: unknown "
            "key 'colour'; valid keys here: length, features, vocab_size, encoding, embedding",
        ),
        (
            "outputs:\n  units: 1\n",
            "outputs:\n  units: 1\nfrobnicate: 1\n",
            "{f}:12:1: "
            "frobnicate: unknown key 'frobnicate'; valid keys here: version, name, description, "
            "architecture, cell, implementation, seed, inputs, model, outputs, compile, train, "
            "data, tune",
        ),
    ],
)
def test_schema_errors(tmp_path: Path, old: str, new: str, expected: str) -> None:
    assert old in VALID
    path = write(tmp_path, VALID.replace(old, new, 1))
    assert problems(path)[0] == expected.format(f=path)


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (
            ("  units: 1\n", "  units: 1\ncompile:\n  clipnorm: 1.0\n  clipvalue: 0.5\n"),
            "{f}:14:3: compile.clipvalue: choose one gradient clipping option, got clipnorm and "
            "clipvalue",
        ),
        (
            ("  features: 3", "  features: 3\n  embedding: {dim: 4, mask_zero: true}"),
            "{f}:8:3: inputs.embedding: an embedding needs inputs.vocab_size",
        ),
        (
            ("  features: 3", "  vocab_size: 50"),
            "{f}:5:1: inputs.embedding: token inputs need an embedding: {{dim: ...}}",
        ),
        (
            ("  features: 3", "  vocab_size: 50\n  encoding: one_hot\n  embedding: {dim: 4}"),
            "{f}:9:3: inputs.embedding: one-hot inputs have no embedding: remove it",
        ),
        (
            ("  features: 3", "  features: 3\n  encoding: one_hot"),
            "{f}:8:3: inputs.encoding: one-hot inputs are tokens: give inputs.vocab_size",
        ),
        (("  features: 3", "  vocab_size: 50\n  encoding: one_hot"), None),
        (
            ("  features: 3", "  features: 3\n  vocab_size: 50\n  embedding: {dim: 4}"),
            "{f}:5:1: inputs: give exactly one of inputs.features or inputs.vocab_size",
        ),
        (
            ("architecture: many_to_one", "architecture: seq2seq"),
            "{f}:10:1: outputs.vocab_size: seq2seq needs the target vocabulary size",
        ),
        (("cell: lstm", "cell: gru\n"), None),
        (("  units: 1\n", "  units: 1\ntrain:\n  truncate: 3\n"), None),
        (
            ("  units: 1\n", "  units: 1\ntrain:\n  truncate: 0\n"),
            "{f}:13:3: train.truncate: must be a positive integer, got 0",
        ),
        (
            ("  units: 1\n", "  units: 1\nimplementation: keras\ntrain:\n  truncate: 3\n"),
            "{f}:14:3: train.truncate: Keras's built-in layers cannot truncate the gradient: "
            "use implementation: custom",
        ),
        (
            (
                "architecture: many_to_one\ncell: lstm\ninputs:\n  length: 10\n",
                "architecture: one_to_one\ntrain:\n  truncate: 2\ninputs:\n",
            ),
            "{f}:5:3: train.truncate: one_to_one has no recurrence to truncate",
        ),
        (
            ("  units: 8", "  units: 8\n  reset_after: false"),
            "{f}:10:3: model.reset_after: applies to gru only, not lstm",
        ),
        (("cell: lstm", "cell: rnn"), None),
        (
            ("  units: 8", "  units: 8\n  attention: luong"),
            "{f}:10:3: model.attention: attention applies to seq2seq only",
        ),
        (
            ("  units: 8", "  units: [8, 4]\n  layers: 3"),
            "{f}:10:3: model.layers: is 3 but model.units lists 2 widths",
        ),
        (
            ("  units: 8", "  units: 8\n  merge_mode: sum"),
            "{f}:10:3: model.merge_mode: applies with bidirectional: true only",
        ),
        (("outputs:\n  units: 1\n", ""), "{f}: outputs.units: many_to_one needs the output width"),
        (
            ("  units: 8", "  units: [8, 4]\n  residual: true\n  layers: 2"),
            "{f}:10:3: model.residual: residual connections need equal widths in model.units",
        ),
    ],
)
def test_rule_errors(tmp_path: Path, edit: tuple[str, str], expected: str | None) -> None:
    old, new = edit
    path = write(tmp_path, VALID.replace(old, new, 1))
    if expected is None:  # a control: the edit alone is valid
        assert zoo.validate(path) == []
        return
    assert expected.format(f=path) in problems(path)


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (
            ("  units: 8", "  units: 8\n  activation: tanhh"),
            "{f}:10:3: model.activation: Keras has no activation named 'tanhh'",
        ),
        (
            ("  units: 8", "  units: 8\n  kernel_initializer: glorot_unifrom"),
            "{f}:10:3: model.kernel_initializer: Keras has no initializer named 'glorot_unifrom'",
        ),
        (
            ("outputs:\n  units: 1\n", "outputs:\n  units: 1\ncompile:\n  loss: msee\n"),
            "{f}:13:3: compile.loss: Keras has no loss named 'msee'",
        ),
        (
            ("outputs:\n  units: 1\n", "outputs:\n  units: 1\ncompile:\n  metrics: [mae, acc_x]\n"),
            "{f}:13:18: compile.metrics.1: Keras has no metric named 'acc_x'",
        ),
    ],
)
def test_keras_name_errors(tmp_path: Path, edit: tuple[str, str], expected: str) -> None:
    old, new = edit
    path = write(tmp_path, VALID.replace(old, new, 1))
    assert [str(p) for p in zoo.validate(path)] == [expected.format(f=path)]
    with pytest.raises(SpecError) as caught:
        zoo.build(path)
    assert str(caught.value) == expected.format(f=path)


def test_unknown_optimizer_lists_valid_names(tmp_path: Path) -> None:
    path = write(tmp_path, VALID + "compile:\n  optimizer: {name: adamm}\n")
    (problem,) = zoo.validate(path)
    assert str(problem).startswith(
        f"{path}:13:15: compile.optimizer.name: unknown optimizer 'adamm'; valid: "
    )
    assert "Adam" in str(problem) and "SGD" in str(problem)


def test_bad_optimizer_argument(tmp_path: Path) -> None:
    path = write(tmp_path, VALID + "compile:\n  optimizer: {name: sgd, args: {momentun: 0.9}}\n")
    assert problems(path) == [
        f"{path}:13:33: compile.optimizer.args.momentun: unknown key 'momentun'; "
        "did you mean 'momentum'?"
    ]


def test_bad_optimizer_argument_value(tmp_path: Path) -> None:
    """A value only Keras can judge is reported at the optimizer's args when it builds."""
    path = write(tmp_path, VALID + "compile:\n  optimizer: {name: sgd, args: {momentum: 2.0}}\n")
    with pytest.raises(SpecError, match=rf"^{path}:13:26: compile.optimizer.args: sgd: .*momentum"):
        zoo.build(path)


def test_several_problems_are_all_reported(tmp_path: Path) -> None:
    path = write(tmp_path, VALID.replace("  units: 8", "  units: 0\n  dropout: -1\n  layrs: 2"))
    assert len(problems(path)) == 3


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "{f}:1: the spec is empty"),
        ("# only a comment\n", "{f}:1: the spec is empty"),
        ("- a\n- b\n", "{f}:1: a spec is a mapping of keys to values, got a list"),
        ("just text\n", "{f}:1: a spec is a mapping of keys to values, got a str"),
        (
            "name: [unclosed\n",
            "{f}:2:1: invalid YAML: while parsing a flow sequence expected ',' "
            "or ']', but got '<stream end>'",
        ),
        (
            "a: 1\na: 2\n",
            "{f}:2:1: a is given twice (first at line 1); YAML would keep only this one: "
            "remove one of them",
        ),
        (
            "train:\n  epochs: 1\n  batch_size: 8\n  epochs: 100\n",
            "{f}:4:3: train.epochs is given twice (first at line 2); YAML would keep only "
            "this one: remove one of them",
        ),
        (
            "x: !!python/object/apply:os.system ['echo hi']\n",
            "{f}:1:4: YAML tags that build "
            "objects are not allowed in a spec (could not determine a constructor for the tag "
            "'tag:yaml.org,2002:python/object/apply:os.system')",
        ),
    ],
)
def test_file_level_errors(tmp_path: Path, text: str, expected: str | None) -> None:
    path = write(tmp_path, text)
    found = problems(path)
    if expected is not None:
        assert found == [expected.format(f=path)]


def test_a_merged_key_may_be_given_again(tmp_path: Path) -> None:
    """YAML's merge key (<<) brings keys in to be overridden: not a key given twice."""
    path = write(tmp_path, "x-base: &base {units: 8}\nmodel:\n  <<: *base\n  units: 16\n")
    assert not any("given twice" in p for p in problems(path))


def test_alias_bomb_is_refused_quickly(tmp_path: Path) -> None:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
    path = write(tmp_path, "\n".join(lines) + "\n")
    assert problems(path) == [
        f"{path}: the document expands to more than 20000 values (an alias bomb?)"
    ]


def test_missing_file_and_directory(tmp_path: Path) -> None:
    assert problems(tmp_path / "nope.yaml") == [f"no such file: {tmp_path / 'nope.yaml'}"]
    assert problems(tmp_path) == [f"{tmp_path} is a directory, not a spec file"]


def test_binary_file(tmp_path: Path) -> None:
    path = tmp_path / "model.bin"
    path.write_bytes(bytes(range(256)))
    assert problems(path) == [f"{path} is not a UTF-8 text file"]


def test_extends_errors(tmp_path: Path) -> None:
    write(tmp_path, "extends: b.yaml\n", "a.yaml")
    write(tmp_path, "extends: a.yaml\n", "b.yaml")
    (found,) = problems(tmp_path / "a.yaml")
    assert found.endswith("extends: extends itself in a cycle: a.yaml -> b.yaml -> a.yaml")
    write(tmp_path, "extends: missing.yaml\nname: x\n", "c.yaml")
    assert problems(tmp_path / "c.yaml") == [
        f"{tmp_path / 'c.yaml'}:1:1: extends: no such file: missing.yaml"
    ]


def test_override_errors(tmp_path: Path) -> None:
    path = write(tmp_path, VALID)
    assert problems(path, ["model.units"]) == [
        "--set: expected KEY=VALUE (e.g. model.units=128), got 'model.units'"
    ]
    assert problems(path, ["model.units=-1"]) == [
        "--set model.units=-1: model.units: must be a positive integer, got -1"
    ]
    assert problems(path, ["model.units.x=1"]) == [
        "--set model.units.x=1: model.units.x: model.units is a value, not a section"
    ]
    assert problems(path, {"model.unit": 3}) == [
        "--set model.unit=3: model.unit: unknown key 'unit'; did you mean 'units'?"
    ]


def test_control_character(tmp_path: Path) -> None:
    path = write(tmp_path, "name: a\nversion: \x07\n")
    assert problems(path) == [
        f"{path}:2:10: invalid YAML: character U+0007 is not allowed (special characters are "
        "not allowed)"
    ]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            "    lenght: 10",
            ["{f}:15:5: data.args.lenght: unknown key 'lenght'; did you mean 'length'?"],
        ),
        (
            "    speed: 10",
            ["{f}:15:5: data.args.speed: unknown key 'speed'; valid keys here: samples, length"],
        ),
        (
            "    samples: many\n    length: 1",
            [
                "{f}:15:5: data.args.samples: must be a valid integer, got 'many'",
                "{f}:16:5: data.args.length: must be greater than or equal to 2, got 1",
            ],
        ),
        ("    length: 10", []),  # a control: a valid argument
    ],
)
def test_data_argument_errors_are_found_by_validate(
    tmp_path: Path, args: str, expected: list[str]
) -> None:
    """A source's own arguments are checked with the spec, so `zoo validate` catches a
    misspelt one and says where, rather than `zoo train` only, without a position."""
    data = "data:\n  source: adding\n  args:\n" + args + "\n"
    path = write(tmp_path, VALID + data)
    assert [str(p) for p in zoo.validate(path)] == [e.format(f=path) for e in expected]
