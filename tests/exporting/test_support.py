"""The README's export support table is measured: each shipped spec in it, built tiny
with each cell, exported in each format and checked by that format's runtime, gives
the entries the README shows. A format that starts (or stops) working changes a row."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import zoo
from zoo.exporting import support
from zoo.exporting.formats import FORMATS
from zoo.registry import ARCHITECTURES, CELLS

README = (Path(__file__).resolve().parents[2] / "README.md").read_text()
STALE = "stale: run `python -m zoo.exporting.support README.md`"


def _table() -> list[str]:
    pattern = rf"<!-- {support.MARKER}:start -->\n(.*?)<!-- {support.MARKER}:end -->"
    match = re.search(pattern, README, re.S)
    assert match, "README has no export-support markers"
    return match.group(1).splitlines()


def test_the_cases_cover_every_architecture_and_cell() -> None:
    architectures = {zoo.load_spec(case.spec).architecture for case in support.CASES}
    assert architectures == set(ARCHITECTURES)
    assert {cell for case in support.CASES for cell in support.case_cells(case)} >= set(CELLS)


def test_the_table_has_a_column_per_format() -> None:
    header = _table()[0]
    assert all(f"`{name}`" in header for name in FORMATS)


@pytest.mark.slow
@pytest.mark.parametrize(
    "case", support.CASES, ids=lambda case: case.spec + "_" * len(case.overrides)
)
def test_the_readme_rows_are_measured(case: support.Case, tmp_path: Path) -> None:
    readme_rows = [row for row in _table() if row.startswith(f"| `{case.spec}` | {case.shows} |")]
    assert support.rows(case, tmp_path) == readme_rows, f"the row of {case.spec} is {STALE}"
