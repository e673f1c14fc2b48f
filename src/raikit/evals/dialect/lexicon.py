"""A small English lexicon for the dialect rules: verb paradigms, nouns, adjectives, adverbs.

The rules only touch words they know, so an unknown word is left as it is rather than
mangled. The lists cover the vocabulary of raikit's base items and everyday English.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

# base 3sg past participle -ing
_IRREGULAR = """
have has had had having
do does did done doing
go goes went gone going
see sees saw seen seeing
come comes came come coming
take takes took taken taking
give gives gave given giving
know knows knew known knowing
get gets got gotten getting
make makes made made making
eat eats ate eaten eating
write writes wrote written writing
run runs ran run running
catch catches caught caught catching
throw throws threw thrown throwing
grow grows grew grown growing
buy buys bought bought buying
bring brings brought brought bringing
think thinks thought thought thinking
find finds found found finding
leave leaves left left leaving
tell tells told told telling
say says said said saying
sell sells sold sold selling
begin begins began begun beginning
drive drives drove driven driving
speak speaks spoke spoken speaking
break breaks broke broken breaking
win wins won won winning
lose loses lost lost losing
pay pays paid paid paying
meet meets met met meeting
keep keeps kept kept keeping
sleep sleeps slept slept sleeping
build builds built built building
teach teaches taught taught teaching
fly flies flew flown flying
swim swims swam swum swimming
sing sings sang sung singing
forget forgets forgot forgotten forgetting
"""
_REGULAR = """
walk play call ask work start want look live move use finish open help need like love try visit watch show
cook clean stay arrive plant paint fix close miss wash learn travel order return rent study enjoy answer
repair own prefer believe hate understand rain snow wait finish join change check count carry dance
climb cross deliver drop fill hope jump kick laugh listen mention offer pick plan pull push reach
record remember save share shout smile talk turn wish worry collect complete decide explain invite
"""
STATIVE = ("like", "love", "want", "need", "know", "understand", "prefer", "believe", "hate", "own")


@dataclass(frozen=True)
class Verb:
    base: str
    third: str
    past: str
    participle: str
    ing: str

    @property
    def regular(self) -> bool:
        return self.past == _regular_past(self.base)


def _regular_past(base: str) -> str:
    if base.endswith("e"):
        return base + "d"
    if base.endswith("y") and base[-2:-1] not in "aeiou":
        return base[:-1] + "ied"
    if base in ("plan", "drop", "stop", "shop"):
        return base + base[-1] + "ed"
    return base + "ed"


def _third(base: str) -> str:
    if base.endswith(("s", "sh", "ch", "x", "o")):
        return base + "es"
    if base.endswith("y") and base[-2:-1] not in "aeiou":
        return base[:-1] + "ies"
    return base + "s"


def _ing(base: str) -> str:
    if base.endswith("e") and not base.endswith("ee"):
        return base[:-1] + "ing"
    if base in ("plan", "drop", "stop", "shop", "run", "swim"):
        return base + base[-1] + "ing"
    return base + "ing"


@functools.cache
def verbs() -> dict[str, Verb]:
    """Every known verb by its base form."""
    table: dict[str, Verb] = {}
    for line in _IRREGULAR.strip().splitlines():
        base, third, past, participle, ing = line.split()
        table[base] = Verb(base, third, past, participle, ing)
    for base in _REGULAR.split():
        past = _regular_past(base)
        table[base] = Verb(base, _third(base), past, past, _ing(base))
    return table


@functools.cache
def by_form(kind: str) -> dict[str, Verb]:
    """Verbs indexed by one of their forms (``third``, ``past``, ``participle``, ``ing``, ``base``)."""
    return {getattr(v, kind): v for v in verbs().values()}


def regularised_past(verb: Verb) -> str:
    """``catch`` -> ``catched``: the regular past of an irregular verb."""
    return _regular_past(verb.base)


def alternation(words: list[str] | tuple[str, ...] | set[str]) -> str:
    """A regular-expression alternation of ``words``, longest first."""
    return "|".join(sorted(words, key=lambda w: (-len(w), w)))


IRREGULAR_PLURALS = {
    "children": "childrens",
    "men": "mens",
    "women": "womens",
    "people": "peoples",
    "sheep": "sheeps",
    "feet": "feets",
    "teeth": "teeths",
    "mice": "mices",
    "fish": "fishes",
}
F_PLURALS = {
    "wives": "wifes",
    "knives": "knifes",
    "lives": "lifes",
    "leaves": "leafs",
    "wolves": "wolfs",
    "halves": "halfs",
    "shelves": "shelfs",
    "loaves": "loafs",
    "thieves": "thiefs",
}
MEASURE_NOUNS = {
    "years": "year",
    "pounds": "pound",
    "miles": "mile",
    "dollars": "dollar",
    "months": "month",
    "weeks": "week",
    "days": "day",
    "hours": "hour",
    "kilos": "kilo",
    "minutes": "minute",
    "kilometres": "kilometre",
    "kilometers": "kilometer",
    "feet": "foot",
    "euros": "euro",
}
COMPARATIVES = {
    "bigger": "big",
    "smaller": "small",
    "older": "old",
    "younger": "young",
    "taller": "tall",
    "faster": "fast",
    "slower": "slow",
    "larger": "large",
    "longer": "long",
    "higher": "high",
    "cheaper": "cheap",
    "easier": "easy",
    "harder": "hard",
    "warmer": "warm",
    "colder": "cold",
    "richer": "rich",
    "poorer": "poor",
    "heavier": "heavy",
    "lighter": "light",
    "stronger": "strong",
    "closer": "close",
    "shorter": "short",
    "happier": "happy",
    "busier": "busy",
    "wider": "wide",
}
SUPERLATIVES = {
    c[:-2] + "est" if not c.endswith("ier") else c[:-3] + "iest": b for c, b in COMPARATIVES.items()
}
LONG_ADJECTIVES = (
    "beautiful",
    "careful",
    "expensive",
    "famous",
    "interesting",
    "difficult",
    "regular",
    "important",
    "comfortable",
    "dangerous",
    "popular",
    "modern",
    "useful",
    "honest",
    "polite",
    "common",
    "quiet",
    "successful",
    "reliable",
    "crowded",
    "peaceful",
    "valuable",
)
ADJECTIVES = (
    "tired",
    "happy",
    "sad",
    "sick",
    "ill",
    "busy",
    "late",
    "early",
    "ready",
    "hungry",
    "angry",
    "old",
    "young",
    "tall",
    "short",
    "rich",
    "poor",
    "cold",
    "hot",
    "warm",
    "open",
    "closed",
    "empty",
    "full",
    "quiet",
    "loud",
    "small",
    "big",
    "large",
    "new",
    "expensive",
    "cheap",
    "safe",
    "broken",
    "free",
    "good",
    "bad",
    "right",
    "wrong",
    "true",
    "kind",
    "friendly",
    "married",
    "famous",
    "popular",
    "sure",
    "afraid",
    "proud",
    "strong",
    "weak",
    "clean",
    "dirty",
    "smart",
    "beautiful",
    "careful",
    "important",
    "useful",
    "dangerous",
    "far",
    "near",
    "correct",
    "heavy",
)
ADVERBS = {
    "quickly": "quick",
    "slowly": "slow",
    "quietly": "quiet",
    "carefully": "careful",
    "easily": "easy",
    "badly": "bad",
    "loudly": "loud",
    "nicely": "nice",
    "clearly": "clear",
    "properly": "proper",
    "seriously": "serious",
    "safely": "safe",
    "happily": "happy",
    "regularly": "regular",
    "cheaply": "cheap",
    "strongly": "strong",
    "honestly": "honest",
    "politely": "polite",
}
SUBJECTS = ("I", "you", "we", "they", "he", "she", "it")
PLURAL_SUBJECTS = ("I", "you", "we", "they")
SINGULAR_SUBJECTS = ("he", "she", "it")
OBJECT_PRONOUNS = {"I": "me", "you": "you", "we": "us", "they": "them", "he": "him", "she": "her", "it": "it"}
