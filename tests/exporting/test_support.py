"""The export support table of docs/guides/exporting.md is measured: each shipped spec in
it, built tiny with one of its cells (the cells in turn across the specs), exported in
each format and checked by that format's runtime, gives the entries the page shows; the
script that writes the table measures every cell. A format that starts (or stops)
working changes a row."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import zoo
from zoo.exporting import support
from zoo.exporting.formats import FORMATS
from zoo.registry import ARCHITECTURES, CELLS

PAGE = "docs/guides/exporting.md"
TEXT = (Path(__file__).resolve().parents[2] / PAGE).read_text()
STALE = f"stale: run `python -m zoo.exporting.support {PAGE}`"


def _table() -> list[str]:
    pattern = rf"<!-- {support.MARKER}:start -->\n(.*?)<!-- {support.MARKER}:end -->"
    match = re.search(pattern, TEXT, re.S)
    assert match, f"{PAGE} has no export-support markers"
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
def test_the_table_rows_are_measured(case: support.Case, tmp_path: Path) -> None:
    cell = measured_cell(case)
    start = f"| `{case.spec}` | {case.shows} | `{cell or '-'}` |"
    shown = [row for row in _table() if row.startswith(start)]
    assert [support.row(case, cell, tmp_path)] == shown, f"the row of {case.spec} is {STALE}"


def test_a_large_output_is_held_to_its_precision_not_an_absolute_1e4() -> None:
    """A forecast of 2.49 million passengers differs by 0.25 after a float32 round trip:
    an absolute 1e-4 failed it; relative to its size it is 1e-7."""
    import numpy as np

    from zoo.exporting import TOLERANCE, difference

    forecast = np.array([2_490_071.0, 12.5])
    assert difference(forecast + np.array([0.25, 0.0]), forecast) == pytest.approx(1e-7, rel=0.01)
    assert (
        difference(forecast + np.array([0.0, 0.01]), forecast) > TOLERANCE
    )  # 0.1 % of 12.5 is not
    probabilities = np.array([0.2, 0.8])
    assert difference(probabilities + 2e-4, probabilities) == pytest.approx(2e-4)
