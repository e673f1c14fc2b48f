"""The building blocks of dialect features: case-preserving regular-expression rewrites."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

Transform = Callable[[str], str]
Replacement = str | Callable[[re.Match[str]], str]
_SENTENCE_START = re.compile(r"(^|[.!?]\s+|\n)([a-z])")


def match_case(old: str, new: str) -> str:
    """Capitalise ``new`` when ``old`` was capitalised (``The man`` -> ``Man``); never lower-case."""
    if old[:1].isupper() and new[:1].islower():
        return new[:1].upper() + new[1:]
    return new


def capitalise_sentences(text: str) -> str:
    return _SENTENCE_START.sub(lambda m: m.group(1) + m.group(2).upper(), text)


@dataclass(frozen=True)
class Rewrite:
    """One pattern and its replacement (a template with ``\\1`` groups, or a function)."""

    pattern: re.Pattern[str]
    replacement: Replacement

    def __call__(self, text: str) -> str:
        def replace(match: re.Match[str]) -> str:
            new = self.replacement(match) if callable(self.replacement) else match.expand(self.replacement)
            return match_case(match.group(0), new)

        return self.pattern.sub(replace, text)


def rewrites(*rules: tuple[str, Replacement], flags: int = re.IGNORECASE) -> Transform:
    """A transform applying each ``(pattern, replacement)`` in order."""
    compiled: Sequence[Rewrite] = [Rewrite(re.compile(p, flags), r) for p, r in rules]

    def apply(text: str) -> str:
        for rule in compiled:
            text = rule(text)
        return text

    return apply


def words(mapping: dict[str, str]) -> Transform:
    """Whole-word replacements (case-insensitive, first-letter case kept)."""
    if not mapping:
        return lambda text: text
    alternation = "|".join(sorted(map(re.escape, mapping), key=len, reverse=True))
    lowered = {k.lower(): v for k, v in mapping.items()}
    return rewrites((rf"\b(?:{alternation})\b", lambda m: lowered[m.group(0).lower()]))


@dataclass(frozen=True)
class DialectFeature:
    ewave_id: int
    name: str
    description: str
    apply: Transform

    def __call__(self, text: str) -> str:
        return self.apply(text)
