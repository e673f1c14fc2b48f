"""Guard policies: which scanners run at each stage and what happens when a category fires.

A policy is YAML validated by pydantic. Category rules are matched exactly first, then by the
longest ``prefix.*`` pattern, then the policy's ``default`` rule. Built-in policies ship in
``raikit/guard/policies/NAME.yaml``; ``load_policy`` accepts a built-in name or a file path.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from raikit.core.errors import RaikitError
from raikit.guard.language import LANGUAGES as NINE_LANGUAGES
from raikit.guard.types import ACTION_SEVERITY, Action, DeniedTopic


class PolicyError(RaikitError):
    """A policy file is missing, is not valid YAML, or does not validate."""


class CategoryRule(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    threshold: float = Field(default=0.5, ge=0.0, le=1.0)
    action: Action = "block"


# Categories that are signals rather than harms: they never block unless a policy says so.
BUILTIN_RULES: dict[str, CategoryRule] = {"refusal": CategoryRule(threshold=0.5, action="allow")}


class StageConfig(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    scanners: tuple[str, ...] = ()


class Policy(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    version: int = 1
    description: str = ""
    fail_mode: Literal["open", "closed"] = "closed"
    scanner_timeout_ms: float = Field(default=2000.0, gt=0)
    max_text_bytes: int = Field(default=65536, ge=1)
    languages: tuple[str, ...] = NINE_LANGUAGES
    refusal_message: str = "I can't help with that request."
    input: StageConfig = StageConfig()
    output: StageConfig = StageConfig()
    default: CategoryRule = CategoryRule()
    categories: dict[str, CategoryRule] = Field(default_factory=dict)
    denied_topics: tuple[DeniedTopic, ...] = ()
    canaries: tuple[str, ...] = ()
    scanner_settings: dict[str, dict[str, Any]] = Field(default_factory=dict)

    @field_validator("categories")
    @classmethod
    def _patterns(cls, rules: dict[str, CategoryRule]) -> dict[str, CategoryRule]:
        for key in rules:
            if "*" in key and (not key.endswith(".*") or key.count("*") != 1):
                raise ValueError(f"category pattern {key!r}: only a trailing '.*' wildcard is allowed")
        return rules

    @field_validator("denied_topics")
    @classmethod
    def _unique_topics(cls, topics: tuple[DeniedTopic, ...]) -> tuple[DeniedTopic, ...]:
        names = [t.name for t in topics]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"duplicate denied topic(s): {', '.join(duplicates)}")
        return topics

    def rule_for(self, category: str) -> CategoryRule:
        """The rule for ``category``: exact key, else the longest matching ``prefix.*``, else a
        built-in signal rule (``refusal`` is recorded, not blocked), else the policy default."""
        if category in self.categories:
            return self.categories[category]
        best: tuple[int, CategoryRule] | None = None
        for key, rule in self.categories.items():
            matches = key.endswith(".*") and category.startswith(key[:-1])
            if matches and (best is None or len(key) > best[0]):
                best = (len(key), rule)
        if best is not None:
            return best[1]
        return BUILTIN_RULES.get(category, self.default)

    def decide(self, categories: dict[str, float]) -> tuple[Action, dict[str, Action]]:
        """The strongest action over every category at or above its threshold, and what fired."""
        fired: dict[str, Action] = {}
        for category, score in categories.items():
            rule = self.rule_for(category)
            if score >= rule.threshold and rule.action != "allow":
                fired[category] = rule.action
        action: Action = max(fired.values(), key=ACTION_SEVERITY.__getitem__, default="allow")
        return action, fired

    def scanners_for(self, stage: Literal["input", "output"]) -> tuple[str, ...]:
        return self.input.scanners if stage == "input" else self.output.scanners


def builtin_policies() -> list[str]:
    folder = files("raikit.guard") / "policies"
    return sorted(p.name[: -len(".yaml")] for p in folder.iterdir() if p.name.endswith(".yaml"))


def parse_policy(text: str, *, source: str) -> Policy:
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise PolicyError(f"policy {source} is not valid YAML{where}") from exc
    if not isinstance(raw, dict):
        raise PolicyError(f"policy {source} must be a YAML mapping")
    try:
        return Policy.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'policy'}: {err['msg']}" for err in exc.errors()
        )
        raise PolicyError(f"policy {source}: {problems}") from exc


def load_policy(name_or_path: str | Path) -> Policy:
    """Load a built-in policy by name (``default``) or a policy file by path."""
    path = Path(name_or_path)
    if path.suffix in (".yaml", ".yml") or path.exists():
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError as exc:
            raise PolicyError(f"no policy file {path}") from exc
        except OSError as exc:
            raise PolicyError(f"cannot read policy {path}: {exc.strerror or exc}") from exc
        return parse_policy(text, source=str(path))
    name = str(name_or_path)
    if name not in builtin_policies():
        raise PolicyError(
            f"unknown policy {name!r}: give a YAML file or one of: {', '.join(builtin_policies())}"
        )
    resource = files("raikit.guard") / "policies" / f"{name}.yaml"
    return parse_policy(resource.read_text(encoding="utf-8"), source=f"{name} (built-in)")
