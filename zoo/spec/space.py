"""The tune section's rules: a search space is checked like the rest of the spec.

Each searched path must name a spec field, each range must hold a value, and
every value the tuner may try must give a valid spec. The last is checked by
applying the value to the spec and validating the result, so a choice the field
would reject is reported before any trial runs, at the value that causes it.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from typing import Any

from zoo.errors import Problem, SpecError
from zoo.spec.compose import apply_overrides
from zoo.spec.document import Document, Finding, KeyPath, dotted
from zoo.spec.metrics import metric_direction, unlogged
from zoo.spec.schema import Parameter, Spec, Tune

# Fields a sweep may not change: they say what the spec is and how it is swept.
UNSEARCHABLE = ("version", "name", "description", "tune")
# Pairs of values checked together; far more than a real space has (a space of
# hundreds of choices would otherwise take minutes to validate).
MAX_PAIR_CHECKS = 5000


def objective_direction(tune: Tune) -> str | None:
    """min or max: as given, else inferred from the metric's name (None if it cannot be)."""
    return tune.direction or metric_direction(tune.objective)


def tune_findings(spec: Spec) -> Iterator[Finding]:
    tune = spec.tune
    if tune is None:
        return
    yield from _objective(spec, tune)
    yield from _tuner_options(tune)
    if not tune.space:
        yield ("tune", "space"), "name at least one field to search, e.g. model.units"
    for path, parameter in tune.space.items():
        yield from _parameter(path, parameter, tune)


def _objective(spec: Spec, tune: Tune) -> Iterator[Finding]:
    where = ("tune", "objective")
    if spec.data is None:
        yield ("tune",), "a sweep trains every trial: add a data section"
        return
    reason = unlogged(spec, tune.objective)
    if reason is not None:
        yield where, reason
    elif objective_direction(tune) is None:
        yield (
            ("tune", "direction"),
            f"cannot tell whether to minimise {tune.objective!r}: give min or max",
        )


def _tuner_options(tune: Tune) -> Iterator[Finding]:
    if tune.tuner == "hyperband":
        if tune.max_trials is not None:
            yield ("tune", "max_trials"), "hyperband sets its trials from epochs and factor"
        if tune.factor is not None and tune.factor < 2:
            yield ("tune", "factor"), f"must be at least 2, got {tune.factor}"
    else:
        for name in ("factor", "hyperband_iterations"):
            if getattr(tune, name) is not None:
                yield ("tune", name), f"applies to the hyperband tuner only, not {tune.tuner}"
    if tune.tuner == "grid":
        for path, parameter in tune.space.items():
            if "float" in parameter.kinds_given() and parameter.step is None:
                yield ("tune", "space", path), "the grid tuner needs a step for a float range"


def _parameter(path: str, parameter: Parameter, tune: Tune) -> Iterator[Finding]:
    where: KeyPath = ("tune", "space", path)
    if not path or path.split(".")[0] in UNSEARCHABLE:
        yield where, f"cannot search {path!r}: it is not a model or training setting"
    kinds = parameter.kinds_given()
    if len(kinds) != 1:
        given = " and ".join(kinds) if kinds else "none"
        yield where, f"give exactly one of int, float, choice, boolean, fixed; got {given}"
        return
    kind = parameter.kind
    if kind in ("int", "float"):
        low, high = parameter.bounds
        if low > high:
            yield (*where, kind), f"the range [{low}, {high}] is empty: low must not exceed high"
        if parameter.sampling in ("log", "reverse_log") and low <= 0:
            yield (*where, "sampling"), f"{parameter.sampling} sampling needs a low above 0"
        if kind == "int" and parameter.step is not None and parameter.step != int(parameter.step):
            yield (*where, "step"), f"an int range needs a whole step, got {parameter.step}"
    else:
        for name in ("step", "sampling"):
            if getattr(parameter, name) is not None:
                yield (*where, name), f"applies to int and float ranges only, not {kind}"
    if kind == "choice":
        yield from _choices(where, parameter.choice or [])
    if parameter.default is not None and parameter.default not in _default_domain(parameter):
        yield (*where, "default"), f"{parameter.default!r} is not one of the values searched"
    for parent, values in parameter.when.items():
        yield from _condition(where, path, parent, values, tune)


def _choices(where: KeyPath, choices: list[Any]) -> Iterator[Finding]:
    if not choices:
        yield (*where, "choice"), "list at least one value"
    if len({type(v) for v in choices}) > 1:
        yield (
            (*where, "choice"),
            "values must all be of one type (all numbers, strings or booleans)",
        )
    if len(set(choices)) != len(choices):
        yield (*where, "choice"), "lists a value twice"


def _default_domain(parameter: Parameter) -> Any:
    """Something ``in`` answers for: is this a value the parameter can take?"""
    if parameter.kind in ("int", "float"):
        low, high = parameter.bounds
        return _Interval(low, high)
    return possible_values(parameter)


class _Interval:
    def __init__(self, low: float, high: float) -> None:
        self.low, self.high = low, high

    def __contains__(self, value: Any) -> bool:
        number = isinstance(value, (int, float)) and not isinstance(value, bool)
        return number and self.low <= value <= self.high


def possible_values(parameter: Parameter) -> list[Any]:
    """Every value of a choice, boolean or fixed; a range's two ends."""
    if parameter.kind in ("int", "float"):
        return list(parameter.bounds)
    if parameter.kind == "boolean":
        return [True, False]
    if parameter.kind == "fixed":
        return [parameter.fixed]
    return list(parameter.choice or [])


def _condition(
    where: KeyPath, path: str, parent: str, values: Any, tune: Tune
) -> Iterator[Finding]:
    at: KeyPath = (*where, "when", parent)
    searched = tune.space.get(parent)
    if parent == path:
        yield at, "a field cannot depend on itself"
    elif searched is None:
        yield at, f"{parent!r} is not searched; when names other fields of tune.space"
    elif searched.when:
        yield at, f"{parent!r} is itself conditional; a condition's field must always be searched"
    elif len(searched.kinds_given()) == 1 and searched.kind in ("int", "float"):
        yield at, f"{parent!r} is a range; a condition's field must be a choice, boolean or fixed"
    elif len(searched.kinds_given()) == 1:
        allowed = possible_values(searched)
        for value in values if isinstance(values, list) else [values]:
            if value not in allowed or type(value) is not type(allowed[0]):
                yield at, f"{value!r} is not a value {parent!r} takes; it takes {allowed}"


def conditions(parameter: Parameter) -> dict[str, list[Any]]:
    """The parameter's ``when`` with every value as a list."""
    return {p: v if isinstance(v, list) else [v] for p, v in parameter.when.items()}


def single_values(tune: Tune) -> Iterator[tuple[KeyPath, dict[str, Any]]]:
    """(where a value is written, the searched values that try it) for each value alone.

    A field is tried with its condition's first value, so the check sees the
    spec as a trial would build it.
    """
    for path, parameter in tune.space.items():
        for at, value in _located_values(path, parameter):
            yield at, active_values(tune, {path: value})


def value_pairs(tune: Tune) -> Iterator[tuple[KeyPath, dict[str, Any]]]:
    """Each value with each value of every earlier field: finds clashes (rnn with
    unit_forget_bias). Pairs whose condition fails leave the conditional field out."""
    paths = list(tune.space)
    for i, path in enumerate(paths):
        for at, value in _located_values(path, tune.space[path]):
            for other in paths[:i]:
                for _, other_value in _located_values(other, tune.space[other]):
                    yield at, active_values(tune, {other: other_value, path: value})


def _located_values(path: str, parameter: Parameter) -> list[tuple[KeyPath, Any]]:
    where: KeyPath = ("tune", "space", path, parameter.kind)
    indexed = parameter.kind in ("choice", "int", "float")
    return [
        ((*where, index) if indexed else where, value)
        for index, value in enumerate(possible_values(parameter))
    ]


def active_values(tune: Tune, chosen: dict[str, Any]) -> dict[str, Any]:
    """``chosen`` with each field's condition filled in; fields whose condition fails dropped."""
    active = dict(chosen)
    for path in chosen:
        for parent, allowed in conditions(tune.space[path]).items():
            if parent not in chosen:
                active[parent] = allowed[0]
            elif chosen[parent] not in allowed:
                del active[path]
                break
    return active


def without_tune(document: Document) -> Document:
    """The document a trial starts from: the spec less its tune section."""
    data = {k: v for k, v in document.data.items() if k != "tune"}
    return Document(data, document.positions, document.source)


def single_specs(
    spec: Spec, document: Document, validate: Callable[[Document], Spec]
) -> Iterator[tuple[KeyPath, Spec]]:
    """(where a value is written, the valid spec it gives) for each searched value:
    for checks that need more than the schema, such as names Keras must know."""
    assert spec.tune is not None
    for at, overrides in single_values(spec.tune):
        yield at, validate(apply_overrides(without_tune(document), overrides))


def check_candidates(
    spec: Spec, document: Document, validate: Callable[[Document], Spec]
) -> list[Problem]:
    """Problems of the specs the sweep may build, reported at the value that causes each:
    values alone first, then (when each is fine alone) pairs of values."""
    assert spec.tune is not None
    untuned = without_tune(document)
    problems = _check(single_values(spec.tune), untuned, document, validate)
    if not problems:
        pairs = itertools.islice(value_pairs(spec.tune), MAX_PAIR_CHECKS)
        problems = _check(pairs, untuned, document, validate)
        hint = " (search one only where the other allows it: add when:)"
        problems = [Problem(p.message + hint, p.path, p.location) for p in problems]
    return problems


def _check(
    trials: Iterator[tuple[KeyPath, dict[str, Any]]],
    untuned: Document,
    document: Document,
    validate: Callable[[Document], Spec],
) -> list[Problem]:
    found: dict[str, Problem] = {}  # one report per problem, at the first value causing it
    for at, overrides in trials:
        try:
            validate(apply_overrides(untuned, overrides))
        except SpecError as error:
            searched = dotted(at[2:3])
            for problem in error.problems:
                message = problem.message
                if problem.path != searched or len(overrides) > 1:
                    together = ", ".join(f"{p}={v!r}" for p, v in overrides.items())
                    message = f"with {together}: {problem.path}: {message}"
                where = document.location(at)
                found.setdefault(
                    problem.path + problem.message,
                    Problem(message, f"tune.space.{searched}", where),
                )
    return list(found.values())
