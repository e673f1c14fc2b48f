"""Errors raised by targets. All are user-facing: the CLI prints them as one line."""

from __future__ import annotations

from raikit.core.errors import RaikitError


class TargetError(RaikitError):
    """A target could not produce a completion.

    ``retryable`` tells the retry loop whether trying again may help (a dropped connection,
    an overloaded server) or not (a bad request, a missing model file).
    """

    retryable: bool = False

    def __init__(self, message: str, *, retryable: bool | None = None) -> None:
        super().__init__(message)
        if retryable is not None:
            self.retryable = retryable


class TargetConfigError(TargetError):
    """The target string or its options are wrong, or an optional extra is missing."""


class UnknownTargetSchemeError(TargetConfigError):
    """The scheme before the first ':' names no registered target."""


class TargetUnavailableError(TargetError):
    """A transient failure: connection refused, rate-limited, server error."""

    retryable = True


class TargetUnreachableError(TargetError):
    """The target stayed unavailable through every retry."""


class TargetTimeoutError(TargetError):
    """The completion did not finish within the configured timeout."""


class TargetResponseError(TargetError):
    """The target answered, but with an error or a malformed payload."""
