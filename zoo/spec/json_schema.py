"""The spec's JSON Schema for editors, with each registered thing's own arguments.

``data.args``, ``compile.optimizer.args``, its schedule's ``args`` and a callback's
``args`` are free mappings in the pydantic schema, since what they take depends on a
name beside them. Here each gets an ``if name is X then args are X's`` clause, built
from the same typed arguments that validation checks them with, so an editor
(yaml-language-server) completes and checks them as it does the rest of the spec.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import BaseModel

from zoo.spec.arguments import keras_arguments
from zoo.spec.keras_catalog import PARAMETERS
from zoo.spec.schema import Spec


def spec_json_schema() -> dict[str, Any]:
    from zoo.registry import CALLBACKS, DATASETS

    schema = Spec.model_json_schema()
    definitions = schema.setdefault("$defs", {})
    sources = {name: DATASETS[name].load().Args for name in DATASETS}
    _by_name(definitions, "Data", "source", sources, _exactly)
    _by_name(definitions, "Callback", "name", _keras("callback", list(CALLBACKS)), _exactly)
    for section in ("Optimizer", "Schedule"):
        kind = section.lower()
        _by_name(definitions, section, "name", _keras(kind, list(PARAMETERS[kind])), _spelled)
    return schema


def _exactly(name: str) -> dict[str, Any]:
    return {"const": name}


def _spelled(key: str) -> dict[str, Any]:
    """Any spelling of a Keras class that ``class_key`` maps to ``key``: "adam", "Adam",
    "ExponentialDecay", "exponential_decay" (JSON Schema patterns have no flags)."""
    letters = "_?".join(f"[{c}{c.upper()}]" if c.isalpha() else c for c in key)
    return {"pattern": f"^{letters}$"}


def _keras(kind: str, names: list[str]) -> dict[str, type[BaseModel]]:
    found = {name: keras_arguments(kind, name) for name in names}
    return {name: model for name, model in found.items() if model is not None}


def _by_name(
    definitions: dict[str, Any],
    section: str,
    key: str,
    arguments: dict[str, type[BaseModel]],
    matching: Callable[[str], dict[str, Any]],
) -> None:
    """In ``section``'s definition: where ``key`` names one, ``args`` are its arguments."""
    clauses = []
    for name, model in arguments.items():
        args = model.model_json_schema(ref_template="#/$defs/{model}")
        definitions.update(args.pop("$defs", {}))
        clauses.append(
            {
                "if": {"properties": {key: matching(name)}, "required": [key]},
                "then": {"properties": {"args": args}},
            }
        )
    definitions[section]["allOf"] = clauses
