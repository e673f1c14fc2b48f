"""Fixtures for the guard tests."""

from __future__ import annotations

import pytest
from fakes import fake_registry

from raikit.guard.scanners.base import ScannerRegistry


@pytest.fixture
def registry() -> ScannerRegistry:
    """A registry holding only the fake scanners of ``fakes.py``."""
    return fake_registry()
