"""Hostile and broken specs: 11,000 generated or mutated documents per run produce a
valid Spec or the project's own SpecError with a location, never another exception,
a hang or runaway memory."""

from __future__ import annotations

import copy
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zoo.catalog import specs_folder
from zoo.errors import SpecError
from zoo.spec import resolve
from zoo.spec.cost import MemoryLimit
from zoo.spec.document import parse
from zoo.spec.validate import validate_document

SHIPPED = [resolve(p).data for p in sorted(specs_folder().glob("*.yaml"))]


def fuzz(examples: int) -> settings:
    # No example database: CI starts clean, and a failure is printed with its input.
    # The counts are sized to the suite's time budget: every run draws new examples.
    return settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.sampled_from(["lstm", "gru", "rnn", "seq2seq", "tanh", "adam", "", "1e999", "-0"]),
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)


def check(text: str, max_memory: MemoryLimit | None = None) -> None:
    """The one property: a Spec, or SpecError whose every problem says where."""
    try:
        validate_document(parse(text, "fuzz.yaml"), max_memory)
    except SpecError as error:
        assert error.problems
        for problem in error.problems:
            assert problem.location is not None and problem.location.source == "fuzz.yaml"


def paths(data: object, prefix: tuple = ()) -> list[tuple]:
    found = [prefix] if prefix else []
    if isinstance(data, dict):
        for key, value in data.items():
            found += paths(value, (*prefix, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found += paths(value, (*prefix, index))
    return found


@st.composite
def mutated_specs(draw: st.DrawFn) -> str:
    """A shipped spec with a few keys replaced, deleted or added."""
    data = copy.deepcopy(draw(st.sampled_from(SHIPPED)))
    for _ in range(draw(st.integers(1, 4))):
        path = draw(st.sampled_from(paths(data)))
        parent = data
        for key in path[:-1]:
            parent = parent[key]
        action = draw(st.sampled_from(["replace", "delete", "add"]))
        if action == "replace":
            parent[path[-1]] = draw(values)
        elif action == "delete" and isinstance(parent, dict):
            del parent[path[-1]]
        elif isinstance(parent, dict):
            parent[draw(st.text(min_size=1, max_size=10))] = draw(values)
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


@fuzz(1_000)
@given(mutated_specs())
def test_mutated_specs(text: str) -> None:
    check(text)


SIZES = [
    ("model", "units"),
    ("model", "layers"),
    ("inputs", "length"),
    ("inputs", "features"),
    ("inputs", "vocab_size"),
    ("inputs", "embedding", "dim"),
    ("outputs", "units"),
    ("outputs", "length"),
    ("outputs", "vocab_size"),
    ("train", "batch_size"),
]
extremes = st.sampled_from([0, 1, 2, 100, 101, 10**6, 2**31, 2**63, 10**12, 10**30, 10**400])


@st.composite
def sized_specs(draw: st.DrawFn) -> str:
    """A shipped spec with size fields at extreme values: a width in the millions, a
    stack past the deepest the zoo builds, a batch as large as an int64 holds."""
    data = copy.deepcopy(draw(st.sampled_from(SHIPPED)))
    for *sections, key in draw(st.lists(st.sampled_from(SIZES), min_size=1, max_size=3)):
        parent = data
        for section in sections:
            parent = parent.setdefault(section, {})
        size = draw(extremes)
        parent[key] = draw(st.sampled_from([size, [size] * draw(st.integers(1, 3))]))
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


@fuzz(500)
@given(sized_specs())
def test_extreme_sizes(text: str) -> None:
    check(text)
    check(text, MemoryLimit(8 * 2**30))


def _argument_names(kind: str, name: str) -> list[str]:
    from zoo.spec.keras_catalog import PARAMETERS

    return list(PARAMETERS[kind].get(name, {}))


@st.composite
def specs_with_mutated_args(draw: st.DrawFn) -> str:
    """A shipped spec with data, given callbacks and with its data, optimizer and
    callback arguments drawn from real parameter names, near misses and noise."""
    from zoo.registry import CALLBACKS

    data = copy.deepcopy(draw(st.sampled_from([d for d in SHIPPED if "data" in d])))

    def arguments(known: list[str]) -> dict:
        names = (
            st.sampled_from(known) | st.text(min_size=1, max_size=10)
            if known
            else st.text(min_size=1, max_size=10)
        )
        typo = st.sampled_from(known).map(lambda n: n[:-1] + "x") if known else names
        return draw(st.dictionaries(names | typo, values, max_size=4))

    callbacks = draw(st.lists(st.sampled_from(list(CALLBACKS)), max_size=2))
    data.setdefault("train", {})["callbacks"] = [
        {"name": name, "args": arguments(_argument_names("callback", name))} for name in callbacks
    ]
    optimizer = data.setdefault("compile", {}).setdefault("optimizer", {})
    optimizer["args"] = arguments(_argument_names("optimizer", str(optimizer.get("name", "adam"))))
    source_args = data["data"].get("args", {})
    data["data"]["args"] = {**source_args, **arguments(list(source_args))}
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


@fuzz(300)
@given(specs_with_mutated_args())
def test_mutated_arguments(text: str) -> None:
    check(text)


@fuzz(800)
@given(values)
def test_arbitrary_documents(value: object) -> None:
    check(yaml.safe_dump(value, allow_unicode=True))


@fuzz(2_500)
@given(st.text(max_size=200))
def test_arbitrary_text(text: str) -> None:
    check(text)


@fuzz(25)
@given(st.integers(2, 12), st.integers(2, 12), st.sampled_from(["list", "map"]))
def test_alias_bombs(width: int, depth: int, shape: str) -> None:
    lines = ['a0: &a0 "lol"']
    for level in range(1, depth + 1):
        refs = [f"*a{level - 1}"] * width
        body = (
            f"[{', '.join(refs)}]"
            if shape == "list"
            else "{" + ", ".join(f"k{i}: {r}" for i, r in enumerate(refs)) + "}"
        )
        lines.append(f"a{level}: &a{level} {body}")
    check("\n".join(lines) + "\n")


def test_deep_nesting_and_tags(tmp_path: Path) -> None:
    check("[" * 5000 + "]" * 5000)
    check("a: " + "{b: " * 3000 + "1" + "}" * 3000)
    check("x: !!python/object/new:os.system [ls]\n")
    check("x: !custom 3\n")
    check("\x00\x01binary")
