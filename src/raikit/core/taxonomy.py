"""The RAI taxonomy of raikit: dimensions, adversarial risks, harms and their crosswalks.

raikit follows the responsible-AI framework Amazon described for its Nova models: eight RAI dimensions
and four adversarial risk categories. On top of these, raikit keeps its own list of harm categories,
each mapped to the MLCommons hazard categories S1-S14 used by Llama Guard 3 and to the content filters
and other policies of Amazon Bedrock Guardrails. The data lives in ``raikit/core/data/taxonomy.yaml``
and is read, validated and cached by :func:`load_taxonomy` on first use, never at import time.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Sequence
from importlib.resources import files
from typing import Literal, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from raikit.core.errors import UnknownCategoryError

__all__ = [
    "CUSTOMER_TYPES",
    "DIMENSION_IDS",
    "BedrockFilter",
    "BedrockPolicy",
    "CustomerType",
    "Dimension",
    "HarmCategory",
    "MLCommonsHazard",
    "RiskCategory",
    "Severity",
    "Taxonomy",
    "UnknownCategoryError",
    "from_bedrock",
    "from_bedrock_policy",
    "from_mlcommons",
    "harms_for_dimension",
    "load_taxonomy",
    "to_bedrock",
    "to_bedrock_policies",
    "to_mlcommons",
]

DIMENSION_IDS: tuple[str, ...] = (
    "privacy_security",
    "safety",
    "fairness",
    "veracity_robustness",
    "explainability",
    "controllability",
    "governance",
    "transparency",
)
"""The eight RAI dimensions, in the framework's order; the taxonomy data must define exactly these."""

Severity = Literal["low", "medium", "high", "critical"]
CustomerType = Literal["app_developer", "end_user"]
CUSTOMER_TYPES: tuple[CustomerType, ...] = ("app_developer", "end_user")

_ID_PATTERN = r"^[a-z][a-z0-9_]*$"
_T = TypeVar("_T")


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Dimension(_Frozen):
    """One of the eight RAI dimensions."""

    id: str = Field(pattern=_ID_PATTERN)
    name: str
    description: str


class RiskCategory(_Frozen):
    """An adversarial risk category, with what it looks like for each type of customer."""

    id: str = Field(pattern=_ID_PATTERN)
    name: str
    description: str
    dimensions: tuple[str, ...] = Field(min_length=1)
    customer_types: tuple[CustomerType, ...] = Field(min_length=1)
    customer_notes: dict[CustomerType, str]

    @model_validator(mode="after")
    def _notes_match_customer_types(self) -> RiskCategory:
        if set(self.customer_notes) != set(self.customer_types):
            raise ValueError(
                f"risk category {self.id!r}: customer_notes must have one note per customer type"
            )
        return self

    def note_for(self, customer_type: str) -> str:
        """What this risk looks like for ``customer_type`` (``app_developer`` or ``end_user``)."""
        for known, note in self.customer_notes.items():
            if known == customer_type:
                return note
        raise _unknown("customer type", customer_type, self.customer_types)


class HarmCategory(_Frozen):
    """A harm category, its primary RAI dimension and its crosswalks to MLCommons and Bedrock."""

    id: str = Field(pattern=_ID_PATTERN)
    name: str
    description: str
    dimension: str
    mlcommons: tuple[str, ...] = ()
    bedrock: tuple[str, ...] = ()
    bedrock_policies: tuple[str, ...] = ()
    severity_default: Severity


class MLCommonsHazard(_Frozen):
    """A hazard category of the MLCommons taxonomy as used by Llama Guard 3 (``S1`` to ``S14``)."""

    code: str = Field(pattern=r"^S[1-9][0-9]*$")
    name: str
    description: str


class BedrockFilter(_Frozen):
    """A content filter type of Amazon Bedrock Guardrails (``HATE``, ``PROMPT_ATTACK``...)."""

    type: str = Field(pattern=r"^[A-Z][A-Z_]*$")
    name: str
    description: str
    applies_to: tuple[Literal["input", "output"], ...] = ("input", "output")


class BedrockPolicy(_Frozen):
    """A Bedrock Guardrails policy other than content filters (denied topics, word filters...)."""

    id: str = Field(pattern=_ID_PATTERN)
    name: str
    description: str


def _unknown(kind: str, value: str, valid: Iterable[str]) -> UnknownCategoryError:
    return UnknownCategoryError(f"unknown {kind} {value!r}; valid: {', '.join(valid)}")


def _find(kind: str, items: Sequence[_T], key: Callable[[_T], str], wanted: str) -> _T:
    for item in items:
        if key(item) == wanted:
            return item
    raise _unknown(kind, wanted, (key(item) for item in items))


def _duplicates(values: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    duplicates: list[str] = []
    for value in values:
        if value in seen and value not in duplicates:
            duplicates.append(value)
        seen.add(value)
    return duplicates


def _filter_type(name: str) -> str:
    return name.strip().upper().replace(" ", "_").replace("-", "_")


class Taxonomy(_Frozen):
    """The whole taxonomy; validated so that ids are unique and every reference resolves."""

    version: int
    dimensions: tuple[Dimension, ...]
    risk_categories: tuple[RiskCategory, ...]
    harm_categories: tuple[HarmCategory, ...]
    mlcommons_hazards: tuple[MLCommonsHazard, ...]
    bedrock_filters: tuple[BedrockFilter, ...]
    bedrock_policies: tuple[BedrockPolicy, ...]

    @model_validator(mode="after")
    def _check_consistency(self) -> Taxonomy:
        dimension_ids = tuple(d.id for d in self.dimensions)
        if dimension_ids != DIMENSION_IDS:
            raise ValueError(f"dimensions must be exactly {', '.join(DIMENSION_IDS)} in this order")
        problems: list[str] = []
        for kind, ids in (
            ("risk category", [r.id for r in self.risk_categories]),
            ("harm category", [h.id for h in self.harm_categories]),
            ("MLCommons hazard", [z.code for z in self.mlcommons_hazards]),
            ("Bedrock filter", [f.type for f in self.bedrock_filters]),
            ("Bedrock policy", [p.id for p in self.bedrock_policies]),
        ):
            problems += [f"duplicate {kind} {dup!r}" for dup in _duplicates(ids)]
        codes = {z.code for z in self.mlcommons_hazards}
        filters = {f.type for f in self.bedrock_filters}
        policies = {p.id for p in self.bedrock_policies}
        for risk in self.risk_categories:
            problems += [
                f"risk {risk.id!r}: unknown dimension {d!r}"
                for d in risk.dimensions
                if d not in DIMENSION_IDS
            ]
        for harm in self.harm_categories:
            where = f"harm {harm.id!r}"
            if harm.dimension not in DIMENSION_IDS:
                problems.append(f"{where}: unknown dimension {harm.dimension!r}")
            problems += [f"{where}: unknown MLCommons hazard {c!r}" for c in harm.mlcommons if c not in codes]
            problems += [f"{where}: unknown Bedrock filter {f!r}" for f in harm.bedrock if f not in filters]
            problems += [
                f"{where}: unknown Bedrock policy {p!r}" for p in harm.bedrock_policies if p not in policies
            ]
        if problems:
            raise ValueError("invalid RAI taxonomy: " + "; ".join(problems))
        return self

    def dimension(self, dimension_id: str) -> Dimension:
        return _find("RAI dimension", self.dimensions, lambda d: d.id, dimension_id)

    def risk(self, risk_id: str) -> RiskCategory:
        return _find("risk category", self.risk_categories, lambda r: r.id, risk_id)

    def harm(self, harm_id: str) -> HarmCategory:
        return _find("harm category", self.harm_categories, lambda h: h.id, harm_id)

    def hazard(self, code: str) -> MLCommonsHazard:
        """The MLCommons hazard ``code`` (``S1``...; case and surrounding spaces are ignored)."""
        return _find("MLCommons hazard", self.mlcommons_hazards, lambda z: z.code, code.strip().upper())

    def bedrock_filter(self, filter_type: str) -> BedrockFilter:
        """The Bedrock content filter ``filter_type`` (``HATE``; ``prompt attack`` also works)."""
        return _find("Bedrock filter", self.bedrock_filters, lambda f: f.type, _filter_type(filter_type))

    def bedrock_policy(self, policy_id: str) -> BedrockPolicy:
        return _find("Bedrock policy", self.bedrock_policies, lambda p: p.id, policy_id)

    def to_mlcommons(self, harm_id: str) -> tuple[str, ...]:
        return self.harm(harm_id).mlcommons

    def from_mlcommons(self, code: str) -> tuple[str, ...]:
        wanted = self.hazard(code).code
        return tuple(h.id for h in self.harm_categories if wanted in h.mlcommons)

    def to_bedrock(self, harm_id: str) -> tuple[str, ...]:
        return self.harm(harm_id).bedrock

    def from_bedrock(self, filter_type: str) -> tuple[str, ...]:
        wanted = self.bedrock_filter(filter_type).type
        return tuple(h.id for h in self.harm_categories if wanted in h.bedrock)

    def to_bedrock_policies(self, harm_id: str) -> tuple[str, ...]:
        return self.harm(harm_id).bedrock_policies

    def from_bedrock_policy(self, policy_id: str) -> tuple[str, ...]:
        wanted = self.bedrock_policy(policy_id).id
        return tuple(h.id for h in self.harm_categories if wanted in h.bedrock_policies)

    def harms_for_dimension(self, dimension_id: str) -> tuple[str, ...]:
        wanted = self.dimension(dimension_id).id
        return tuple(h.id for h in self.harm_categories if h.dimension == wanted)


@functools.cache
def load_taxonomy() -> Taxonomy:
    """Read and validate the packaged taxonomy; the result is cached, so later calls are free."""
    text = (files("raikit.core") / "data" / "taxonomy.yaml").read_text(encoding="utf-8")
    return Taxonomy.model_validate(yaml.safe_load(text))


def to_mlcommons(harm_id: str) -> tuple[str, ...]:
    """The MLCommons hazard codes (``S1``...) of a harm category; empty when it has none."""
    return load_taxonomy().to_mlcommons(harm_id)


def from_mlcommons(code: str) -> tuple[str, ...]:
    """The harm categories that map to the MLCommons hazard ``code``, in taxonomy order."""
    return load_taxonomy().from_mlcommons(code)


def to_bedrock(harm_id: str) -> tuple[str, ...]:
    """The Bedrock Guardrails content filter types of a harm category; empty when it has none."""
    return load_taxonomy().to_bedrock(harm_id)


def from_bedrock(filter_type: str) -> tuple[str, ...]:
    """The harm categories that map to the Bedrock content filter ``filter_type``, in taxonomy order."""
    return load_taxonomy().from_bedrock(filter_type)


def to_bedrock_policies(harm_id: str) -> tuple[str, ...]:
    """The Bedrock Guardrails policies other than content filters that cover a harm category."""
    return load_taxonomy().to_bedrock_policies(harm_id)


def from_bedrock_policy(policy_id: str) -> tuple[str, ...]:
    """The harm categories covered by the Bedrock policy ``policy_id``, in taxonomy order."""
    return load_taxonomy().from_bedrock_policy(policy_id)


def harms_for_dimension(dimension_id: str) -> tuple[str, ...]:
    """The harm categories whose primary RAI dimension is ``dimension_id``, in taxonomy order."""
    return load_taxonomy().harms_for_dimension(dimension_id)
