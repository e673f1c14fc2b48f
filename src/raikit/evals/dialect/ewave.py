"""eWAVE attestation tables (from Multi-VALUE's resources): which features each variety has.

``ewave.csv`` rates every (feature, variety) pair ``A`` (pervasive or obligatory), ``B``
(neither pervasive nor rare), ``C`` (rare), ``D`` (absent), ``X`` (not applicable) or ``?``.
A variety's profile is the set of raikit-implemented features rated at or above a threshold.
"""

from __future__ import annotations

import csv
from collections.abc import Collection
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from raikit.core.errors import RaikitError

RATING_ORDER = {"A": 3, "B": 2, "C": 1}
REQUIRED_COLUMNS = {"parameter_pk", "language_name", "attestation", "variety_type", "abbr"}


class EwaveError(RaikitError):
    """The eWAVE table is missing or malformed."""


class VarietyProfile(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str
    abbr: str
    variety_type: str
    features: tuple[int, ...]
    """eWAVE ids of implemented features attested at or above the threshold, ascending."""
    ratings: dict[int, str]


def load_variety_profiles(
    path: Path, implemented: Collection[int], *, min_rating: str = "B"
) -> dict[str, VarietyProfile]:
    """Profiles of every variety in ``ewave.csv`` over the ``implemented`` feature ids."""
    if min_rating not in RATING_ORDER:
        raise EwaveError(f"min_rating must be one of A, B, C, not {min_rating!r}")
    floor = RATING_ORDER[min_rating]
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            missing = REQUIRED_COLUMNS - set(reader.fieldnames or ())
            if missing:
                raise EwaveError(f"{path}: not an eWAVE table (missing {', '.join(sorted(missing))})")
            rows = list(reader)
    except OSError as exc:
        raise EwaveError(f"cannot read eWAVE table {path}: {exc.strerror or exc}") from exc
    wanted = set(implemented)
    found: dict[str, dict[int, str]] = {}
    meta: dict[str, tuple[str, str]] = {}
    for row in rows:
        name = row["language_name"]
        meta.setdefault(name, (row["abbr"], row["variety_type"]))
        try:
            feature = int(row["parameter_pk"])
        except ValueError as exc:
            raise EwaveError(f"{path}: bad feature id {row['parameter_pk']!r}") from exc
        if feature in wanted and RATING_ORDER.get(row["attestation"], 0) >= floor:
            found.setdefault(name, {})[feature] = row["attestation"]
    return {
        name: VarietyProfile(
            name=name,
            abbr=abbr,
            variety_type=kind,
            features=tuple(sorted(found.get(name, {}))),
            ratings=dict(sorted(found.get(name, {}).items())),
        )
        for name, (abbr, kind) in sorted(meta.items())
    }
