"""User errors of the FedMultimodal benchmark (kept free of heavy imports: the CLI imports them)."""

from __future__ import annotations

from raikit.core.errors import RaikitError


class FedMMConfigError(RaikitError):
    """An experiment or sweep setting is invalid (a rate outside [0, 1], an unknown strategy, ...)."""


class FedMMDataError(RaikitError):
    """A dataset cannot be found or loaded (missing FSDD folder, bad user loader, empty split)."""


class FedMMSimulationError(RaikitError):
    """Flower's simulation failed at run time (Ray could not start, every client failed a round)."""
