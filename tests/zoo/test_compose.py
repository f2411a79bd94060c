"""extends, overrides, and the resolved spec (shown, saved and reloaded unchanged)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml

import zoo
from zoo.spec import to_yaml

BASE = """\
version: 1
name: base
architecture: many_to_one
cell: lstm
inputs: {length: 10, features: 3}
model: {units: 8, layers: 2, dropout: 0.1}
outputs: {units: 1}
compile:
  optimizer: {name: adam, learning_rate: 0.01}
"""


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(textwrap.dedent(text))
    return path


def test_extends_deep_merges_relative_to_the_spec(tmp_path: Path) -> None:
    write(tmp_path / "bases", "base.yaml", BASE)
    child = write(
        tmp_path / "specs",
        "child.yaml",
        """\
        extends: ../bases/base.yaml
        name: child
        cell: gru
        model: {units: [16, 4]}
        compile:
          optimizer: {learning_rate: 0.5}
        """,
    )
    spec = zoo.load_spec(child)
    assert (spec.name, spec.cell) == ("child", "gru")
    assert spec.model.units == [16, 4]
    assert spec.model.dropout == 0.1  # kept from the base: mappings merge key by key
    assert spec.compile.optimizer.name == "adam"
    assert spec.compile.optimizer.learning_rate == 0.5


def test_naming_another_source_or_optimizer_drops_the_base_arguments(tmp_path: Path) -> None:
    """Arguments belong to the thing named: a child that switches the data source or
    the optimizer starts their args afresh, while one that keeps them merges."""
    base = BASE.replace(
        "  optimizer: {name: adam, learning_rate: 0.01}\n",
        "  optimizer: {name: sgd, args: {momentum: 0.9}}\n"
        "data:\n  source: adding\n  args: {samples: 100, length: 10}\n",
    )
    write(tmp_path, "base.yaml", base)
    switched = write(
        tmp_path,
        "switched.yaml",
        """\
        extends: base.yaml
        compile:
          optimizer: {name: adam}
        data:
          source: sine
          args: {series_length: 200}
        """,
    )
    spec = zoo.load_spec(switched)
    assert (spec.compile.optimizer.name, spec.compile.optimizer.args) == ("adam", {})
    assert (spec.data.source, spec.data.args) == ("sine", {"series_length": 200})
    kept = write(tmp_path, "kept.yaml", "extends: base.yaml\ndata: {args: {samples: 20}}\n")
    spec = zoo.load_spec(kept)
    assert spec.data.args == {"samples": 20, "length": 10}
    assert spec.compile.optimizer.args == {"momentum": 0.9}


def test_errors_point_into_the_file_that_wrote_the_value(tmp_path: Path) -> None:
    base = write(tmp_path, "base.yaml", BASE.replace("dropout: 0.1", "dropout: 2"))
    child = write(tmp_path, "child.yaml", "extends: base.yaml\nname: child\n")
    (problem,) = zoo.validate(child)
    assert (
        str(problem) == f"{base.resolve()}:6:30: model.dropout: must be a number in [0, 1), got 2"
    )


def test_overrides_from_api_and_command_line_agree(tmp_path: Path) -> None:
    path = write(tmp_path, "base.yaml", BASE)
    from_api = zoo.load_spec(path, {"model.units": [32, 32], "cell": "rnn", "model.units.1": 4})
    from_cli = zoo.load_spec(path, ["model.units=[32, 32]", "cell=rnn", "model.units.1=4"])
    assert from_api == from_cli
    assert from_api.model.units == [32, 4]
    assert from_api.cell == "rnn"


def test_override_creates_missing_sections(tmp_path: Path) -> None:
    path = write(tmp_path, "base.yaml", BASE)
    spec = zoo.load_spec(path, ["compile.clipnorm=1.5", "compile.optimizer.args.beta_1=0.8"])
    assert spec.compile.clipnorm == 1.5
    assert spec.compile.optimizer.args == {"beta_1": 0.8}


def test_an_override_reaches_into_the_section_a_shorthand_stands_for() -> None:
    """`loss: quantile` is the quantile loss's section with its defaults, so its
    quantiles can be set; a Keras loss's name stays a value."""
    spec = zoo.load_spec(
        "forecaster_gru", ["compile.loss=quantile", "compile.loss.quantiles=[0.05, 0.5, 0.95]"]
    )
    assert spec.compile.loss.name == "quantile"
    assert spec.compile.loss.quantiles == [0.05, 0.5, 0.95]
    with pytest.raises(zoo.SpecError, match=r"compile\.loss is a value, not a section"):
        zoo.load_spec("forecaster_gru", ["compile.loss=mse", "compile.loss.quantiles=[0.5]"])


def test_resolved_spec_round_trips_through_yaml(tmp_path: Path) -> None:
    spec = zoo.load_spec(write(tmp_path, "base.yaml", BASE), ["seed=null"])
    again = zoo.load_spec(yaml.safe_load(to_yaml(spec)))
    assert again == spec
    assert again.seed is None


def test_spec_objects_and_mappings_are_accepted(tmp_path: Path) -> None:
    spec = zoo.load_spec(write(tmp_path, "base.yaml", BASE))
    assert zoo.load_spec(spec) is spec
    assert zoo.load_spec(spec, {"model.units": 4}).model.units == 4
    assert zoo.load_spec(yaml.safe_load(BASE)) == spec


def test_importing_zoo_and_validating_does_not_load_tensorflow(tmp_path: Path) -> None:
    path = write(tmp_path, "base.yaml", BASE)
    code = (
        "import sys, zoo; zoo.load_spec(sys.argv[1]); "
        "print('tensorflow' in sys.modules, 'keras' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(path)], capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == ["False", "False"]
