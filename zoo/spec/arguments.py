"""Every ``args`` mapping of a spec checked in one pass, each problem at its key.

A data source declares its arguments as a pydantic model; an optimizer, a
learning-rate schedule or a callback takes its Keras constructor's parameters,
read from ``keras_catalog`` so that checking them needs no TensorFlow. Both go
through the same check: unknown keys (with "did you mean"), missing required
ones, and for sources the values' types.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pydantic
from pydantic import BaseModel, ConfigDict

from zoo.errors import Problem
from zoo.spec.document import Document, KeyPath, dotted
from zoo.spec.keras_catalog import PARAMETERS
from zoo.spec.keras_names import class_key
from zoo.spec.schema import Spec

# Parameters the spec sets through keys of its own, so they may not appear in args.
SET_BY_THE_SPEC: dict[str, dict[str, str]] = {
    "optimizer": {
        "learning_rate": "compile.optimizer.learning_rate",
        **{name: f"compile.{name}" for name in ("clipnorm", "clipvalue", "global_clipnorm")},
    },
    "schedule": {"initial_learning_rate": "compile.optimizer.learning_rate"},
    "callback": {},
}


def keras_arguments(kind: str, name: str) -> type[BaseModel] | None:
    """The arguments of a Keras class by the name the spec gives it (None when the
    catalog does not list it: an unknown name is reported by the name check)."""
    key = name if kind == "callback" else class_key(name)
    found = PARAMETERS[kind].get(key)
    if found is None:
        return None
    fields: dict[str, Any] = {
        parameter: (Any, ... if required else None)
        for parameter, required in found.items()
        if parameter not in SET_BY_THE_SPEC[kind]
    }
    return pydantic.create_model(  # type: ignore[call-overload]
        f"{name}_arguments", __config__=ConfigDict(extra="forbid"), **fields
    )


def spec_argument_problems(spec: Spec, document: Document | None) -> list[Problem]:
    """Problems of data.args, compile.optimizer.args, its schedule's args and each
    callback's args."""
    from zoo.registry import DATASETS  # the sources' modules need no TensorFlow

    problems = []
    if spec.data is not None:
        source = DATASETS[spec.data.source].load()
        problems += _set_by_the_spec(
            source.set_by_the_spec, spec.data.args, ("data", "args"), document
        )
        rest = {k: v for k, v in spec.data.args.items() if k not in source.set_by_the_spec}
        problems += argument_problems(source.Args, rest, document)
    optimizer = spec.compile.optimizer
    where: KeyPath = ("compile", "optimizer")
    named = [("optimizer", optimizer.name, optimizer.args, (*where, "args"))]
    if optimizer.schedule is not None:
        schedule = optimizer.schedule
        named.append(("schedule", schedule.name, schedule.args, (*where, "schedule", "args")))
    for i, callback in enumerate(spec.train.callbacks if spec.train else []):
        named.append(("callback", callback.name, callback.args, ("train", "callbacks", i, "args")))
    for kind, name, values, prefix in named:
        arguments = keras_arguments(kind, name)
        if arguments is None:
            continue
        own = SET_BY_THE_SPEC[kind]
        problems += _set_by_the_spec(own, values, prefix, document)
        rest = {key: value for key, value in values.items() if key not in own}
        problems += argument_problems(arguments, rest, document, prefix)
    return problems


def _set_by_the_spec(
    own: Mapping[str, str], values: dict[str, Any], prefix: KeyPath, document: Document | None
) -> list[Problem]:
    return [
        Problem(
            f"is set by {own[key]}, not in args",
            dotted((*prefix, key)),
            _at(document, (*prefix, key)),
        )
        for key in values
        if key in own
    ]


def _at(document: Document | None, path: KeyPath) -> Any:
    return document.location(path) if document is not None else None


def argument_problems(
    arguments: type[BaseModel],
    values: dict[str, Any],
    document: Document | None = None,
    prefix: KeyPath = ("data", "args"),
) -> list[Problem]:
    """``values`` against typed ``arguments``: every problem, located in ``document``
    where there is one (a spec built in Python has none)."""
    from zoo.spec.validate import pydantic_problem

    try:
        arguments.model_validate(values)
    except pydantic.ValidationError as error:
        return [
            pydantic_problem(e, document, prefix, known=list(arguments.model_fields))
            for e in error.errors(include_url=False)
        ]
    return []
