"""A trace written out: tidy CSV rows, a workbook to open beside the seed's spreadsheet,
and heatmaps of the states and gates over the input's steps."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import numpy as np

from zoo.atomic import atomic_path, write_text
from zoo.builder.names import HEAD
from zoo.errors import UserError
from zoo.tracing import COLUMNS, Trace
from zoo.tracing.steps import Direction

XLSX_EXTRA = 'pip install "rnn-spec-zoo[xlsx]"'
MAX_PNG_WIDTH = 20  # inches: past it, a long input's steps get narrower, not the figure wider
MAX_TICKS = 10  # step labels per panel, at most


def write_csv(trace: Trace, path: Path) -> None:
    """One row per value: step,token,layer,direction,quantity,index,value."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for *keys, value in trace.rows():
        writer.writerow([*keys, f"{float(value):.9g}"])
    write_text(path, out.getvalue())


def write_xlsx(trace: Trace, path: Path) -> None:
    """A sheet per layer and direction (a row per quantity and unit, a column per step)
    and one for the head; each weight matrix on a sheet of its own."""
    try:
        from openpyxl import Workbook
    except ImportError:
        raise UserError(f"--xlsx needs openpyxl: {XLSX_EXTRA}") from None
    book = Workbook()
    book.remove(book.active)
    steps = [f"{t + 1} {token!r}" for t, token in enumerate(trace.tokens)]
    for d in trace.directions:
        sheet = book.create_sheet(_sheet_name(f"{d.layer} {d.direction}"))
        sheet.append(["quantity", "unit", *steps])
        quantities = {"x": d.inputs, **{q: np.stack([s[q] for s in d.steps]) for q in d.steps[0]}}
        for quantity, values in quantities.items():
            placed = d.by_position(values, len(steps))  # the steps in input order
            for unit in range(values.shape[1]):
                row = [None if np.isnan(v) else float(v) for v in placed[:, unit]]
                sheet.append([d.symbols.get(quantity, quantity), unit, *row])
    if trace.head is not None:
        sheet = book.create_sheet(HEAD)
        head = trace.head
        sheet.append(["quantity", "output", *(steps[p] for p in head.positions)])
        outputs = _output_names(trace)
        for quantity, values in (("logits", head.logits), (head.activation, head.outputs)):
            for unit in range(values.shape[1]):
                sheet.append([quantity, outputs[unit], *(float(v) for v in values[:, unit])])
    for d in trace.directions:
        for name, matrix in d.weights.items():
            rows = "x" if name == "W" else "h" if name == "U" else "b"
            columns = [
                f"{block} {unit}" for block in d.blocks for unit in range(len(d.steps[0]["h"]))
            ]
            _matrix_sheet(book, f"{d.layer} {d.direction} {name}", matrix, rows, columns)
    if trace.head is not None:
        for name, matrix in trace.head.weights.items():
            rows = "h" if name == "W_hy" else "b"
            _matrix_sheet(book, f"{HEAD} {name}", matrix, rows, _output_names(trace))
    with atomic_path(path) as temporary:
        book.save(temporary)


def _matrix_sheet(book, title: str, matrix: np.ndarray, rows: str, columns: list) -> None:
    """A weight matrix with its rows (x 0, h 1, ...; a bias is one row, or two for a
    GRU's input and recurrent bias) and columns (the gate block and unit) named."""
    sheet = book.create_sheet(_sheet_name(title))
    sheet.append(["", *columns])
    for index, row in enumerate(np.atleast_2d(matrix)):
        sheet.append([f"{rows} {index}", *map(float, row)])


def _output_names(trace: Trace) -> list:
    """What each of the head's outputs is: a token or class name, else its index."""
    width = trace.head.outputs.shape[1] if trace.head is not None else 0
    if trace.labels and len(trace.labels) == width:
        return [label if label != "" else "(padding)" for label in trace.labels]
    return list(range(width))


def _sheet_name(name: str) -> str:
    return re.sub(r"[\[\]:*?/\\]", "_", name)[:31]  # what Excel allows in a sheet name


def write_png(trace: Trace, path: Path) -> None:
    """A row of heatmaps per layer and direction (a seq2seq's decoder after its
    encoder): h_t and every gate as wide as it, units down, steps across."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    panels = [(part, d, _unit_wide(d)) for part in trace.parts() for d in part.directions]
    columns = max(len(quantities) for _, _, quantities in panels)
    steps = max(len(part.tokens) for part in trace.parts())
    width = min(2.2 + 0.45 * steps * columns, MAX_PNG_WIDTH)  # a long input: narrower steps
    figure, axes = plt.subplots(
        len(panels), columns, figsize=(width, 2.6 * len(panels)), squeeze=False
    )
    for row, (part, d, quantities) in enumerate(panels):
        ticks = range(0, len(part.tokens), max(1, len(part.tokens) // MAX_TICKS))
        for column in range(columns):
            axis = axes[row][column]
            if column >= len(quantities):
                axis.axis("off")
                continue
            quantity = quantities[column]
            run = np.stack([step[quantity] for step in d.steps])
            values = d.by_position(run, len(part.tokens)).T  # units x steps, in input order
            limit = max(1.0, float(np.nanmax(np.abs(values))))
            image = axis.imshow(values, aspect="auto", cmap="RdBu_r", vmin=-limit, vmax=limit)
            axis.set_title(f"{d.layer} {d.direction}: {d.symbols[quantity]}", fontsize=9)
            axis.set_xticks(list(ticks), [part.tokens[t] for t in ticks], fontsize=8)
            axis.set_ylabel("unit" if column == 0 else "")
            figure.colorbar(image, ax=axis, fraction=0.05)
    figure.suptitle(f"{trace.name}: {trace.cell} states and gates over the input")
    figure.tight_layout()
    with atomic_path(path) as temporary:
        figure.savefig(temporary, dpi=110)
    plt.close(figure)


def _unit_wide(d: Direction) -> list[str]:
    """The quantities as wide as the state: the gates, c_t and h_t (not an LSTM's
    fused pre-activation z, four gates wide)."""
    width = len(d.steps[0]["h"])
    return [q for q, v in d.steps[0].items() if len(v) == width]
