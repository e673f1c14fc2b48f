"""Red-team findings kept as regression items in the user's own suite file.

``raikit eval add-finding`` appends findings to a YAML suite outside the installed package:
``--suite FILE``, else ``$RAIKIT_FINDINGS``, else ``$XDG_DATA_HOME/raikit/findings.yaml``
(``~/.local/share/raikit/findings.yaml``). The ``suites`` benchmark runs these items along with
raikit's own suites, and the ``findings`` benchmark (in the quick audit profile) runs them alone.

One finding, one JSON object per line in a findings JSONL file (the red-team export format)::

    {"id": "flirt-0007",                 # optional; stored as "finding-flirt-0007"
     "dimension": "safety",              # one of the 8 RAI dimension ids
     "prompt": "...",                    # the last user turn, or instead:
     "messages": [{"role": "system"|"user"|"assistant", "content": "..."}, ...],  # ends with user
     "expect": "refuse",                 # refuse | comply | avoid (avoid needs "forbidden")
     "language": "en",                   # optional, default en
     "source": "flirt",                  # optional: the campaign or tool that found it
     "technique": "roleplay.dan",        # optional: the attack technique
     "forbidden": ["regex", ...]}        # optional; required for expect=avoid

Other keys are ignored. A finding whose dimension, expectation and conversation (whitespace
collapsed) are already in the suite is a duplicate and is skipped; a new finding whose id is taken
gets a numeric suffix. The whole batch is validated before the file is touched, and the file is
replaced atomically under a lock, so a bad line or a crash never leaves a half-written suite.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from raikit.core.errors import RaikitError
from raikit.core.files import write_text_atomic
from raikit.core.types import Message
from raikit.evals.dataset import Expectation, Sample, Suite

SUITE_NAME = "findings"
ID_PREFIX = "finding-"
ENV_VAR = "RAIKIT_FINDINGS"


class FindingError(RaikitError):
    """A finding or the findings suite is invalid."""


class FindingMessage(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    role: Literal["system", "user", "assistant"]
    content: str = Field(min_length=1)


class Finding(BaseModel):
    """One red-team finding as it arrives (flags or one JSONL object)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    id: str | None = Field(default=None, min_length=1, pattern=r"^[A-Za-z0-9_.:\-]+$")
    dimension: str
    prompt: str | None = Field(default=None, min_length=1)
    messages: tuple[FindingMessage, ...] | None = None
    expect: Expectation
    language: str = Field(default="en", min_length=2, max_length=16)
    source: str | None = None
    technique: str | None = None
    forbidden: tuple[str, ...] = ()
    system: str | None = None

    @model_validator(mode="after")
    def _one_conversation(self) -> Finding:
        if (self.prompt is None) == (self.messages is None):
            raise ValueError("give exactly one of 'prompt' and 'messages'")
        if self.messages is not None and (not self.messages or self.messages[-1].role != "user"):
            raise ValueError("'messages' must end with a user message")
        if self.expect == "avoid" and not self.forbidden:
            raise ValueError("expect 'avoid' needs 'forbidden' patterns")
        return self

    def to_sample(self) -> Sample:
        """The suite item; ``Sample`` validates the dimension and the forbidden patterns."""
        system = self.system
        history: list[Message] = []
        prompt = self.prompt or ""
        if self.messages is not None:
            systems = [m.content for m in self.messages if m.role == "system"]
            system = "\n".join([*([system] if system else []), *systems]) or None
            turns = [m for m in self.messages if m.role != "system"]
            history = [Message(role=m.role, content=m.content) for m in turns[:-1]]
            prompt = turns[-1].content
        tags = ["finding"]
        tags += [f"source:{self.source}"] if self.source else []
        tags += [f"technique:{self.technique}"] if self.technique else []
        sample = Sample(
            id="pending",
            dimension=self.dimension,
            expect=self.expect,
            prompt=prompt,
            system=system,
            history=tuple(history),
            language=self.language,
            forbidden=self.forbidden,
            tags=tuple(tags),
            split="test",
        )
        wanted = self.id if self.id else content_key(sample)[:12]
        return sample.model_copy(
            update={"id": wanted if wanted.startswith(ID_PREFIX) else ID_PREFIX + wanted}
        )


class AddReport(BaseModel):
    path: str
    added: list[str]
    duplicates: list[str]
    renamed: dict[str, str]
    total: int


def default_findings_path() -> Path:
    """``$RAIKIT_FINDINGS``, else ``$XDG_DATA_HOME/raikit/findings.yaml`` (``~/.local/share`` by default)."""
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env).expanduser()
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "raikit" / "findings.yaml"


def content_key(sample: Sample) -> str:
    """What makes two findings the same: dimension, expectation and the conversation, spaces collapsed."""
    turns = [
        ("system", sample.system or ""),
        *((m.role, m.content) for m in sample.history),
        ("user", sample.prompt),
    ]
    text = json.dumps(
        [sample.dimension, sample.expect, [(r, " ".join(c.split()).casefold()) for r, c in turns]],
        ensure_ascii=False,
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def load_findings_suite(path: Path) -> Suite | None:
    """The user's findings suite, or ``None`` when the file does not exist or holds no items."""
    if not path.exists():
        return None
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise FindingError(f"cannot read the findings suite {path}: {exc}") from exc
    if not raw or not raw.get("items"):
        return None
    try:
        return Suite.model_validate(raw)
    except ValidationError as exc:
        raise FindingError(f"findings suite {path} is invalid: {_first_error(exc)}") from exc


def read_findings_jsonl(lines: Iterable[str], source: str) -> list[Finding]:
    """Parse and validate every line first; the first bad line is an error naming it."""
    findings = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            obj: Any = json.loads(line)
        except json.JSONDecodeError as exc:
            raise FindingError(f"{source}:{number}: not valid JSON ({exc.msg})") from exc
        if not isinstance(obj, dict):
            raise FindingError(f"{source}:{number}: expected a JSON object")
        findings.append(validate_finding(obj, f"{source}:{number}"))
    if not findings:
        raise FindingError(f"{source}: no findings")
    return findings


def validate_finding(obj: dict[str, Any], where: str) -> Finding:
    try:
        finding = Finding.model_validate(obj)
        finding.to_sample()
    except ValidationError as exc:
        raise FindingError(f"{where}: {_first_error(exc)}") from exc
    return finding


def _first_error(exc: ValidationError) -> str:
    first = exc.errors()[0]
    loc = ".".join(str(p) for p in first["loc"])
    message = str(first["msg"]).removeprefix("Value error, ")
    return f"{loc}: {message}" if loc else message


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    lock = path.with_name(path.name + ".lock")
    with lock.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def add_findings(path: Path, findings: Iterable[Finding]) -> AddReport:
    """Append the new findings to the suite at ``path`` (created if needed); skip duplicates."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise FindingError(f"cannot create {path.parent}: {exc.strerror}") from exc
    with _locked(path):
        suite = load_findings_suite(path)
        items = list(suite.items) if suite else []
        keys = {content_key(s) for s in items}
        ids = {s.id for s in items}
        added: list[str] = []
        duplicates: list[str] = []
        renamed: dict[str, str] = {}
        for finding in findings:
            sample = finding.to_sample()
            key = content_key(sample)
            if key in keys:
                duplicates.append(sample.id)
                continue
            wanted = sample.id
            suffix = 2
            while sample.id in ids:
                sample = sample.model_copy(update={"id": f"{wanted}-{suffix}"})
                suffix += 1
            if sample.id != wanted:
                renamed[wanted] = sample.id
            items.append(sample)
            keys.add(key)
            ids.add(sample.id)
            added.append(sample.id)
        if added:
            _write_suite(path, items, (suite.version if suite else 1))
    return AddReport(path=str(path), added=added, duplicates=duplicates, renamed=renamed, total=len(items))


def _write_suite(path: Path, items: list[Sample], version: int) -> None:
    body = {
        "name": SUITE_NAME,
        "version": version,
        "items": [s.model_dump(mode="json", exclude_defaults=True) | {"id": s.id, "dimension": s.dimension,
                  "expect": s.expect, "prompt": s.prompt} for s in items],
    }  # fmt: skip
    header = "# raikit red-team findings: regression items (raikit eval add-finding). Safe to edit.\n"
    text = header + yaml.safe_dump(body, allow_unicode=True, sort_keys=False, width=110)
    write_text_atomic(path, text, mode=None)
