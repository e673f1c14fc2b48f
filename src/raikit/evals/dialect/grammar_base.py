"""Shared pieces of the feature rules: subject patterns, verb lookups and agreement."""

from __future__ import annotations

from collections.abc import Iterable

from raikit.evals.dialect.lexicon import Verb, alternation, by_form, verbs


def forms(kind: str, only: Iterable[Verb] | None = None) -> str:
    chosen = list(only) if only is not None else list(verbs().values())
    return alternation({getattr(v, kind) for v in chosen})


def verb(kind: str, form: str) -> Verb:
    return by_form(kind)[form.lower()]


SUBJ = r"(I|you|we|they|he|she|it)"
PL_SUBJ = r"(I|you|we|they)"
SG_SUBJ = r"(he|she|it)"
HAVE_FOR = {"i": "have", "you": "have", "we": "have", "they": "have", "he": "has", "she": "has", "it": "has"}
BE_FOR = {"i": "am", "you": "are", "we": "are", "they": "are", "he": "is", "she": "is", "it": "is"}
WAS_FOR = {"i": "was", "you": "were", "we": "were", "they": "were", "he": "was", "she": "was", "it": "was"}


def agree(subject: str, verb: Verb) -> str:
    return verb.third if subject.lower() in ("he", "she", "it") else verb.base
