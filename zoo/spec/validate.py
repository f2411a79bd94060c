"""Document -> Spec, or a SpecError whose every problem says file:line:col, key, what."""

from __future__ import annotations

import difflib
from typing import Any

import pydantic
from pydantic import BaseModel

from zoo.errors import Problem, SpecError
from zoo.spec.arguments import spec_argument_problems
from zoo.spec.cost import MaxMemory, fit_findings, memory_limit
from zoo.spec.document import Document, KeyPath, dotted
from zoo.spec.rules import check_rules
from zoo.spec.schema import LOSS_FORMS, Spec, section_in
from zoo.spec.space import check_candidates


def validate_document(document: Document, max_memory: MaxMemory = None) -> Spec:
    """The valid spec, or every problem located. A spec that passes the rules is also
    refused when training it would need more than ``max_memory`` (whatever the machine,
    more than the cost estimate's MAX_PARAMETERS)."""
    try:
        spec = Spec.model_validate(document.data)
    except pydantic.ValidationError as error:
        problems = [pydantic_problem(e, document) for e in error.errors(include_url=False)]
        raise SpecError(_unique(problems)) from None
    problems = [
        Problem(message, dotted(path), document.location(path))
        for path, message in check_rules(spec)
    ]
    problems += spec_argument_problems(spec, document)
    if not problems:  # the estimate reads a spec the rules have passed
        problems = [
            Problem(message, dotted(path), document.location(path))
            for path, message in fit_findings(spec, memory_limit(max_memory))
        ]
    if not problems and spec.tune is not None:
        problems = check_candidates(spec, document, validate_document)
    if problems:
        raise SpecError(problems)
    return spec


def pydantic_problem(
    error: dict[str, Any],
    document: Document | None,
    prefix: KeyPath = (),
    known: list[str] | None = None,
) -> Problem:
    """A pydantic error as a Problem. ``prefix`` is where the validated model sits in
    the spec; ``known``, its keys where the schema of Spec does not list them."""
    path = _untagged(prefix + tuple(error["loc"]))

    def where(at: KeyPath) -> Any:
        return document.location(at) if document is not None else None

    kind, value = error["type"], error.get("input")
    if kind == "missing":
        return Problem("required key is missing", dotted(path), where(path[:-1]))
    if kind == "extra_forbidden":
        return Problem(_unknown_key(path, known), dotted(path), where(path))
    message = error["msg"].removeprefix("Value error, ")
    if message.startswith("Input should be "):
        message = "must be " + message.removeprefix("Input should be ")
        message += f", got {_show(value)}"
    return Problem(message, dotted(path), where(path))


def _untagged(path: KeyPath) -> KeyPath:
    """The path without the form pydantic names after a key that takes several
    (compile.loss.quantile.quantiles is the spec's compile.loss.quantiles)."""
    if path[:2] == ("compile", "loss") and len(path) > 2 and path[2] in LOSS_FORMS:
        return path[:2] + path[3:]
    return path


def _unknown_key(path: KeyPath, known: list[str] | None = None) -> str:
    known = known if known is not None else _fields_at(path[:-1])
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
        model = section_in(field.annotation)
    if isinstance(model, type) and issubclass(model, BaseModel):
        return [field.alias or name for name, field in model.model_fields.items()]
    return []


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
