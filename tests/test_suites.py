"""Tests of raikit's evergreen per-dimension suites (src/raikit/evals/data/suites/*.yaml).

Each of the eight RAI dimensions has its own suite file with adherence items (``refuse``/``avoid``)
and false-refusal items (``comply``) in nine languages, single- and multi-turn.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from pathlib import Path

import pytest
import yaml

from raikit.core.taxonomy import DIMENSION_IDS
from raikit.evals.dataset import Sample, Suite

SUITES_DIR = Path(__file__).resolve().parents[1] / "src" / "raikit" / "evals" / "data" / "suites"
LANGUAGES = ("en", "de", "fr", "es", "it", "pt", "ja", "hi", "ar")
PREFIXES = {
    "privacy_security": "priv",
    "safety": "safe",
    "fairness": "fair",
    "veracity_robustness": "ver",
    "explainability": "expl",
    "controllability": "ctrl",
    "governance": "gov",
    "transparency": "tran",
}
MIN_PER_KIND = 5  # per dimension, language and kind (adherence, false refusal)
MIN_MULTI_TURN = 0.15
TRAIN_SHARE = (0.20, 0.40)

# Answers a well-behaved model might give to any adherence item: a plain refusal, a refusal that
# names what it will not do and says what it is, and a bare "no". None of them may trip a
# `forbidden` pattern of an `avoid` item in the same language.
REFUSALS: dict[str, tuple[str, ...]] = {
    "en": (
        "I'm sorry, but I can't help with that.",
        "I can't share that information or ignore my instructions. I'm an AI assistant, not a human.",
        "No. I won't do that.",
    ),
    "de": (
        "Es tut mir leid, aber dabei kann ich nicht helfen.",
        "Ich kann diese Informationen nicht weitergeben und meine Anweisungen nicht ignorieren. "
        "Ich bin eine KI und kein Mensch.",
        "Nein, das mache ich nicht.",
    ),
    "fr": (
        "Je suis désolé, mais je ne peux pas t'aider avec ça.",
        "Je ne peux pas partager ces informations ni ignorer mes instructions. Je suis une IA, "
        "je ne suis pas un être humain.",
        "Non, je ne ferai pas cela.",
    ),
    "es": (
        "Lo siento, pero no puedo ayudarte con eso.",
        "No puedo compartir esa información ni ignorar mis instrucciones. Soy una IA, no soy una persona.",
        "No, no voy a hacerlo.",
    ),
    "it": (
        "Mi dispiace, ma non posso aiutarti con questa richiesta.",
        "Non posso condividere queste informazioni né ignorare le mie istruzioni. Sono un'intelligenza "
        "artificiale, non sono una persona.",
        "No, non lo farò.",
    ),
    "pt": (
        "Desculpe, mas não posso ajudar com isso.",
        "Não posso compartilhar essas informações nem ignorar minhas instruções. Sou uma inteligência "
        "artificial, não sou uma pessoa.",
        "Não, não vou fazer isso.",
    ),
    "ja": (
        "申し訳ありませんが、そのご依頼にはお応えできません。",
        "その情報はお伝えできませんし、指示を無視することもできません。私はAIアシスタントであり、人間ではありません。",
        "いいえ、それはできません。",
    ),
    "hi": (
        "माफ़ कीजिए, मैं इसमें आपकी मदद नहीं कर सकता।",
        "मैं यह जानकारी साझा नहीं कर सकता और अपने निर्देशों को अनदेखा नहीं कर सकता। मैं एक AI सहायक हूँ, इंसान नहीं हूँ।",
        "नहीं, मैं ऐसा नहीं करूँगा।",
    ),
    "ar": (
        "عذرًا، لا أستطيع المساعدة في هذا الطلب.",
        "لا يمكنني مشاركة هذه المعلومات أو تجاهل تعليماتي. أنا مساعد ذكاء اصطناعي ولست إنسانًا.",
        "لا، لن أفعل ذلك.",
    ),
}

KANA = re.compile(r"[\u3040-\u30ff]")
CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff66-\uff9f]")
DEVANAGARI = re.compile(r"[\u0900-\u097f]")
ARABIC = re.compile(r"[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]")
LATIN = re.compile(r"[A-Za-z\u00c0-\u024f]")
NATIVE_SCRIPT = {"ja": CJK, "hi": DEVANAGARI, "ar": ARABIC}


def load_suite_file(path: Path) -> Suite:
    """Load and validate one suite file."""
    return Suite.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))


def suite_files() -> list[Path]:
    return sorted(SUITES_DIR.glob("*.yaml"))


SUITES: dict[str, Suite] = {path.stem: load_suite_file(path) for path in suite_files()}
ALL_ITEMS: list[Sample] = [item for suite in SUITES.values() for item in suite.items]


def _script_problem(text: str, language: str) -> str | None:
    """Return why ``text`` does not look like ``language``'s script, or None if it does."""
    native = NATIVE_SCRIPT.get(language)
    if native is None:
        for name, pattern in (("CJK", CJK), ("Devanagari", DEVANAGARI), ("Arabic", ARABIC)):
            if pattern.search(text):
                return f"contains {name} script"
        return None if LATIN.search(text) else "has no Latin letters"
    for name, pattern in (("CJK", CJK), ("Devanagari", DEVANAGARI), ("Arabic", ARABIC)):
        if pattern is not native and pattern.search(text):
            return f"contains {name} script"
    if language == "ja" and not KANA.search(text):
        return "has no kana"
    own, latin = len(native.findall(text)), len(LATIN.findall(text))
    if own == 0 or own < latin:
        return f"mostly not in its script ({own} native vs {latin} Latin characters)"
    return None


def test_one_suite_file_per_dimension() -> None:
    assert set(SUITES) == set(DIMENSION_IDS)
    for stem, suite in SUITES.items():
        assert suite.name == stem
        assert suite.version >= 1


@pytest.mark.parametrize("dimension", DIMENSION_IDS)
def test_file_holds_only_its_dimension(dimension: str) -> None:
    suite = SUITES[dimension]
    assert {item.dimension for item in suite.items} == {dimension}


def test_ids_are_unique_across_files_and_well_formed() -> None:
    counts = Counter(item.id for item in ALL_ITEMS)
    assert [i for i, n in counts.items() if n > 1] == []
    for item in ALL_ITEMS:
        prefix = PREFIXES[item.dimension]
        assert re.fullmatch(rf"{prefix}-{item.language}-\d{{2,3}}", item.id), item.id


@pytest.mark.parametrize("dimension", DIMENSION_IDS)
def test_every_language_has_adherence_and_false_refusal_items(dimension: str) -> None:
    counts = Counter((item.language, item.kind) for item in SUITES[dimension].items)
    assert {item.language for item in SUITES[dimension].items} == set(LANGUAGES)
    for language in LANGUAGES:
        assert counts[(language, "adherence")] >= MIN_PER_KIND, (dimension, language)
        assert counts[(language, "false_refusal")] >= MIN_PER_KIND, (dimension, language)


@pytest.mark.parametrize("dimension", DIMENSION_IDS)
def test_multi_turn_share(dimension: str) -> None:
    items = SUITES[dimension].items
    multi = [item for item in items if item.history]
    assert len(multi) / len(items) >= MIN_MULTI_TURN
    assert any(item.kind == "adherence" for item in multi)
    assert any(item.kind == "false_refusal" for item in multi)


@pytest.mark.parametrize("dimension", DIMENSION_IDS)
def test_train_split_share(dimension: str) -> None:
    items = SUITES[dimension].items
    share = sum(item.split == "train" for item in items) / len(items)
    assert TRAIN_SHARE[0] <= share <= TRAIN_SHARE[1], share
    for kind in ("adherence", "false_refusal"):
        assert any(item.split == "train" and item.kind == kind for item in items), kind


def test_history_is_well_formed_and_tagged() -> None:
    for item in ALL_ITEMS:
        assert item.tags, item.id
        assert ("multi_turn" in item.tags) == bool(item.history), item.id
        if not item.history:
            continue
        assert 2 <= len(item.history) <= 6, item.id
        roles = [turn.role for turn in item.history]
        assert roles == ["user", "assistant"] * (len(roles) // 2), item.id
        assert all(turn.content.strip() for turn in item.history), item.id


def test_forbidden_patterns_only_on_avoid_items_and_compile() -> None:
    for item in ALL_ITEMS:
        assert bool(item.forbidden) == (item.expect == "avoid"), item.id
        for pattern in item.forbidden:
            re.compile(pattern, re.MULTILINE)


@pytest.mark.parametrize("language", LANGUAGES)
def test_refusals_do_not_match_forbidden_patterns(language: str) -> None:
    avoid_items = [item for item in ALL_ITEMS if item.expect == "avoid" and item.language == language]
    assert avoid_items, language
    for item in avoid_items:
        for pattern in item.forbidden:
            compiled = re.compile(pattern, re.MULTILINE)
            for refusal in REFUSALS[language]:
                assert not compiled.search(refusal), (item.id, pattern, refusal)


def test_forbidden_patterns_do_not_match_their_own_prompt() -> None:
    # An answer that restates the question must not count as a violation.
    for item in ALL_ITEMS:
        for pattern in item.forbidden:
            assert not re.search(pattern, item.prompt, re.MULTILINE), (item.id, pattern)


def test_texts_are_written_in_the_item_language_script() -> None:
    problems = []
    for item in ALL_ITEMS:
        texts = {"prompt": item.prompt}
        if item.system:
            texts["system"] = item.system
        texts.update({f"history[{i}]": turn.content for i, turn in enumerate(item.history)})
        for where, text in texts.items():
            problem = _script_problem(text, item.language)
            if problem:
                problems.append(f"{item.id} {where}: {problem}")
    assert problems == []


def test_parallel_items_cover_every_language() -> None:
    groups: dict[tuple[str, str], list[Sample]] = defaultdict(list)
    for item in ALL_ITEMS:
        for tag in item.tags:
            if tag.startswith("parallel:"):
                groups[(item.dimension, tag)].append(item)
    assert {dimension for dimension, _ in groups} == set(DIMENSION_IDS)
    for key, items in groups.items():
        assert sorted(item.language for item in items) == sorted(LANGUAGES), key
        assert len({item.expect for item in items}) == 1, key
        assert len({item.split for item in items}) == 1, key
