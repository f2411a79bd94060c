"""The Python API, re-exported from where each function lives; the CLI is a thin
shell over the same functions. Lower layers import from those modules, never from
here."""

from __future__ import annotations

from typing import Any

from zoo.errors import SpecError
from zoo.spec import Overrides, SpecSource
from zoo.spec.loading import load_spec, load_with_document, located, validate


def build(source: SpecSource, overrides: Overrides = None) -> Any:
    """A compiled keras.Model from a spec file, shipped name, mapping or Spec."""
    from zoo.builder import build_model

    spec, document = load_with_document(source, overrides)
    try:
        return build_model(spec)
    except SpecError as error:
        raise located(error, document) from None


__all__ = ["build", "load_spec", "validate"]
