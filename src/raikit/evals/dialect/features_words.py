"""Dialect features of pronouns, nouns, articles, demonstratives and comparison."""

from __future__ import annotations

import re

from raikit.evals.dialect.grammar_base import (
    SUBJ,
)
from raikit.evals.dialect.lexicon import (
    COMPARATIVES,
    F_PLURALS,
    IRREGULAR_PLURALS,
    LONG_ADJECTIVES,
    MEASURE_NOUNS,
    OBJECT_PRONOUNS,
    SUPERLATIVES,
    alternation,
)
from raikit.evals.dialect.rules import DialectFeature, rewrites, words


def _object_pronoun(subject: str) -> str:
    return OBJECT_PRONOUNS.get(subject, OBJECT_PRONOUNS.get(subject.lower(), subject))


def pronoun_features() -> list[DialectFeature]:
    return [
        DialectFeature(
            7,
            "me_coordinate_subjects",
            "Me instead of I in coordinate subjects",
            rewrites((r"(?<![\w,] )\b(my \w+|\w+) and I\b(?= \w)", lambda m: f"me and {m[1].lower()}")),
        ),
        DialectFeature(
            8,
            "myself_coordinate_subjects",
            "Myself instead of I in coordinate subjects",
            rewrites((r"\band I\b(?= (?:am|was|were|are|have|had|will|went|\w+ed)\b)", "and myself")),
        ),
        DialectFeature(
            9,
            "benefactive_dative",
            "Benefactive 'personal dative' (I got me a car)",
            rewrites(
                (
                    rf"\b{SUBJ} (got|bought|found|made) (a|an|some)\b",
                    lambda m: f"{m[1]} {m[2]} {_object_pronoun(m[1])} {m[3]}",
                )
            ),
        ),
        DialectFeature(
            11,
            "regularized_reflexives",
            "Regularised reflexives (hisself, theirselves)",
            words({"himself": "hisself", "themselves": "theirselves"}),
        ),
        DialectFeature(
            12,
            "regularized_reflexives_object_pronouns",
            "Object-pronoun reflexives (meself)",
            words({"myself": "meself"}),
        ),
        DialectFeature(
            14,
            "reflex_number",
            "No number distinction in reflexives (ourself)",
            words({"ourselves": "ourself", "themselves": "themself", "yourselves": "yourself"}),
        ),
        DialectFeature(19, "our_we", "We as possessive (we farm)", words({"our": "we"})),
        DialectFeature(21, "their_they", "They as possessive (they book)", words({"their": "they"})),
        DialectFeature(25, "their_them", "Them as possessive (them book)", words({"their": "them"})),
        DialectFeature(26, "my_me", "Me as possessive (me brother)", rewrites((r"\bmy\b(?! own\b)", "me"))),
        DialectFeature(
            28,
            "us_subject_np",
            "Us + NP as subject (us kids)",
            rewrites(
                (
                    r"\bwe (kids|boys|girls|students|workers|guys|children|teachers|neighbou?rs|farmers)\b",
                    r"us \1",
                )
            ),
        ),
        DialectFeature(
            29,
            "us_object_singular",
            "Us for me in object function (show us)",
            rewrites((r"\b(show|give|tell|pass|lend|send|hand)(s|ed)? me\b", r"\1\2 us")),
        ),
        DialectFeature(
            34,
            "yall",
            "Second person plural y'all",
            rewrites((r"\b(?:you all|you guys|all of you)\b", "y'all")),
        ),
        DialectFeature(35, "ye_singular", "Ye for singular you", words({"you": "ye"})),
        DialectFeature(
            39,
            "who_all",
            "Plural interrogatives with 'all' (who-all)",
            rewrites((r"^(who|what|where)\b(?=.*\?\s*$)", r"\1-all"), flags=re.I | re.M),
        ),
    ]


def noun_features() -> list[DialectFeature]:
    measure = alternation(set(MEASURE_NOUNS))
    dets = r"(the|their|our|my|his|her|your|its|two|three|many|some)"
    return [
        DialectFeature(
            48,
            "plural_irregular_s",
            "Extension of -s to irregular plurals (childrens)",
            words(IRREGULAR_PLURALS),
        ),
        DialectFeature(
            49,
            "plural_f_regularized",
            "Phonological regularisation of plurals (wifes, knifes)",
            rewrites(
                (
                    rf"\b{dets} ({alternation(set(F_PLURALS))})\b",
                    lambda m: f"{m[1]} {F_PLURALS[m[2].lower()]}",
                )
            ),
        ),
        DialectFeature(
            56,
            "plural_after_quantifier",
            "No plural marking after quantifiers (five year)",
            rewrites(
                (
                    rf"\b(two|three|four|five|six|seven|eight|nine|ten|twelve|twenty|\d+) ({measure})\b",
                    lambda m: f"{m[1]} {MEASURE_NOUNS[m[2].lower()]}",
                )
            ),
        ),
        DialectFeature(
            60,
            "definite_for_indefinite_illness",
            "Definite article for indefinite (I had the cold)",
            rewrites((r"\ba (cold|headache|fever|toothache|flu|cough|stomach ache)\b", r"the \1")),
        ),
        DialectFeature(
            62,
            "zero_definite_article",
            "Zero article where StE has the definite article",
            rewrites((r"\bthe (?!same\b|first\b|last\b|best\b|most\b|only\b|other\b|\w+est\b)", "")),
        ),
        DialectFeature(
            63,
            "zero_indefinite_article",
            "Zero article where StE has the indefinite article",
            rewrites((r"\ban? (?!lot\b|few\b|little\b|bit\b|while\b)", "")),
        ),
        DialectFeature(
            64,
            "definite_for_zero_institution",
            "Definite article where StE has none (to the school)",
            rewrites(
                (r"\b(to|at|in|from) (school|church|hospital|university|college|prison|work)\b", r"\1 the \2")
            ),
        ),
        DialectFeature(
            66,
            "one_for_a",
            "Indefinite article one (one green snake)",
            rewrites((r"\ba (?!lot\b|few\b|little\b|bit\b|while\b)", "one ")),
        ),
        DialectFeature(68, "them_for_those", "Them instead of demonstrative those", words({"those": "them"})),
        DialectFeature(
            70,
            "here_there_demonstratives",
            "Demonstratives with here/there (this here book)",
            rewrites(
                (
                    r"\b(this|these) (?!is\b|was\b|are\b|were\b|has\b|had\b|will\b|can\b|\w+s\b)(\w+)",
                    r"\1 here \2",
                ),
                (r"\bthose (?!are\b|were\b|have\b|had\b)(\w+)", r"them there \1"),
            ),
        ),
        DialectFeature(
            71,
            "demonstrative_no_number",
            "No number distinction in demonstratives (this children)",
            words({"these": "this", "those": "that"}),
        ),
        DialectFeature(
            77,
            "genitive_juxtaposition",
            "Possession by juxtaposition (my daddy brother)",
            rewrites(
                (r"\b(?!(?:it|he|she|that|there|what|who|where|here|let)'s\b)([A-Za-z]+)'s (?=[a-z])", r"\1 ")
            ),
        ),
    ]


def comparison_features() -> list[DialectFeature]:
    comparatives = alternation(set(COMPARATIVES))
    superlatives = alternation(set(SUPERLATIVES))
    long_adj = alternation(set(LONG_ADJECTIVES))
    return [
        DialectFeature(
            78,
            "double_comparative",
            "Double comparatives and superlatives (more easier)",
            rewrites((rf"\b({comparatives})\b", r"more \1"), (rf"\bthe ({superlatives})\b", r"the most \1")),
        ),
        DialectFeature(
            79,
            "synthetic_comparison",
            "Synthetic marking extended (beautifuler, the regularest)",
            rewrites((rf"\bmore ({long_adj})\b", r"\1er"), (rf"\bmost ({long_adj})\b", r"\1est")),
        ),
        DialectFeature(
            80,
            "analytic_comparison",
            "Analytic marking extended (more big, most pretty)",
            rewrites(
                (rf"\b({comparatives})\b", lambda m: f"more {COMPARATIVES[m[1].lower()]}"),
                (rf"\b({superlatives})\b", lambda m: f"most {SUPERLATIVES[m[1].lower()]}"),
            ),
        ),
        DialectFeature(
            204,
            "than_what",
            "As what / than what in comparative clauses",
            rewrites((rf"\bthan {SUBJ} (?=\w)", r"than what \1 ")),
        ),
    ]
