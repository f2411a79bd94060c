"""The export support table of the documentation (docs/guides/exporting.md): each
architecture, with each cell, exported in each format and checked by that format's
runtime. Tiny models (4 units) of shipped specs, with their preprocessing fitted on the
spec's own data, so the table is measured, not written:
``python -m zoo.exporting.support docs/guides/exporting.md`` rewrites it, and a test
fails when it is stale."""

from __future__ import annotations

import re
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from zoo.exporting import TOLERANCE, ExportFailed, export
from zoo.exporting.formats import FORMATS
from zoo.exporting.parts import MODEL
from zoo.registry import CELLS

MARKER = "export-support"


@dataclass(frozen=True)
class Case:
    spec: str  # a shipped spec
    shows: str  # what of the zoo it puts through the exporters
    overrides: tuple[tuple[str, object], ...] = ()  # --set, beside the tiny sizes


CASES = [
    Case("dense_baseline", "one_to_one (dense, no cell)"),
    Case("forecaster_gru", "many_to_one, numeric inputs scaled in the model"),
    Case(
        "forecaster_gru",
        "the same with Keras's built-in layers (`implementation: keras`)",
        (("implementation", "keras"),),
    ),
    Case("deep_lstm", "many_to_many, 4 layers, residual, layer normalization"),
    Case("sentiment_bilstm", "many_to_one, strings in, bidirectional, masked"),
    Case("tagger_bigru", "many_to_many, bidirectional, masked"),
    Case("generator_gru", "one_to_many"),
    Case("seq2seq_reversal", "seq2seq, Bahdanau attention"),
    Case("seq2seq_addition", "seq2seq, Luong attention"),
    Case("char_lstm", "language_model"),
]


def case_cells(case: Case) -> list[str | None]:
    import zoo

    return [None] if zoo.load_spec(case.spec).cell is None else list(CELLS)


def outcome(case: Case, cell: str | None, folder: Path) -> list[str]:
    """The table's entries for ``case`` built with ``cell``: one per format."""
    model = _tiny_model(case, cell, folder)
    return [_entry(model, format, folder) for format in FORMATS]


def row(case: Case, cell: str | None, folder: Path) -> str:
    """The table's row of ``case`` built with ``cell``, measured."""
    entries = outcome(case, cell, folder)
    return "| " + " | ".join([f"`{case.spec}`", case.shows, f"`{cell or '-'}`", *entries]) + " |"


def rows(case: Case, folder: Path) -> list[str]:
    return [row(case, cell, folder) for cell in case_cells(case)]


def markdown(folder: Path) -> str:
    header = ["spec", "what it shows", "cell", *(f"`{f}`" for f in FORMATS)]
    lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    lines += [row for case in CASES for row in rows(case, folder)]
    return "\n".join(lines) + "\n"


def _tiny_model(case: Case, cell: str | None, folder: Path) -> Path:
    import zoo
    from zoo.data import load_splits
    from zoo.saving import save_model, trained_record
    from zoo.spec.shipped import spec_folder
    from zoo.training.run import build_fitted

    units = zoo.load_spec(case.spec).model.units
    overrides = {"model.units": [4] * len(units) if isinstance(units, list) else 4}
    overrides |= dict(case.overrides)
    if cell is not None:
        overrides["cell"] = cell
    spec = zoo.load_spec(case.spec, overrides)
    splits = load_splits(spec, spec_folder(case.spec))
    path = folder / f"{case.spec}_{len(case.overrides)}_{cell or 'dense'}.keras"
    return save_model(build_fitted(spec, splits), path, trained_record(spec, splits.train))


def _entry(model: Path, format: str, folder: Path) -> str:
    try:
        result = export(model, format, folder / f"{model.stem}_{format}")
    except ExportFailed as error:
        return f"fails: {error.part} ({error.stage}): {_short(error.reason)}"
    if result.worst is not None and result.worst > TOLERANCE:
        return f"differs by {result.worst:.1g}"
    parts = [a.name for a in result.artefacts]
    extra = ["ids in, tokenizer in JSON"] if result.numeric_core else []
    extra += [] if MODEL in parts else ["sampler step only"]
    return "works" + (f" ({'; '.join(extra)})" if extra else "")


def _short(reason: str) -> str:
    """The runtime's reason without what changes between runs (paths, addresses)."""
    reason = re.sub(r"/\S+", "…", reason)
    reason = re.sub(r"0x[0-9a-f]+", "…", reason).replace("|", "/")
    return reason if len(reason) <= 90 else reason[:89] + "…"


def update_table(path: Path) -> None:
    """Rewrite the table between the markers of the Markdown page at ``path``."""
    with tempfile.TemporaryDirectory() as folder:
        table = markdown(Path(folder))
    text = path.read_text()
    pattern = re.compile(rf"(<!-- {MARKER}:start -->\n).*?(<!-- {MARKER}:end -->)", re.S)
    path.write_text(pattern.sub(lambda m: m.group(1) + table + m.group(2), text))


if __name__ == "__main__":  # python -m zoo.exporting.support docs/guides/exporting.md
    update_table(Path(sys.argv[1]))
