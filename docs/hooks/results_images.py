"""Put the experiments' plots (examples/results/*.png, written by the scripts in
examples/) into the site as images/results/NAME.png, so the Results page shows the
figures the scripts last wrote, with no second copy kept in docs/."""

from __future__ import annotations

from pathlib import Path

from mkdocs.structure.files import File, Files

RESULTS = Path(__file__).resolve().parents[2] / "examples" / "results"


def on_files(files: Files, config: object, **_: object) -> Files:
    for plot in sorted(RESULTS.glob("*.png")):
        files.append(File.generated(config, f"images/results/{plot.name}", abs_src_path=str(plot)))
    return files
