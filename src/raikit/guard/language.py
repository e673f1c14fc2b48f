"""Which of the guard's nine languages a prompt is written in: cheap, dependency-free, conservative.

Used where a classifier corrects for the language a text is in (the harm head's cross-lingual
prototype shift, :mod:`raikit.guard.classifier`), so a wrong guess must be rare and a wrong
"not English" for English text rarer still:

- Japanese, Hindi and Arabic by script: kana (Japanese; Han alone could be Chinese, so it does
  not count), Devanagari, Arabic letters; the script must hold at least half of the letters.
- English, German, French, Spanish, Italian and Portuguese by their function words: each word
  of the text votes for every language whose list has it, and a language other than English
  wins only with at least two votes and more votes than English.

Anything else (too short, another script or language, a tie) is ``None``. About 20 µs for a
prompt; only the first :data:`SAMPLE_CHARS` characters are read.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

SAMPLE_CHARS = 1_000
LATIN_LANGUAGES = ("en", "de", "fr", "es", "it", "pt")
SCRIPT_LANGUAGES = ("ja", "hi", "ar")
LANGUAGES = (*LATIN_LANGUAGES, *SCRIPT_LANGUAGES)

_FUNCTION_WORDS: Mapping[str, str] = {
    "en": """the a an and or but of to in on at by for with from is are was were be been do does did
        have has had what how why when where who which can could should would will my your his her
        its our their this that these those i you he she we they me him us them not no without
        someone something about into get make as if so than then there all any some more most
        other very just also up out over after before only""",
    "de": """der die das den dem des ein eine einen einem einer und oder aber ist sind war waren
        wird werden ich du er sie es wir ihr mich mir dich dir uns wie was warum wann wo wer
        welche welcher welches kann könnte sollte würde mein meine meinen dein deine sein seine
        nicht kein keine ohne jemanden jemand etwas mit für auf zu von bei nach über im ins zum
        zur sich dass man machen""",
    "fr": """le la les un une des du de et ou mais est sont était été je tu il elle nous vous ils
        elles me te se moi toi lui leur comment pourquoi quand où qui que quoi quel quelle quels
        quelles peux peut pourrait devrait mon ma mes ton ta tes son sa ses notre votre ne pas
        sans quelqu un quelque chose avec pour sur dans par au aux ce cette ces faire""",
    "es": """el la los las un una unos unas y o pero es son era fue yo tú él ella nosotros
        vosotros ellos ellas me te se le les lo mí cómo como por qué porqué cuándo dónde quién
        cuál cuáles puedo puede podría debería mi mis tu tus su sus nuestro no sin alguien algo
        con para en de del al este esta estos estas hacer""",
    "it": """il lo la i gli le un uno una e o ma è sono era io tu lui lei noi voi loro mi ti si
        ci me te come perché quando dove chi che cosa quale quali posso può potrebbe dovrebbe
        mio mia miei mie tuo tua suo sua non senza qualcuno qualcosa con per su di del della
        dei delle al alla nel nella questo questa fare""",
    "pt": """o a os as um uma uns umas e ou mas é são era foi eu tu ele ela nós vós eles elas me
        te se lhe nos como porque quando onde quem qual quais posso pode poderia deveria meu
        minha meus minhas seu sua não sem alguém algo com para em de do da dos das ao no na
        nos nas este esta isto fazer você""",
}
_WORD_SETS = {lang: frozenset(words.split()) for lang, words in _FUNCTION_WORDS.items()}
_WORD = re.compile(r"[^\W\d_]+")


def _script_counts(sample: str) -> tuple[int, int, int, int, int]:
    """Letters overall, and kana, Devanagari and Arabic letters among them."""
    letters = kana = deva = arabic = latin = 0
    for ch in sample:
        if not ch.isalpha():
            continue
        letters += 1
        o = ord(ch)
        if o < 0x250:
            latin += 1
        elif 0x3040 <= o <= 0x30FF:
            kana += 1
        elif 0x0900 <= o <= 0x097F:
            deva += 1
        elif 0x0600 <= o <= 0x06FF or 0x0750 <= o <= 0x077F:
            arabic += 1
    return letters, latin, kana, deva, arabic


def guess_language(text: str) -> str | None:
    """The language of ``text`` among :data:`LANGUAGES`, or None when unsure (see the module)."""
    sample = text[:SAMPLE_CHARS]
    letters, latin, kana, deva, arabic = _script_counts(sample)
    if letters == 0:
        return None
    if deva * 2 >= letters:
        return "hi"
    if arabic * 2 >= letters:
        return "ar"
    if kana and not latin * 2 >= letters:
        return "ja"
    if latin * 2 < letters:
        return None
    votes = dict.fromkeys(LATIN_LANGUAGES, 0)
    for word in _WORD.findall(sample.lower()):
        for lang, words in _WORD_SETS.items():
            if word in words:
                votes[lang] += 1
    best = max(LATIN_LANGUAGES[1:], key=lambda lang: votes[lang])
    if votes[best] >= 2 and votes[best] > votes["en"]:
        runner_up = max(votes[lang] for lang in LATIN_LANGUAGES[1:] if lang != best)
        return best if votes[best] > runner_up else None
    return "en" if votes["en"] >= 2 else None
