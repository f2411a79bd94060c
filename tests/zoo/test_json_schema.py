"""`zoo schema`: the JSON Schema editors complete specs with, registered arguments
included (data.args by source, optimizer, schedule and callback args by name)."""

from __future__ import annotations

import copy

import jsonschema
import pytest

import zoo
from zoo.spec import to_data
from zoo.spec.json_schema import spec_json_schema
from zoo.spec.shipped import shipped_names

SCHEMA = spec_json_schema()
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)


def errors(document: dict) -> list[str]:
    """Each failure at its deepest place (an optional section is an anyOf with null)."""
    return [
        f"{'.'.join(map(str, e.absolute_path))}: {e.message}"
        for error in VALIDATOR.iter_errors(document)
        for e in _leaves(error)
    ]


def _leaves(error: jsonschema.ValidationError) -> list[jsonschema.ValidationError]:
    if not error.context:
        return [error]
    return [leaf for child in error.context for leaf in _leaves(child)]


@pytest.mark.parametrize("name", shipped_names())
def test_every_shipped_spec_fits_the_schema(name: str) -> None:
    assert errors(to_data(zoo.load_spec(name))) == []


def test_the_schema_itself_is_valid() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


def spec_with(path: list[str], value: object) -> dict:
    document = copy.deepcopy(to_data(zoo.load_spec("sentiment_bilstm")))
    target = document
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return document


@pytest.mark.parametrize(
    ("path", "good", "bad", "where"),
    [
        (["data", "args", "lenght"], None, 20, "data.args"),
        (["data", "args", "length"], 20, "twenty", "data.args.length"),
    ],
)
def test_data_args_are_typed_by_source(path, good, bad, where) -> None:
    if good is not None:
        assert errors(spec_with(path, good)) == []
    assert any(e.startswith(where) for e in errors(spec_with(path, bad)))


def test_callback_optimizer_and_schedule_args_by_name() -> None:
    def callbacks(args: dict) -> dict:
        return spec_with(["train", "callbacks"], [{"name": "early_stopping", "args": args}])

    assert errors(callbacks({"patience": 3})) == []
    assert any("'patiense'" in e for e in errors(callbacks({"patiense": 3})))
    for name in ("adam", "Adam"):
        optimizer = {"name": name, "learning_rate": 0.01, "args": {"beta_1": 0.8}}
        assert errors(spec_with(["compile", "optimizer"], optimizer)) == []
        optimizer["args"] = {"beta1": 0.8}
        assert any("'beta1'" in e for e in errors(spec_with(["compile", "optimizer"], optimizer)))
    schedule = {"name": "ExponentialDecay", "args": {"decay_steps": 10, "decay_rate": 0.9}}
    optimizer = {"name": "sgd", "learning_rate": 0.1, "schedule": schedule}
    assert errors(spec_with(["compile", "optimizer"], optimizer)) == []
    schedule["args"] = {"decay_step": 10}
    assert errors(spec_with(["compile", "optimizer"], optimizer))
