"""Audit profiles: which benchmarks ``raikit audit`` runs, with which limits and options.

A profile is data (YAML), shipped in ``raikit/evals/data/profiles/`` or given as a file path::

    name: quick
    version: 1
    description: First look
    benchmarks:
      - {name: quick, quick: true}
      - {name: xstest, limit: 12, quick: true}

Each entry names a benchmark of the registry; the other keys are fields of
:class:`raikit.evals.task.BenchmarkOptions` (``limit``, ``quick``, ``seed``, ``split``). A benchmark
that is not installed is not an error here: the audit lists it as skipped.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from raikit.core.errors import RaikitError
from raikit.evals.task import BenchmarkOptions

BUILTIN_PROFILES: tuple[str, ...] = ("quick", "full")


class ProfileError(RaikitError):
    """An audit profile cannot be found or is invalid."""


class ProfileEntry(BaseModel):
    """One benchmark of a profile and the options it runs with."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1)
    limit: int | None = Field(default=None, ge=1)
    quick: bool = False
    seed: int = 0
    split: str = "test"

    def options(self, data_dir: Path | None, cap: int | None) -> BenchmarkOptions:
        """The benchmark options; ``cap`` (``--limit``) lowers the entry's own limit, never raises it."""
        limits = [n for n in (self.limit, cap) if n is not None]
        return BenchmarkOptions(
            data_dir=data_dir,
            limit=min(limits) if limits else None,
            quick=self.quick,
            seed=self.seed,
            split=self.split,
        )


class AuditProfile(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    version: int
    description: str = ""
    benchmarks: tuple[ProfileEntry, ...] = Field(min_length=1)

    def only(self, names: tuple[str, ...]) -> AuditProfile:
        """The same profile restricted to ``names`` (kept in profile order); unknown names are an error."""
        if not names:
            return self
        known = {entry.name for entry in self.benchmarks}
        missing = [n for n in names if n not in known]
        if missing:
            raise ProfileError(
                f"profile {self.name!r} has no benchmark {', '.join(map(repr, missing))}; "
                f"it has: {', '.join(sorted(known))}"
            )
        kept = tuple(entry for entry in self.benchmarks if entry.name in names)
        return self.model_copy(update={"benchmarks": kept})


def load_profile(name_or_path: str | Path) -> AuditProfile:
    """A built-in profile by name (``quick``, ``full``) or a profile YAML file by path."""
    text, where = _profile_text(str(name_or_path))
    try:
        raw = yaml.safe_load(text)
        return AuditProfile.model_validate(raw)
    except yaml.YAMLError as exc:
        raise ProfileError(f"audit profile {where} is not valid YAML: {exc}") from exc
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = ".".join(str(p) for p in first["loc"])
        raise ProfileError(
            f"audit profile {where} is invalid at {loc or 'top level'}: {first['msg']}"
        ) from exc


def _profile_text(name_or_path: str) -> tuple[str, str]:
    if name_or_path in BUILTIN_PROFILES:
        resource = files("raikit.evals") / "data" / "profiles" / f"{name_or_path}.yaml"
        return resource.read_text(encoding="utf-8"), f"{name_or_path!r}"
    path = Path(name_or_path)
    if not path.is_file():
        raise ProfileError(
            f"no audit profile {name_or_path!r}: use one of {', '.join(BUILTIN_PROFILES)} or a YAML file path"
        )
    try:
        return path.read_text(encoding="utf-8"), str(path)
    except (OSError, UnicodeDecodeError) as exc:
        raise ProfileError(f"cannot read audit profile {path}: {exc}") from exc
