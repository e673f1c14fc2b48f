"""Streaming redaction with the real PII scanner: no piece of an entity leaks in any chunk."""

from __future__ import annotations

from pathlib import Path

import pytest

from raikit.guard.pipeline import Guard
from raikit.guard.policy import parse_policy
from raikit.guard.target import GuardedTarget
from raikit.models import GenerateConfig, get_target

POLICY = """\
name: pii-only
output:
  scanners: [pii]
categories:
  "pii.*": {threshold: 0.5, action: redact}
  "secret.*": {threshold: 0.5, action: redact}
"""
SECRETS = {
    "email": "jane.doe@example.com",
    "card": "4111 1111 1111 1111",
    "phone": "+44 20 7946 0958",
    "iban": "DE89 3704 0044 0532 0130 00",
    "aws": "AKIAIOSFODNN7EXAMPLE",
}
ANSWER = (
    "Here are the records you asked for. The customer can be reached at "
    f"{SECRETS['email']} or by phone on {SECRETS['phone']}. Her card on file is {SECRETS['card']} and "
    f"refunds go to {SECRETS['iban']}. The deploy key in the config is {SECRETS['aws']}, rotate it soon. "
    "Let me know if you need anything else from the account history."
)


@pytest.mark.parametrize(("window", "every"), [(16, 4), (64, 8), (128, 32)])
def test_no_entity_fragment_leaks_from_any_chunk(tmp_path: Path, window: int, every: int) -> None:
    script = tmp_path / "s.yaml"
    script.write_text(f"rules:\n  - match: '.*'\n    reply: {ANSWER!r}\n", encoding="utf-8")
    guard = Guard(parse_policy(POLICY, source="test"))
    target = GuardedTarget(
        get_target(f"scripted:{script}"), guard, window_chars=window, check_every_chars=every
    )
    config = GenerateConfig(max_tokens=1000)
    whole = target.generate("records?", config).text
    for value in SECRETS.values():
        assert value not in whole
    deltas = [e.delta for e in target.stream("records?", config) if e.delta]
    assert "".join(deltas) == whole
    assert len(deltas) > 2
    fragments = {
        v.replace(" ", "")[i : i + 6] for v in SECRETS.values() for i in range(0, len(v.replace(" ", "")) - 5)
    }
    for delta in deltas:
        squashed = delta.replace(" ", "")
        leaked = [f for f in fragments if f in squashed]
        assert not leaked, f"chunk {delta!r} leaks {leaked}"
