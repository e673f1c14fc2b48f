"""Dialect features of agreement, copulas, relative clauses, complementation and questions."""

from __future__ import annotations

import re

from raikit.evals.dialect.grammar_base import (
    PL_SUBJ,
    SG_SUBJ,
    SUBJ,
    forms,
    verb,
)
from raikit.evals.dialect.lexicon import (
    ADJECTIVES,
    ADVERBS,
    alternation,
)
from raikit.evals.dialect.rules import DialectFeature, rewrites, words


def agreement_features() -> list[DialectFeature]:
    adjectives = alternation(set(ADJECTIVES))
    return [
        DialectFeature(
            170,
            "zero_third_person_s",
            "Zero 3sg -s (she show up)",
            rewrites((rf"\b{SG_SUBJ} ({forms('third')})\b", lambda m: f"{m[1]} {verb('third', m[2]).base}")),
        ),
        DialectFeature(
            171,
            "generalized_third_person_s",
            "3sg -s for all persons (I sees the house)",
            rewrites(
                (rf"\b{PL_SUBJ} ({forms('base')})\b", lambda m: f"{m[1]} {verb('base', m[2]).third}"),
                flags=0,
            ),
        ),
        DialectFeature(
            172,
            "existential_theres",
            "There's / there was with plural subjects",
            rewrites((r"\bthere are\b", "there's"), (r"\bthere were\b", "there was")),
        ),
        DialectFeature(
            174,
            "zero_be_progressive",
            "Deletion of auxiliary be before progressive",
            rewrites(
                (
                    r"\b(you|we|they|he|she) (?:are|is|'re|'s) ((?:always |still |now |just )?\w+ing)\b",
                    r"\1 \2",
                )
            ),
        ),
        DialectFeature(
            175,
            "zero_be_gonna",
            "Deletion of auxiliary be before gonna",
            rewrites((rf"\b{SUBJ} (?:am|are|is|'m|'re|'s) going to\b", r"\1 gonna")),
        ),
        DialectFeature(
            176,
            "zero_copula_np",
            "Deletion of copula before NPs (he a good teacher)",
            rewrites((r"\b(he|she|it|they|we|you) (?:is|are) (a|an|the|my|his|her|our|their)\b", r"\1 \2")),
        ),
        DialectFeature(
            177,
            "zero_copula_adj",
            "Deletion of copula before AdjPs (she smart)",
            rewrites(
                (
                    rf"\b(he|she|it|they|we|you) (?:is|are) ((?:very |really |so |too )?(?:{adjectives}))\b",
                    r"\1 \2",
                )
            ),
        ),
        DialectFeature(
            178,
            "zero_copula_locative",
            "Deletion of copula before locatives (she at home)",
            rewrites(
                (
                    r"\b(he|she|it|they|we|you) (?:is|are) (at|in|on|inside|outside|home|here|there)\b",
                    r"\1 \2",
                )
            ),
        ),
        DialectFeature(
            179,
            "zero_have_aux",
            "Deletion of auxiliary have (I eaten my lunch)",
            rewrites((rf"\b{PL_SUBJ} (?:have|'ve) ({forms('participle')})\b", r"\1 \2")),
        ),
        DialectFeature(
            180,
            "was_were_generalization",
            "Was/were generalisation (you was hungry)",
            words({"were": "was", "weren't": "wasn't"}),
        ),
    ]


def clause_features() -> list[DialectFeature]:
    return [
        DialectFeature(
            185,
            "relativizer_what_nonrestrictive",
            "That/what in non-restrictive relatives",
            rewrites((r", who\b", ", what")),
        ),
        DialectFeature(
            190,
            "relativizer_what",
            "Relativizer what (the man what painted my house)",
            rewrites((r"(?<=[a-z]) (?:who|that) (?=(?:\w+ed|\w+s|is|was|has|had|lives|owns)\b)", " what ")),
        ),
        DialectFeature(
            193,
            "zero_subject_relativizer",
            "Zero relativizer in subject position (the man lives there is nice)",
            rewrites(
                (r"(?<=[a-z]) (?:who|that) (?=(?:lives|works|owns|runs|sells|teaches|is|was|has|had)\b)", " ")
            ),
        ),
        DialectFeature(
            202,
            "for_to_purpose",
            "Unsplit for to in purpose clauses",
            rewrites((r"\bin order to\b", "for to")),
        ),
        DialectFeature(
            208,
            "zero_to_infinitive",
            "Deletion of to before infinitives (allow him go)",
            rewrites((r"\b(allow|allows|allowed|help|helps|helped) (\w+) to (?=\w)", r"\1 \2 ")),
        ),
        DialectFeature(
            209,
            "to_bare_infinitive",
            "Addition of to where StE has a bare infinitive (made me to do it)",
            rewrites(
                (
                    rf"\b(made|make|makes|let|lets) (me|him|her|them|us|you) ({forms('base')})\b",
                    r"\1 \2 to \3",
                )
            ),
        ),
        DialectFeature(
            211, "clause_final_but", "Clause-final but = though", rewrites((r",? though([.!?])", r" but\1"))
        ),
        DialectFeature(
            215,
            "correlative_conjunction_doubling",
            "Conjunction doubling (although ..., but ...)",
            rewrites(
                (r"^((?:although|though|even though) [^,]+), (?!but\b)", r"\1, but "), flags=re.I | re.M
            ),
        ),
        DialectFeature(
            216,
            "preposition_omission",
            "Omission of StE prepositions (went town, there Tuesday)",
            rewrites(
                (
                    r"\b(went|go|goes|going|came|come|walked|drove) to "
                    r"(town|school|church|work|market|hospital)\b",
                    r"\1 \2",
                ),
                (r"\bon (Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b", r"\1"),
            ),
        ),
        DialectFeature(
            220,
            "degree_adj_for_adv",
            "Degree modifiers with adjective form (real good)",
            rewrites((r"\breally (?=\w)", "real ")),
        ),
        DialectFeature(221, "flat_adverbs", "Other adverbs with adjective form (come quick)", words(ADVERBS)),
        DialectFeature(222, "too_for_very", "Too as qualifier meaning very", words({"very": "too"})),
        DialectFeature(
            227,
            "indirect_question_inversion",
            "Inverted order in indirect questions (wondering what are you)",
            rewrites(
                (
                    r"\b(wonder(?:s|ed|ing)?|asks?|asked|knows?|knew) (what|where|when|why|how|who) "
                    r"(he|she|it|they|we|you|I|the \w+) (is|are|was|were|can|will|could|would)\b",
                    r"\1 \2 \4 \3",
                )
            ),
        ),
        DialectFeature(
            228,
            "wh_question_no_inversion",
            "No inversion/auxiliary in wh-questions (what you doing?)",
            rewrites(
                (r"^(what|where|why|when|how|who|which \w+) (?:are|is|do|does|did) (?=\w)", r"\1 "),
                flags=re.I | re.M,
            ),
        ),
        DialectFeature(
            229,
            "yes_no_no_inversion",
            "No inversion in yes/no questions (you get the point?)",
            rewrites(
                (
                    r"^(is|are|was|were|can|will|could|would|should|has|have|had) "
                    r"(he|she|it|they|we|you|I|there|the \w+|\w+) (?=[^?]*\?)",
                    lambda m: f"{m[2]} {m[1].lower()} ",
                ),
                (r"^(?:do|does|did) (he|she|it|they|we|you|I|the \w+) (?=[^?]*\?)", r"\1 "),
                flags=re.I | re.M,
            ),
        ),
        DialectFeature(
            234,
            "like_focus",
            "Like as a focussing device (... like?)",
            rewrites((r"\?\s*$", ", like?"), flags=re.M),
        ),
        DialectFeature(
            235,
            "like_quotative",
            'Like as a quotative particle (she was like "...")',
            rewrites((r"\b(he|she|they|I|we) (?:said|asked), \"", r'\1 was like, "')),
        ),
    ]
