"""The spec's field reference as Markdown, generated from the schema itself, so the
documentation's reference cannot drift from what the validator accepts."""

from __future__ import annotations

import json
import types
import typing
from typing import Any

from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from zoo.spec.schema import RegistryName, Spec, section_in


def markdown() -> str:
    lines = ["| key | type | default | meaning |", "| --- | --- | --- | --- |"]
    lines += _rows(Spec, "")
    return "\n".join(lines) + "\n"


def _rows(model: type[BaseModel], prefix: str) -> list[str]:
    rows = []
    for name, field in model.model_fields.items():
        path = f"{prefix}{field.alias or name}"
        section = section_in(field.annotation)
        doc = field.description or _summary(section)
        if not doc:  # the reference would show a field with no meaning
            raise ValueError(f"{path}: no description in the schema")
        annotation = field.annotation
        if field.metadata:  # pydantic moves a field's own Annotated metadata here
            annotation = typing.Annotated[annotation, *field.metadata]
        row = [f"`{path}`", _type_name(annotation), _default(field), doc.replace("|", "\\|")]
        rows.append("| " + " | ".join(row) + " |")
        if section is not None:
            keyed = typing.get_origin(field.annotation) is dict  # a mapping of sections
            rows += _rows(section, f"{path}.PATH." if keyed else f"{path}.")
    return rows


def _summary(section: type[BaseModel] | None) -> str:
    """A section's one-line docstring (its own, not one inherited from BaseModel)."""
    doc = section.__dict__.get("__doc__") if section else None
    return doc.strip().splitlines()[0] if doc else ""


def _default(field: Any) -> str:
    if field.default is PydanticUndefined and field.default_factory is None:
        return "required"
    if field.default_factory is not None:
        value = field.default_factory()
        return "" if isinstance(value, BaseModel) else f"`{json.dumps(value)}`"
    return f"`{json.dumps(field.default)}`"


def _type_name(annotation: Any) -> str:
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        base, *metadata = typing.get_args(annotation)
        for item in metadata:
            if isinstance(item, RegistryName):
                return " \\| ".join(f"`{name}`" for name in item.registry)
        return _type_name(base)
    if origin is typing.Literal:
        return " \\| ".join(f"`{v}`" for v in typing.get_args(annotation))
    if origin in (types.UnionType, typing.Union):
        return " or ".join(_type_name(a) for a in typing.get_args(annotation))
    if origin in (list, dict):
        return {list: "list", dict: "mapping"}[origin]
    if annotation is type(None):
        return "null"
    return getattr(annotation, "__name__", str(annotation)).replace("Spec", "spec")
