"""User errors of the watermark and provenance tools (light: no numpy, safe for the CLI to import)."""

from __future__ import annotations

from raikit.core.errors import RaikitError


class WatermarkInputError(RaikitError):
    """Base of the watermark's bad-input errors: the CLI exits with 2, the HTTP API answers 4xx."""


class InvalidImageError(WatermarkInputError):
    """The input is not an HxWx3 uint8 RGB array of a usable size."""


class InvalidMediaError(WatermarkInputError):
    """A file cannot be used: missing, empty, corrupt, too large or of an unsupported type."""


class MessageTooLongError(WatermarkInputError):
    """The message does not fit in the watermark's payload capacity."""


class ProvenanceError(WatermarkInputError):
    """A manifest cannot be made or read (bad certificate or key, unsupported file, corrupt file)."""
