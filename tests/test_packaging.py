"""The install ships every package: pyproject lists them by hand (the specs folder is
mapped into zoo.specs), so a new subpackage left off the list works from a clone and
is missing from a wheel."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_package_is_listed_in_pyproject() -> None:
    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    found = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for top in ("custom_layers", "zoo")
        for init in (ROOT / top).rglob("__init__.py")
    }
    listed = set(setuptools["packages"]) - set(setuptools["package-dir"])
    assert found == listed


def test_the_export_extra_is_part_of_the_test_extra() -> None:
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
        "optional-dependencies"
    ]
    assert "rnn-spec-zoo[export]" in extras["test"]
    assert {"onnxruntime", "tf2onnx", "ai-edge-litert"} <= {
        requirement.split(">")[0].split("=")[0] for requirement in extras["export"]
    }
