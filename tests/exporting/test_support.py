"""The README's export support table is measured: each shipped spec in it, built tiny
with one of its cells (the cells in turn across the specs), exported in each format and
checked by that format's runtime, gives the entries the README shows; the script that
writes the table measures every cell. A format that starts (or stops) working changes
a row."""

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


def measured_cell(case: support.Case) -> str | None:
    """The cell whose row the suite measures for ``case``: one per case, taking the cells
    in turn across the cases so that every cell is measured (exporting every cell of
    every case would take the suite past its time; the script measures them all)."""
    cells = support.case_cells(case)
    return cells[support.CASES.index(case) % len(cells)]


def test_the_measured_cells_cover_every_cell() -> None:
    assert {measured_cell(case) for case in support.CASES} >= set(CELLS)


@pytest.mark.slow
@pytest.mark.parametrize(
    "case", support.CASES, ids=lambda case: case.spec + "_" * len(case.overrides)
)
def test_the_readme_rows_are_measured(case: support.Case, tmp_path: Path) -> None:
    cell = measured_cell(case)
    start = f"| `{case.spec}` | {case.shows} | `{cell or '-'}` |"
    readme_rows = [row for row in _table() if row.startswith(start)]
    assert [support.row(case, cell, tmp_path)] == readme_rows, f"the row of {case.spec} is {STALE}"
