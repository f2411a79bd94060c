"""The serving tests' trained run of the sentiment spec (see tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def sentiment(trained: Callable[[str], Path]) -> Path:
    return trained("sentiment_bilstm")
