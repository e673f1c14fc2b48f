"""Cheap, deterministic, language-agnostic lexical features and the encoder's view of a text.

The classifier heads read the sentence embedding of a *view* of the text (its head and tail, cut
to a token budget, since the encoder's cost grows with every token) plus the lexical features of
the whole text (capped at :data:`MAX_FEATURE_CHARS`), so that cues far from both ends still count:

- ``ngrams``: character 3- and 4-grams of the lower-cased text hashed into :data:`NGRAM_DIM`
  buckets with a fixed multiplicative hash (no Python ``hash``, so stable across processes),
  sub-linear counts, L2-normalised;
- ``cues``: counts of prompt-attack cue patterns (instruction override, role play, policy evasion,
  system-prompt extraction, chat-template markers, embedded actions, placeholders...) written in
  the nine languages of the guardrails plus Chinese; harm vocabulary is deliberately absent, so the
  heads cannot learn that "kill" or "bomb" alone means harm;
- ``stats``: length, line count and character-class ratios.

The encoder reads an English gloss of mostly-Hindi text (:func:`encoder_text`), and the tokenizer
feeding it is part of the version too (:data:`raikit.guard.resources.TOKENIZER`).

Changing anything here changes what the shipped weights mean: bump :data:`FEATURE_VERSION` and
retrain.
"""

# ruff: noqa: RUF001 - multilingual cue words and punctuation on purpose

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

FEATURE_VERSION = "2"
MAX_FEATURE_CHARS = 8_000
NGRAM_DIM = 256
NGRAM_ORDERS = (3, 4)
_HASH_MULTIPLIERS = np.array(
    [0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0xD6E8FEB86659FD93], dtype=np.uint64
)
_MIX = np.uint64(0xFF51AFD7ED558CCD)
_NGRAM_SHIFT = np.uint64(64 - int(np.log2(NGRAM_DIM)))

FloatArray = npt.NDArray[np.float32]
TOKENS_PER_CHAR = {"latin": 0.27, "cjk": 0.7, "indic": 1.05, "other": 0.42}

# Cue lexicon: lower-case words (counted as whole tokens) and phrases or no-space-script strings
# (counted as substrings of the normalised text), per cue group, in en/de/fr/es/it/pt/ja/hi/ar/zh.
# The cue lexicon, one group per entry: lower-case words (counted as whole tokens) and phrases or
# strings in scripts without spaces (counted as substrings of the normalised text), separated by
# "|", in en/de/fr/es/it/pt/ja/hi/ar/zh. A line starting with "|" continues the group above.
_CUE_SOURCE = """
override_verb = ignore | ignoring | disregard | forget | override | bypass | ignoriere | ignorieren
  | vergiss | vergessen | missachte | ignorez | oubliez | oublie | ignora | ignorad | olvida | olvide
  | omite | dimentica | dimenticate | esqueça | esqueca | desconsidere | تجاهل | تجاهلي | انس | انسَ
  | अनदेखा | भूल | नज़रअंदाज़ | नजरअंदाज | 無視 | 忘れ | 忽略 | 无视 | 忘记
instruction_noun = instructions | instruction | prompt | prompts | rules | guidelines | directives
  | programming | anweisungen | anweisung | regeln | vorgaben | consignes | règles | instrucciones
  | reglas | indicaciones | istruzioni | regole | instruções | instrucoes | regras | التعليمات | الأوامر
  | القواعد | निर्देश | निर्देशों | नियम | नियमों | 指示 | 命令 | ルール | 指令 | 规则
prior_ref = previous | prior | above | earlier | preceding | original | vorherigen | bisherigen | obigen
  | vorigen | précédentes | précédents | antérieures | anteriores | previas | precedenti | anteriori
  | السابقة | أعلاه | पिछले | पहले | ऊपर | 以前 | 上記 | これまで | 之前 | 以上
roleplay = you are now | you're now | act as | acting as | pretend | roleplay | role-play | role play
  | in character | from now on | simulate | persona | you will act | du bist jetzt | tu so | rolle
  | ab jetzt | von nun an | tu es maintenant | fais comme si | rôle | désormais | ahora eres | actúa como
  | finge | a partir de ahora | ora sei | fingi | d'ora in poi | finja | aja como | a partir de agora
  | أنت الآن | تظاهر | دور | अब से | भूमिका | नाटक | なりきって | 振る舞 | ロールプレイ
  | 今からあなたは | 扮演 | 假装 | 从现在开始
unrestricted = dan | do anything now | developer mode | dev mode | jailbreak | jailbroken | jailbreaking
  | unfiltered | uncensored | unrestricted | unlimited | amoral | unethical | no restrictions | no filters
  | no limits | no rules | no morals | no ethics | without restrictions | without any restrictions
  | without limits | without censorship | never refuse | not bound | free from | ohne einschränkungen
  | keine regeln | keine grenzen | sans restriction | sans limites | sans censure | sin restricciones
  | sin límites | sin censura | senza restrizioni | senza limiti | senza censura | sem restrições
  | sem limites | sem censura | بدون قيود | بلا قيود | بدون رقابة | बिना किसी प्रतिबंध | कोई प्रतिबंध नहीं
  | 制限なし | 無制限 | 検閲なし | 脱獄 | 越狱 | 没有限制
policy = openai | content policy | policies | policy | guidelines | ethical | ethics | moral | morals
  | as an ai | language model | chatgpt | gpt | gpt-4 | llm | censorship | censored | hypothetical
  | hypothetically | educational purposes | fictional | tokens | filter | filters
exfiltration = system prompt | initial prompt | hidden instructions | your instructions | reveal | api key
  | password | credentials | secret | systemprompt | system-prompt | invite système | prompt del sistema
  | prompt do sistema | システムプロンプト | सिस्टम प्रॉम्प्ट | تعليمات النظام | 系统提示
template = <|im_start|> | <|im_end|> | [inst] | <<sys>> | <|system|> | <|user|> | <|assistant|>
  | <|endoftext|> | system: | assistant: | user: | human: | ### instruction | ### system
embedded = new instructions | new task | important instructions | note to | ai assistant | assistant
  | the user | do not tell | don't tell | instead | before answering | in your answer | in your response
  | in your reply | respond with | reply with | make sure | you must | you should | your response
  | your answer | your reply | your output | the ai | deine antwort | ihre antwort | ta réponse
  | votre réponse | tu respuesta | su respuesta | la tua risposta | sua resposta | 回答に | जवाब में | إجابتك
  | ردك | neue anweisung | nouvelle instruction | nueva instrucción | nuova istruzione | nova instrução
  | تعليمات جديدة | नया निर्देश | 新しい指示 | 新指令
action = :// | www. | @ | ``` | click | visit | download | install | subscribe | forward | send | transfer
  | execute | import | requests. | curl | wget | eval( | exec( | base64 | os.system | subprocess | klicken
  | cliquez | haz clic | clicca | clique | クリック | क्लिक | انقر
placeholder = [insert | [prompt | [your | {{ | <prompt> | [put | ${ | [question
imperative = write | tell | give | explain | create | generate | provide | describe | list | translate
  | summarize | summarise | answer | respond | reply | output | print | say | show | compose | draft
  | schreibe | erkläre | gib | erstelle | écris | écrivez | explique | donne | donnez | escribe | explica
  | dame | scrivi | spiega | dammi | dimmi | escreva | dê | me dê | diga
second_person = you | your | yourself | du | dich | dir | dein | deine | tu | vous | toi | ton | votre
  | tú | usted | tuo | tua | você | voce | أنت | تم | तुम | आप | あなた | 君 | 你
"""


def _parse_lexicon(source: str) -> dict[str, tuple[str, ...]]:
    groups: dict[str, list[str]] = {}
    name = ""
    for line in source.strip().splitlines():
        body = line.strip()
        if not line.startswith(" "):
            name, body = (part.strip() for part in body.split("=", 1))
            groups[name] = []
        groups[name].extend(p.strip() for p in body.strip("|").split(" | ") if p.strip())
    return {k: tuple(dict.fromkeys(v)) for k, v in groups.items()}


CUE_LEXICON: dict[str, tuple[str, ...]] = _parse_lexicon(_CUE_SOURCE)
CUE_NAMES: tuple[str, ...] = tuple(CUE_LEXICON)
STAT_NAMES: tuple[str, ...] = (
    "log_chars",
    "log_lines",
    "punct_ratio",
    "upper_ratio",
    "digit_ratio",
    "non_ascii_ratio",
    "symbol_ratio",
    "question_marks",
    "exclamations",
    "brackets",
)
BLOCK_DIMS: dict[str, int] = {"ngrams": NGRAM_DIM, "cues": len(CUE_NAMES), "stats": len(STAT_NAMES)}
_SPLIT = re.compile(r"[\s.,!?;:()\[\]{}\"'«»“”„‘’`*#|/\\،؟。、！？…]+")


def _is_word(phrase: str) -> bool:
    """Whether ``phrase`` is one token of :data:`_SPLIT` in a space-separated script."""
    return all(unicodedata.category(ch)[0] in "LMN" or ch in "-'" for ch in phrase) and not any(
        0x3040 <= ord(ch) <= 0x9FFF for ch in phrase
    )


def _gate(phrase: str) -> str | None:
    """A token that every text containing ``phrase`` also contains (to skip needless scans)."""
    first = next((t for t in _SPLIT.split(phrase) if t), "")
    if any(0x3040 <= ord(ch) <= 0x9FFF for ch in phrase):
        return "\u3000cjk"
    return first if first and _is_word(first) and phrase.startswith(first) else None


_CUE_WORDS: tuple[frozenset[str], ...] = tuple(
    frozenset(p for p in phrases if _is_word(p)) for phrases in CUE_LEXICON.values()
)
_CUE_SUBSTRINGS: tuple[tuple[tuple[str, str | None], ...], ...] = tuple(
    tuple((p, _gate(p)) for p in phrases if not _is_word(p)) for phrases in CUE_LEXICON.values()
)


_CJK = re.compile(r"[\u3040-\u9fff]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffd]+")


def cap_text(text: str, limit: int = MAX_FEATURE_CHARS) -> str:
    """At most ``limit`` characters (three quarters from the head, the rest from the tail), with
    runs of control characters made one space."""
    if len(text) > limit:
        head = limit * 3 // 4
        text = f"{text[:head]}\n{text[len(text) - (limit - head) :]}"
    return _CONTROL.sub(" ", text)


def _codepoints(text: str) -> npt.NDArray[np.uint64]:
    raw = np.frombuffer(text.encode("utf-32-le", errors="replace"), dtype=np.uint32)
    return raw.astype(np.uint64)


def ngram_features(text: str) -> FloatArray:
    """Hashed character 3/4-grams of the lower-cased, whitespace-collapsed text, L2-normalised."""
    out = np.zeros(NGRAM_DIM, dtype=np.float32)
    cps = _codepoints(" ".join(text.lower().split()))
    for order in NGRAM_ORDERS:
        n = cps.size - order + 1
        if n <= 0:
            continue
        h = np.zeros(n, dtype=np.uint64)
        for k in range(order):
            h += (cps[k : k + n] + np.uint64(1)) * _HASH_MULTIPLIERS[k]
        h ^= h >> np.uint64(29)
        h *= _MIX
        out += np.bincount((h >> _NGRAM_SHIFT).astype(np.int64), minlength=NGRAM_DIM).astype(np.float32)
    np.log1p(out, out=out)
    norm = float(np.linalg.norm(out))
    if norm > 0:
        out /= norm
    return out


def cue_features(text: str) -> FloatArray:
    """``log1p`` of the number of cue words and phrases of each group found in ``text``."""
    lowered = text.lower()
    counts = Counter(_SPLIT.split(lowered))
    if _CJK.search(lowered):
        counts["\u3000cjk"] = 1
    spaced = " ".join(lowered.split())
    out = np.zeros(len(CUE_NAMES), dtype=np.float32)
    for i, (words, substrings) in enumerate(zip(_CUE_WORDS, _CUE_SUBSTRINGS, strict=True)):
        total = sum(counts[w] for w in words)
        total += sum(spaced.count(p) for p, gate in substrings if gate is None or gate in counts)
        out[i] = total
    return np.log1p(out)


def _count(cps: npt.NDArray[np.uint32], lo: int, hi: int) -> int:
    return int(np.count_nonzero((cps >= lo) & (cps <= hi)))


def stat_features(text: str) -> FloatArray:
    """Length and character-class statistics, all roughly in [0, 1]."""
    n = len(text)
    if n == 0:
        return np.zeros(len(STAT_NAMES), dtype=np.float32)
    cps = np.frombuffer(text.encode("utf-32-le", errors="replace"), dtype=np.uint32)
    upper = _count(cps, 65, 90)
    lower = _count(cps, 97, 122)
    punct = (
        (_count(cps, 33, 47) + _count(cps, 58, 64) + _count(cps, 91, 96) + _count(cps, 123, 126))
        + _count(cps, 0x2000, 0x206F)
        + _count(cps, 0x3000, 0x303F)
    )
    symbols = _count(cps, 0x2100, 0x2BFF) + _count(cps, 0x1F000, 0x1FFFF)
    return np.array(
        [
            np.log1p(n) / 10.0,
            np.log1p(text.count("\n")) / 5.0,
            punct / n,
            upper / max(upper + lower, 1),
            _count(cps, 48, 57) / n,
            _count(cps, 128, 0x10FFFF) / n,
            symbols / n,
            np.log1p(text.count("?") + text.count("？") + text.count("؟")) / 3.0,
            np.log1p(text.count("!") + text.count("！")) / 3.0,
            np.log1p(sum(text.count(c) for c in "[]{}<>")) / 3.0,
        ],
        dtype=np.float32,
    )


_BLOCKS = {"ngrams": ngram_features, "cues": cue_features, "stats": stat_features}


def lexical_features(text: str, blocks: Sequence[str] = ("ngrams", "cues", "stats")) -> FloatArray:
    """The named feature blocks of ``text`` (capped), concatenated in the given order."""
    capped = cap_text(text)
    parts = [_BLOCKS[name](capped) for name in blocks]
    if not parts:
        return np.zeros(0, dtype=np.float32)
    return np.concatenate(parts).astype(np.float32, copy=False)


def lexical_matrix(texts: Sequence[str], blocks: Sequence[str] = ("ngrams", "cues", "stats")) -> FloatArray:
    dim = sum(BLOCK_DIMS[name] for name in blocks)
    out = np.zeros((len(texts), dim), dtype=np.float32)
    for i, text in enumerate(texts):
        out[i] = lexical_features(text, blocks)
    return out


def token_weights(text: str) -> FloatArray:
    """Estimated encoder tokens per character, by script (measured with the encoder's tokenizer on
    the multilingual dev set: ~0.27 for Latin scripts, 0.69 Japanese, 1.04 Devanagari, 0.41 Arabic)."""
    cps = np.frombuffer(text.encode("utf-32-le", errors="replace"), dtype=np.uint32)
    weights = np.full(cps.shape, TOKENS_PER_CHAR["other"], dtype=np.float32)
    weights[cps < 0x0250] = TOKENS_PER_CHAR["latin"]
    weights[((cps >= 0x3040) & (cps <= 0x9FFF)) | ((cps >= 0xAC00) & (cps <= 0xD7AF))] = TOKENS_PER_CHAR[
        "cjk"
    ]
    return weights


def encoder_view(text: str, budget_tokens: int, *, head_share: float = 0.75) -> str:
    """The part of ``text`` the encoder reads: all of it when short, else its head and tail.

    ``budget_tokens`` bounds the estimated number of encoder tokens; ``head_share`` of it goes to
    the beginning (where prompt-attack templates sit) and the rest to the end (where the actual
    request usually is), cut at spaces. Whitespace runs are collapsed so padding costs nothing.
    """
    flat = flatten(encoder_text(text), MAX_FEATURE_CHARS)
    return view_of(flat, view_cut(flat, budget_tokens, head_share))


_DEVANAGARI = re.compile("[\u0900-\u097f]")


def encoder_text(text: str) -> str:
    """What the encoder reads of ``text``: an English word-by-word gloss when the text is mostly
    Hindi (the encoder has no Devanagari vocabulary: a third of its pieces would be unknown),
    else the text itself. Text without a Devanagari letter is returned at regex speed."""
    if text.isascii() or not _DEVANAGARI.search(text, 0, MAX_FEATURE_CHARS):
        return text
    from raikit.guard.gloss import gloss

    glossed = gloss(cap_text(text, MAX_FEATURE_CHARS))
    return glossed if glossed else text


def view_cut(flat: str, budget_tokens: int, head_share: float) -> tuple[int, int] | None:
    """The character span of a flattened text that :func:`encoder_view` leaves out (its middle),
    or None when the whole text fits the budget."""
    if not flat:
        return None
    cum = np.cumsum(token_weights(flat))
    if float(cum[-1]) <= budget_tokens:
        return None
    head_end = int(np.searchsorted(cum, budget_tokens * head_share, side="right"))
    tail_tokens = float(cum[-1]) - budget_tokens * (1.0 - head_share)
    tail_start = max(head_end, int(np.searchsorted(cum, tail_tokens, side="left")) + 1)
    space = flat.rfind(" ", max(0, head_end - 30), head_end)
    head_end = space if space > 0 else head_end
    space = flat.find(" ", tail_start, tail_start + 30)
    tail_start = space + 1 if space >= 0 else tail_start
    return head_end, max(head_end, tail_start)


def view_of(flat: str, cut: tuple[int, int] | None) -> str:
    """``flat`` without its middle ``cut`` (marked by an ellipsis)."""
    if cut is None:
        return flat
    return f"{flat[: cut[0]]} … {flat[cut[1] :]}"


def flatten(text: str, limit: int = 4 * MAX_FEATURE_CHARS) -> str:
    """``text`` capped to ``limit`` characters, whitespace runs collapsed to one space."""
    return " ".join(cap_text(text, limit).split())


def chunk_spans(flat: str, chunk_tokens: int, stride_tokens: int) -> list[tuple[int, int]]:
    """Overlapping windows of about ``chunk_tokens`` estimated tokens over a flattened text,
    starting every ``stride_tokens``, cut at spaces; ``[(start, end), ...]`` in characters."""
    if not flat:
        return []
    cum = np.concatenate([[0.0], np.cumsum(token_weights(flat))])
    total = float(cum[-1])
    spans: list[tuple[int, int]] = []
    start_tok = 0.0
    while True:
        start = int(np.searchsorted(cum, start_tok, side="left"))
        end = int(np.searchsorted(cum, start_tok + chunk_tokens, side="right")) - 1
        if start > 0:
            space = flat.find(" ", start - 1, min(len(flat), start + 20))
            start = space + 1 if space >= 0 else start
        if end < len(flat):
            space = flat.rfind(" ", max(start, end - 30), end)
            end = space if space > start else end
        spans.append((start, min(end, len(flat))))
        if start_tok + chunk_tokens >= total:
            break
        start_tok += stride_tokens
    return spans
