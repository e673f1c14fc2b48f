"""Exceptions raised by raikit for conditions the user can fix.

Every user-facing error derives from :class:`RaikitError`. The CLI catches ``RaikitError`` and prints
its message as one line (no traceback), so messages must be a single self-explanatory sentence that
names the offending file, option or value and, where there is one, the fix.
"""

from __future__ import annotations


class RaikitError(Exception):
    """Base class of user errors; the CLI prints ``str(error)`` as one line and exits non-zero.

    Programming errors (bugs) must not derive from this class, so that they keep their traceback.
    """


class StoreError(RaikitError):
    """The results store cannot be opened or used (not a database, newer schema, bad state)."""


class RunNotFoundError(StoreError):
    """A run directory holds no results database and the caller asked not to create one."""


class RunExistsError(StoreError):
    """A run directory already holds a run and the caller did not ask to resume it."""


class RunConfigMismatchError(StoreError):
    """A run was resumed with a configuration different from the one it was started with."""


class DuplicateAttemptError(StoreError):
    """An item that already completed successfully was recorded a second time."""


class UnknownCategoryError(RaikitError, KeyError):
    """A dimension, risk or harm id, hazard code or Bedrock filter that the RAI taxonomy does not define.

    It is also a ``KeyError``, for callers that treat the taxonomy as a mapping. Its message lists the
    valid ids.
    """

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""
