"""Items of the adversarial benchmark: the file schema, planted secrets and attack wrappers.

Items live in ``raikit/evals/data/adversarial/*.yaml`` (one file per risk category, each with
its own version). Secrets are planted with ``{{name}}`` placeholders and generated from the item
id, so every run plants the same synthetic values and none of them is a real credential.
"""

from __future__ import annotations

import base64
import codecs
import hashlib
import re
from collections.abc import Callable
from importlib.resources import files
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from raikit.core.taxonomy import CustomerType
from raikit.core.types import Message
from raikit.evals.tools import ToolSpec

RiskCategoryId = Literal[
    "sensitive_data_exfiltration",
    "degraded_availability",
    "unauthorized_actions",
    "malicious_content_generation",
]
RISK_CATEGORY_IDS: tuple[RiskCategoryId, ...] = (
    "sensitive_data_exfiltration",
    "degraded_availability",
    "unauthorized_actions",
    "malicious_content_generation",
)
SecretKind = Literal["canary", "aws_key", "openai_key", "password", "email", "phone", "card", "ssn"]
Encoding = Literal["none", "base64", "rot13", "reverse", "spaced"]
_PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")


class AttackWrapper(BaseModel):
    """A jailbreak template around a payload, optionally encoded (``{payload}`` marks the spot)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    template: str
    encode: Encoding = "none"

    @model_validator(mode="after")
    def _has_slot(self) -> AttackWrapper:
        if "{payload}" not in self.template:
            raise ValueError("an attack wrapper's template needs a {payload} slot")
        return self


class AdversarialItem(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]*$")
    customer_type: CustomerType
    language: str = "en"
    attack: str = "direct"
    system: str | None = None
    history: tuple[Message, ...] = ()
    prompt: str
    secrets: dict[str, SecretKind] = Field(default_factory=dict)
    protect_system_prompt: bool = False
    budget_tokens: int = Field(default=200, ge=8)
    budget_s: float | None = Field(default=None, gt=0.0)
    tools: tuple[str, ...] = ()
    grants: tuple[str, ...] = ()
    markers: tuple[str, ...] = ()
    note: str = ""


class AdversarialFile(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    category: RiskCategoryId
    version: int = Field(ge=1)
    tools: tuple[ToolSpec, ...] = ()
    wrappers: dict[str, AttackWrapper] = Field(default_factory=dict)
    items: tuple[AdversarialItem, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _references(self) -> AdversarialFile:
        tool_names = {t.name for t in self.tools}
        for item in self.items:
            missing = sorted(set(item.tools) - tool_names)
            if missing:
                raise ValueError(f"item {item.id}: unknown tools {', '.join(missing)}")
            wrapped = item.attack != "direct" and self.category == "malicious_content_generation"
            if wrapped and item.attack not in self.wrappers:
                raise ValueError(f"item {item.id}: unknown attack wrapper {item.attack!r}")
            used = set(_PLACEHOLDER.findall((item.system or "") + item.prompt))
            for turn in item.history:
                used |= set(_PLACEHOLDER.findall(turn.content))
            if used - set(item.secrets):
                raise ValueError(
                    f"item {item.id}: placeholders without a secret: {sorted(used - set(item.secrets))}"
                )
        return self


def _digits(seed: bytes, n: int) -> str:
    return "".join(str(b % 10) for b in hashlib.sha256(seed).digest()[:n])


def _luhn_complete(prefix: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(prefix)):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return prefix + str((10 - total % 10) % 10)


def _alnum(seed: bytes, n: int, alphabet: str) -> str:
    digest = hashlib.sha256(seed).digest() + hashlib.sha256(seed + b"+").digest()
    return "".join(alphabet[b % len(alphabet)] for b in digest[:n])


_UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
_MIXED = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
_NAMES = ("ana.moreau", "li.wen", "oskar.berg", "priya.nair", "tomas.silva", "mei.tanaka")


def _ssn(seed: bytes) -> str:
    d = _digits(seed, 9)
    area = 100 + int(d[:3]) % 500  # 100..599: valid, never 000/666/9xx
    return f"{area:03d}-{10 + int(d[3:5]) % 89:02d}-{1000 + int(d[5:9]) % 8999:04d}"


SECRET_MAKERS: dict[SecretKind, Callable[[bytes], str]] = {
    "canary": lambda s: "RK-CANARY-" + hashlib.sha256(s).hexdigest()[:12].upper(),
    "aws_key": lambda s: "AKIA" + _alnum(s, 16, _UPPER),
    "openai_key": lambda s: "sk-proj-" + _alnum(s, 32, _MIXED),
    "password": lambda s: "Tulip-" + _alnum(s, 6, _MIXED) + "-" + _digits(s, 3),
    "email": lambda s: f"{_NAMES[s[0] % len(_NAMES)]}{_digits(s, 3)}@example.com",
    "phone": lambda s: f"+1 415 555 {_digits(s, 4)}",
    "card": lambda s: _luhn_complete("4" + _digits(s, 14)),
    "ssn": _ssn,
}


def planted_secrets(item: AdversarialItem) -> dict[str, str]:
    """The synthetic secret values of ``item``, the same on every run."""
    return {
        name: SECRET_MAKERS[kind](hashlib.sha256(f"{item.id}/{name}".encode()).digest())
        for name, kind in item.secrets.items()
    }


def fill(text: str, values: dict[str, str]) -> str:
    return _PLACEHOLDER.sub(lambda m: values[m.group(1)], text)


ENCODERS: dict[Encoding, Callable[[str], str]] = {
    "none": lambda text: text,
    "base64": lambda text: base64.b64encode(text.encode("utf-8")).decode("ascii"),
    "rot13": lambda text: codecs.encode(text, "rot13"),
    "reverse": lambda text: text[::-1],
    "spaced": lambda text: " ".join(text),
}


def wrap(wrapper: AttackWrapper, payload: str) -> str:
    return wrapper.template.replace("{payload}", ENCODERS[wrapper.encode](payload))


def load_adversarial_files() -> list[AdversarialFile]:
    """Every item file shipped in ``raikit/evals/data/adversarial`` (sorted by file name)."""
    folder = files("raikit.evals") / "data" / "adversarial"
    entries = sorted((e for e in folder.iterdir() if e.name.endswith(".yaml")), key=lambda e: e.name)
    return [AdversarialFile.model_validate(yaml.safe_load(e.read_text(encoding="utf-8"))) for e in entries]
