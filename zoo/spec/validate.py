"""Document -> Spec, or a SpecError whose every problem says file:line:col, key, what."""

from __future__ import annotations

import difflib
from typing import Any

import pydantic
from pydantic import BaseModel

from zoo.errors import Problem, SpecError
from zoo.spec.document import Document, KeyPath, dotted
from zoo.spec.rules import check_rules
from zoo.spec.schema import Spec
from zoo.spec.space import check_candidates


def validate_document(document: Document) -> Spec:
    try:
        spec = Spec.model_validate(document.data)
    except pydantic.ValidationError as error:
        problems = [_problem(e, document) for e in error.errors(include_url=False)]
        raise SpecError(_unique(problems)) from None
    problems = [
        Problem(message, dotted(path), document.location(path))
        for path, message in check_rules(spec)
    ]
    if not problems and spec.tune is not None:
        problems = check_candidates(spec, document, validate_document)
    if problems:
        raise SpecError(problems)
    return spec


def _problem(error: dict[str, Any], document: Document) -> Problem:
    path: KeyPath = tuple(error["loc"])
    kind, value = error["type"], error.get("input")
    if kind == "missing":
        return Problem("required key is missing", dotted(path), document.location(path[:-1]))
    if kind == "extra_forbidden":
        return Problem(_unknown_key(path), dotted(path), document.location(path))
    message = error["msg"].removeprefix("Value error, ")
    if message.startswith("Input should be "):
        message = "must be " + message.removeprefix("Input should be ")
        message += f", got {_show(value)}"
    return Problem(message, dotted(path), document.location(path))


def _unknown_key(path: KeyPath) -> str:
    known = _fields_at(path[:-1])
    message = f"unknown key {path[-1]!r}"
    close = difflib.get_close_matches(str(path[-1]), known, n=1, cutoff=0.6)
    if close:
        return f"{message}; did you mean {close[0]!r}?"
    return f"{message}; valid keys here: {', '.join(known)}" if known else message


def _fields_at(path: KeyPath) -> list[str]:
    """The keys the schema allows at a path (empty where the schema has no fixed keys)."""
    model: Any = Spec
    for key in path:
        if isinstance(key, int) or not (isinstance(model, type) and issubclass(model, BaseModel)):
            return []
        field = model.model_fields.get(key)
        if field is None:
            return []
        model = _section_type(field.annotation)
    if isinstance(model, type) and issubclass(model, BaseModel):
        return [field.alias or name for name, field in model.model_fields.items()]
    return []


def _section_type(annotation: Any) -> Any:
    """``Inputs`` from ``Inputs`` or ``Inputs | None``."""
    for candidate in (annotation, *getattr(annotation, "__args__", ())):
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
    return None


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _unique(problems: list[Problem]) -> list[Problem]:
    """Without repeats, in the order they appear in the files."""
    return sorted(dict.fromkeys(problems), key=_position)


def _position(problem: Problem) -> tuple[str, int, int]:
    where = problem.location
    if where is None:
        return ("", 0, 0)
    return (where.source, where.line or 0, where.column or 0)
