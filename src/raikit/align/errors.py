"""Errors of the alignment tools."""

from __future__ import annotations

from raikit.core.errors import RaikitError


class AlignError(RaikitError):
    """Alignment failed at run time (training diverged, a dependency is missing)."""


class AlignDataError(AlignError):
    """Bad input to an alignment command: a missing or malformed file, an unknown base model."""
