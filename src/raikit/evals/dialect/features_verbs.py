"""Dialect features of tense and aspect, modals and negation."""

from __future__ import annotations

from raikit.evals.dialect.grammar_base import (
    BE_FOR,
    HAVE_FOR,
    PL_SUBJ,
    SG_SUBJ,
    SUBJ,
    WAS_FOR,
    agree,
    forms,
    verb,
)
from raikit.evals.dialect.lexicon import (
    STATIVE,
    regularised_past,
    verbs,
)
from raikit.evals.dialect.rules import DialectFeature, rewrites, words

_NEGATIVE_FORMS = {"thing": "nothing", "one": "nobody", "body": "nobody", "where": "nowhere"}


def tense_aspect_features() -> list[DialectFeature]:
    stative = [verbs()[v] for v in STATIVE]
    participles = forms("participle")
    irregular = [v for v in verbs().values() if not v.regular]
    # auxiliaries and verbs whose regularised past is not attested keep their forms
    regularisable = [v for v in irregular if v.base not in ("do", "have", "make", "say", "pay", "go")]
    regular = [v for v in verbs().values() if v.regular]
    return [
        DialectFeature(
            88,
            "progressive_stative",
            "Progressive extended to stative verbs (I'm liking this)",
            rewrites(
                (
                    rf"\b{PL_SUBJ} ({forms('base', stative)})\b",
                    lambda m: f"{m[1]} {BE_FOR[m[1].lower()]} {verb('base', m[2]).ing}",
                ),
                (
                    rf"\b{SG_SUBJ} ({forms('third', stative)})\b",
                    lambda m: f"{m[1]} is {verb('third', m[2]).ing}",
                ),
            ),
        ),
        DialectFeature(
            90,
            "invariant_be_habitual",
            "Invariant be as habitual marker (he be sick)",
            rewrites((rf"\b{SUBJ} (?:is|are|am) (?:usually|always|often) ", r"\1 be ")),
        ),
        DialectFeature(
            95,
            "be_sat_stood",
            "Be sat/stood with progressive meaning",
            rewrites(
                (
                    r"\b(is|are|was|were|am) (sitting|standing)\b",
                    lambda m: f"{m[1]} {'sat' if m[2].lower() == 'sitting' else 'stood'}",
                )
            ),
        ),
        DialectFeature(
            98,
            "after_perfect",
            "After-perfect (she's after selling the boat)",
            rewrites(
                (
                    rf"\b{SUBJ} (?:have|has) just ({participles})\b",
                    lambda m: f"{m[1]} {BE_FOR[m[1].lower()]} after {verb('participle', m[2]).ing}",
                )
            ),
        ),
        DialectFeature(
            99,
            "simple_past_for_perfect",
            "Simple past for StE present perfect (Were you ever in London?)",
            rewrites(
                (rf"\b{SUBJ} (?:have|has|'ve) been\b", lambda m: f"{m[1]} {WAS_FOR[m[1].lower()]}"),
                (
                    rf"\b{SUBJ} (?:have|has|'ve) ({participles})\b",
                    lambda m: f"{m[1]} {verb('participle', m[2]).past}",
                ),
            ),
        ),
        DialectFeature(
            100,
            "perfect_for_simple_past",
            "Present perfect for StE simple past (have been there years ago)",
            rewrites(
                (
                    rf"\b{SUBJ} ({forms('past')})\b"
                    r"(?=[^.?!]*\b(?:ago|yesterday|last (?:week|year|month|night)))",
                    lambda m: f"{m[1]} {HAVE_FOR[m[1].lower()]} {verb('past', m[2]).participle}",
                )
            ),
        ),
        DialectFeature(
            101,
            "present_for_continuative_perfect",
            "Simple present for continuative perfect (I know her since)",
            rewrites(
                (
                    rf"\b{SUBJ} (?:have|has) ({participles})\b(?=[^.?!]*\b(?:since|for)\b)",
                    lambda m: f"{m[1]} {agree(m[1], verb('participle', m[2]))}",
                )
            ),
        ),
        DialectFeature(
            104,
            "completive_done",
            "Completive/perfect done (he done gone)",
            rewrites((rf"\b{SUBJ} (?:have|has|'ve) ({participles})\b", r"\1 done \2")),
        ),
        DialectFeature(
            109,
            "perfect_already",
            "Perfect marker already (I finished already)",
            rewrites(
                (
                    rf"\b{SUBJ} (?:have|has) ({participles})\b([^.?!]*)([.?!])",
                    lambda m: f"{m[1]} {verb('participle', m[2]).past}{m[3]} already{m[4]}",
                )
            ),
        ),
        DialectFeature(
            113,
            "sequence_of_tenses",
            "Loosened sequence of tenses (the van I came in)",
            rewrites(
                (rf"\b{SUBJ} had ({participles})\b", lambda m: f"{m[1]} {verb('participle', m[2]).past}")
            ),
        ),
        DialectFeature(
            114,
            "go_future",
            "Go-based future markers (he gon build)",
            rewrites(
                (rf"\bwill ({forms('base')})\b", r"gon \1"), (r"\b(?:am|is|are|'m|'s|'re) going to\b", "gon")
            ),
        ),
        DialectFeature(
            117,
            "present_for_future",
            "Present tense for neutral future (I make one dress tomorrow)",
            rewrites(
                (
                    rf"\b{SUBJ} will ({forms('base')})\b",
                    lambda m: f"{m[1]} {agree(m[1], verb('base', m[2]))}",
                )
            ),
        ),
        DialectFeature(
            128,
            "regularized_past",
            "Regularised irregular verbs (catched, knowed)",
            rewrites(
                (rf"\b({forms('past', regularisable)})\b", lambda m: regularised_past(verb("past", m[1])))
            ),
        ),
        DialectFeature(
            129,
            "unmarked_past",
            "Unmarked past forms (give, run for gave, ran)",
            words({"gave": "give", "ran": "run", "came": "come", "ate": "eat", "sat": "sit"}),
        ),
        DialectFeature(
            130,
            "past_for_participle",
            "Past tense replacing the participle (he had went)",
            rewrites(
                (
                    rf"\b(have|has|had|'ve) ({forms('participle', irregular)})\b",
                    lambda m: f"{m[1]} {verb('participle', m[2]).past}",
                )
            ),
        ),
        DialectFeature(
            131,
            "participle_for_past",
            "Participle replacing the past tense (he gone to Mary)",
            rewrites(
                (
                    r"(?<!\bhave )(?<!\bhas )(?<!\bhad )\b(went|saw|took|wrote|began|ate|drove|spoke)\b",
                    lambda m: verb("past", m[1]).participle,
                )
            ),
        ),
        DialectFeature(
            132,
            "zero_past_regular",
            "Zero past tense of regular verbs (I walk yesterday)",
            rewrites(
                (
                    rf"\b(I|you|we|they|he|she|it|[A-Z][a-z]+) ({forms('past', regular)})\b",
                    lambda m: f"{m[1]} {verb('past', m[2]).base}",
                ),
                flags=0,
            ),
        ),
        DialectFeature(
            133,
            "double_past",
            "Double marking of past tense (didn't stayed)",
            rewrites((rf"\bdidn't ({forms('base')})\b", lambda m: f"didn't {verb('base', m[1]).past}")),
        ),
        DialectFeature(
            134,
            "a_prefixing",
            "A-prefixing on -ing forms (a-doing)",
            rewrites((r"\b(is|are|was|were|am|be) (\w+ing)\b", r"\1 a-\2")),
        ),
        DialectFeature(
            145,
            "gotten_for_got",
            "Gotten instead of got (has gotten a new website)",
            rewrites((r"\b(have|has|'ve|'s) got\b", r"\1 gotten")),
        ),
    ]


def modal_features() -> list[DialectFeature]:
    return [
        DialectFeature(
            120,
            "would_in_if_clause",
            "Would in if-clauses (if I'd be you)",
            rewrites((rf"\bif {SUBJ} were\b", r"if \1'd be")),
        ),
        DialectFeature(
            121, "double_modals", "Double modals (might could)", rewrites((r"\bcould\b", "might could"))
        ),
        DialectFeature(
            122,
            "epistemic_mustnt",
            "Epistemic mustn't (this mustn't be true)",
            rewrites((r"\bcan(?:'t| ?not) be\b", "mustn't be")),
        ),
        DialectFeature(
            123,
            "present_modals_for_past",
            "Present modals for past (I wish they will)",
            rewrites(
                (r"\b(said|thought|hoped|knew|wished|believed)( that)? (\w+) would\b", r"\1\2 \3 will"),
                (r"\b(said|thought|hoped|knew|wished|believed)( that)? (\w+) could\b", r"\1\2 \3 can"),
            ),
        ),
        DialectFeature(
            124,
            "need_past_participle",
            "Want/need + past participle (the car needs washed)",
            rewrites((r"\b(needs?|wants?|needed|wanted) to be (\w+ed|done|fixed|cut|seen)\b", r"\1 \2")),
        ),
        DialectFeature(
            126,
            "quasi_modal_fixing",
            "Aspectual quasi-modals (fixing to, finna)",
            rewrites((r"\b(am|is|are|was|were|'m|'s|'re) about to\b", r"\1 fixing to")),
        ),
        DialectFeature(
            147,
            "was_conditional",
            "Was for conditional were (if I was you)",
            rewrites((r"\b(if|wish) (I|he|she|it) were\b", r"\1 \2 was")),
        ),
    ]


def negation_features() -> list[DialectFeature]:
    base = forms("base")
    return [
        DialectFeature(
            154,
            "negative_concord",
            "Multiple negation / negative concord (won't do no harm)",
            rewrites(
                (
                    r"(n't|\bnot|\bnever)((?:\s+\w+){0,3}?)\s+any(thing|one|body|where)?\b",
                    lambda m: f"{m[1]}{m[2]} {_NEGATIVE_FORMS.get((m[3] or '').lower(), 'no')}",
                )
            ),
        ),
        DialectFeature(
            155,
            "aint_be",
            "Ain't as the negated form of be",
            rewrites(
                (r"\b(?:am not|is not|are not|isn't|aren't)\b", "ain't"),
                (r"(?<=\w)(?:'m|'re|'s) not\b", " ain't"),
            ),
        ),
        DialectFeature(
            156,
            "aint_have",
            "Ain't as the negated form of have",
            rewrites((r"\b(?:haven't|hasn't|have not|has not)\b", "ain't")),
        ),
        DialectFeature(
            157,
            "aint_before_main_verb",
            "Ain't as generic negator before a main verb",
            rewrites((rf"\b(?:didn't|did not) ({base})\b", r"ain't \1")),
        ),
        DialectFeature(
            158,
            "invariant_dont",
            "Invariant don't for all persons (he don't like me)",
            rewrites((r"\b(?:doesn't|does not)\b", "don't")),
        ),
        DialectFeature(
            159,
            "never_past_negator",
            "Never as preverbal past negator (he never came)",
            rewrites((rf"\b(?:didn't|did not) ({base})\b", lambda m: f"never {verb('base', m[1]).past}")),
        ),
        DialectFeature(
            165,
            "invariant_tag_innit",
            "Invariant non-concord tags (innit)",
            rewrites(
                (
                    r",? (?:isn't|aren't|doesn't|don't|won't|can't|didn't|wasn't|weren't|haven't|hasn't) "
                    r"(?:it|he|she|they|you|we|I|there)\?",
                    ", innit?",
                )
            ),
        ),
    ]
