"""The four heads' labelled datasets and their train / val / test splits.

Splits are deterministic functions of the text (or of its near-duplicate group or template), so
training and ``bench/guard_accuracy.py`` rebuild the same held-out sets without storing them:

- harmful requests, jailbreak prompts and toxic texts: by item, whole near-duplicate groups on one
  side (70/15/15);
- benign prompts: by item within the *training* sources (Alpaca, hard negatives, ToxiGen
  neutral statements, BIPIA documents); BOLD, FEVER, TANGO and INVITE are never used for
  training or thresholds, only as unseen benign test sources;
- templated injections and tool outputs: by template, so test phrasings are unseen;
- BIPIA: upstream train contexts and attacks for train/val, upstream test ones (new attack
  categories) for test.
"""

from __future__ import annotations

import hashlib
import itertools
import random
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from raikit.guard.training import data as gd
from raikit.guard.training.hard_negatives import ENCYCLOPEDIC, hard_negatives
from raikit.guard.training.i18n import SOURCE as I18N_SOURCE
from raikit.guard.training.i18n import i18n_prompts
from raikit.guard.training.synthetic import direct_injections, insert_at, tool_documents

SPLITS = ("train", "val", "test")
UNSEEN_BENIGN = ("bold", "fever", "tango", "invite_questions", "invite_answers")


@dataclass
class HeadData:
    """One head's examples per split; ``masked[label]`` lists sources left out of that label."""

    name: str
    labels: tuple[str, ...]
    splits: dict[str, list[gd.Example]] = field(default_factory=lambda: {s: [] for s in SPLITS})
    masked: dict[str, tuple[str, ...]] = field(default_factory=dict)
    source_weights: dict[str, float] = field(default_factory=dict)

    def add(self, rows: Iterable[gd.Example], assign: Callable[[gd.Example], str]) -> None:
        for row in rows:
            self.splits[assign(row)].append(row)

    def add_to(self, split: str, rows: Iterable[gd.Example]) -> None:
        self.splits[split].extend(rows)


def by_item(val: float = 0.15, test: float = 0.15, salt: str = "split") -> Callable[[gd.Example], str]:
    return lambda row: gd.split_of(row.key, val, test, salt)


@dataclass
class Corpus:
    """Everything loaded once from ``data_dir`` (plus the authored sets)."""

    harmful: list[gd.Example]
    jailbreaks: list[gd.Example]
    alpaca: list[gd.Example]
    hard: list[gd.Example]
    presidio: list[gd.Example]
    toxigen: list[gd.Example]
    rtp: list[gd.Example]
    strings: list[gd.Example]
    bipia_contexts: dict[str, list[gd.Example]]
    bipia_attacks: dict[str, list[gd.Example]]
    injections: list[gd.Example]
    tools: list[gd.Example]
    unseen: dict[str, list[gd.Example]]
    i18n: list[gd.Example] = field(default_factory=list)
    """Authored parallel prompts in the nine languages; their YAML names each item's split."""


def load_corpus(data_dir: Path, seed: int = 0, *, log: Callable[[str], None] = print) -> Corpus:
    log(f"loading data from {data_dir}")
    invite_q, invite_a = gd.load_invite(data_dir)
    corpus = Corpus(
        harmful=with_groups(gd.load_harmful_requests(data_dir), "harm"),
        jailbreaks=with_groups(gd.load_jailbreak_prompts(data_dir), "jb"),
        alpaca=gd.load_alpaca(data_dir),
        hard=hard_negatives(),
        presidio=gd.load_presidio(data_dir),
        toxigen=with_groups(gd.load_toxigen(data_dir), "tox", 0.9),
        rtp=gd.load_rtp(data_dir),
        strings=with_groups(gd.load_advbench_strings(data_dir), "str"),
        bipia_contexts={s: gd.load_bipia_contexts(data_dir, s) for s in ("train", "test")},
        bipia_attacks={s: gd.load_bipia_attacks(data_dir, s) for s in ("train", "test")},
        injections=direct_injections(),
        tools=tool_documents(seed),
        i18n=i18n_prompts(),
        unseen={
            "bold": gd.load_bold(data_dir),
            "fever": gd.load_fever(data_dir),
            "tango": gd.load_tango(data_dir),
            "invite_questions": invite_q,
            "invite_answers": invite_a,
        },
    )
    log(
        f"  {len(corpus.harmful)} harmful requests, {len(corpus.jailbreaks)} jailbreak prompts, "
        f"{len(corpus.alpaca)} alpaca, {len(corpus.hard)} hard negatives, {len(corpus.toxigen)} toxigen, "
        f"{len(corpus.injections)} direct injections, {len(corpus.tools)} tool outputs"
    )
    return corpus


def _relabel(rows: Iterable[gd.Example], labels: frozenset[str] = frozenset()) -> list[gd.Example]:
    return [replace(r, labels=labels) for r in rows]


def _benign_prompts(corpus: Corpus, head: HeadData) -> None:
    head.add(corpus.alpaca, by_item(0.1, 0.1))
    head.add(corpus.hard, by_item(0.2, 0.25, "hard"))
    head.add(corpus.presidio, by_item(0.15, 0.2, "presidio"))


def _bipia_prompts(corpus: Corpus) -> dict[str, list[gd.Example]]:
    """BIPIA documents pasted into a user turn with their question: long benign prompts."""
    out: dict[str, list[gd.Example]] = {}
    for split, rows in corpus.bipia_contexts.items():
        out[split] = [
            replace(r, text=f"{r.meta['question']}\n\n{r.text}", source="bipia_prompt", labels=frozenset())
            for r in rows
        ]
    return out


def _bipia_train_val(row: gd.Example) -> str:
    return "val" if gd.stable_fraction(row.key, "bipia") < 0.15 else "train"


def _i18n_split(row: gd.Example) -> str:
    """The authored item's own split; a sixth of its training items (all languages together)
    validate, so thresholds are chosen with every language in view."""
    if row.meta.get("split") == "test":
        return "test"
    return "val" if gd.stable_fraction(row.key, "i18n") < 1 / 6 else "train"


def harm_data(corpus: Corpus) -> HeadData:
    head = HeadData("harm", (*gd.HARM_LABELS, "any"))
    head.add(corpus.harmful, by_item())
    _benign_prompts(corpus, head)
    head.add(corpus.i18n, _i18n_split)
    head.source_weights = {"alpaca": 0.4, "hard_negatives": 0.4, "presidio_synth": 0.2, I18N_SOURCE: 0.3}
    return head


def jailbreak_data(corpus: Corpus) -> HeadData:
    head = HeadData("jailbreak", ("jailbreak", "prompt_injection"))
    head.add(corpus.jailbreaks, by_item())
    head.add(corpus.injections, by_item(0.2, 0.25, "inj"))
    _benign_prompts(corpus, head)
    head.add(_relabel(corpus.harmful), by_item())
    head.add(_relabel(corpus.toxigen), by_item())
    head.add(_relabel(corpus.i18n), _i18n_split)
    prompts = _bipia_prompts(corpus)
    head.add(prompts["train"], _bipia_train_val)
    head.add_to("test", prompts["test"])
    head.masked = {"jailbreak": ("synthetic_injection",), "prompt_injection": ("jailbreak_llms",)}
    head.source_weights = {
        "alpaca": 0.25,
        "hard_negatives": 0.25,
        "presidio_synth": 0.1,
        "advbench": 0.05,
        "do_not_answer": 0.05,
        "simple_safety_tests": 0.02,
        "forbidden_questions": 0.03,
        "bipia_prompt": 0.15,
        "toxigen": 0.1,
        I18N_SOURCE: 0.1,
    }
    return head


def _inject_bipia(rows: list[gd.Example], attacks: list[gd.Example], seed: int) -> list[gd.Example]:
    rng = random.Random(seed)
    text_attacks = [a for a in attacks if a.source == "bipia_text_attack"]
    code_attacks = [a for a in attacks if a.source == "bipia_code_attack"]
    out: list[gd.Example] = []
    for row in rows:
        flat_doc = " ".join(row.text.split())
        out.append(replace(row, text=flat_doc))
        pool = code_attacks if row.source == "bipia_code" else text_attacks
        attack = pool[rng.randrange(len(pool))]
        text, start, end = insert_at(
            flat_doc, " ".join(attack.text.split()), rng.choice(["start", "middle", "end"]), rng
        )
        meta = {"inject_start": str(start), "inject_end": str(end), "category": attack.meta["category"]}
        out.append(replace(row, text=text, labels=frozenset({"indirect_injection"}), meta=meta))
    return out


def injection_data(corpus: Corpus, seed: int = 0) -> HeadData:
    head = HeadData("injection_context", ("indirect_injection",))
    head.add(
        _inject_bipia(corpus.bipia_contexts["train"], corpus.bipia_attacks["train"], seed), _bipia_train_val
    )
    head.add_to("test", _inject_bipia(corpus.bipia_contexts["test"], corpus.bipia_attacks["test"], seed + 1))
    head.add(corpus.tools, by_item(0.2, 0.25, "tool"))
    head.source_weights = {"bipia_email": 0.3, "bipia_table": 0.3, "bipia_code": 0.2}
    for kind in {r.source for r in corpus.tools}:
        head.source_weights[kind] = 0.2 / 8
    return head


def toxicity_data(corpus: Corpus) -> HeadData:
    head = HeadData("toxicity", ("toxicity", "hate_speech"))
    head.add(corpus.toxigen, by_item())
    head.add(corpus.rtp, by_item())
    head.add(corpus.strings, by_item())
    head.add([r for r in corpus.hard if r.meta.get("category") != ENCYCLOPEDIC], by_item(0.2, 0.25, "hard"))
    head.add(corpus.alpaca[::4], by_item(0.1, 0.1))
    head.add(corpus.presidio, by_item(0.15, 0.2, "presidio"))
    head.add(_relabel(corpus.tools), by_item(0.2, 0.25, "tool"))
    head.add(corpus.bipia_contexts["train"], _bipia_train_val)
    head.add_to("test", corpus.bipia_contexts["test"])
    head.source_weights = {
        "toxigen": 0.35,
        "hard_negatives": 0.2,
        "alpaca": 0.15,
        "presidio_synth": 0.1,
        "bipia_email": 0.06,
        "bipia_table": 0.06,
        "bipia_code": 0.06,
        "rtp": 0.4,
        "advbench_strings": 0.25,
    }
    return head


HEAD_BUILDERS: dict[str, Callable[[Corpus, int], HeadData]] = {
    "harm": lambda corpus, seed: harm_data(corpus),
    "jailbreak": lambda corpus, seed: jailbreak_data(corpus),
    "injection_context": injection_data,
    "toxicity": lambda corpus, seed: toxicity_data(corpus),
}


# --- near-duplicate grouping ----------------------------------------------------------------------

_WORD = re.compile(r"\w+")


def _shingle_matrix(texts: Sequence[str], dim: int = 4096) -> np.ndarray:
    out = np.zeros((len(texts), dim), dtype=np.float32)
    for i, text in enumerate(texts):
        words = _WORD.findall(text.lower())
        grams = words + [f"{a} {b}" for a, b in itertools.pairwise(words)]
        for gram in grams:
            out[i, int.from_bytes(hashlib.blake2b(gram.encode(), digest_size=4).digest(), "big") % dim] = 1.0
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    normed: np.ndarray = out / np.maximum(norms, 1e-9)
    return normed


def near_duplicate_groups(texts: Sequence[str], threshold: float = 0.8) -> list[int]:
    """Connected components of texts whose word 1-2-gram sets have cosine >= ``threshold``.

    Returns one component id per text (the index of the component's first member), so whole
    components can be kept on one side of a split.
    """
    parent = list(range(len(texts)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    matrix = _shingle_matrix(texts)
    for start in range(0, len(texts), 512):
        sims = matrix[start : start + 512] @ matrix.T
        rows, cols = np.nonzero(sims >= threshold)
        for r, c in zip(rows.tolist(), cols.tolist(), strict=True):
            a, b = find(start + r), find(c)
            if a != b:
                parent[max(a, b)] = min(a, b)
    return [find(i) for i in range(len(texts))]


def with_groups(rows: Sequence[gd.Example], prefix: str, threshold: float = 0.8) -> list[gd.Example]:
    """``rows`` with ``group`` set to their near-duplicate component (for leak-free splits)."""
    comps = near_duplicate_groups([r.text for r in rows], threshold)
    keys = {c: gd.normalize(rows[c].text) for c in set(comps)}
    return [
        gd.Example(r.text, r.source, r.labels, r.lang, f"{prefix}:{keys[c]}", r.meta)
        for r, c in zip(rows, comps, strict=True)
    ]
