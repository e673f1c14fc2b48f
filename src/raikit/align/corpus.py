"""More training prompts than the suites' ``train`` split, decontaminated against the held-out items.

The suites' train split has about two hundred items, too few to teach a small model where the line
between a harmful request and an alarming-sounding benign one lies in nine languages. This module
adds prompts that raikit already ships or can read:

* raikit's authored multilingual guard prompts (:mod:`raikit.guard.training.i18n`), hand
  translated into the nine languages: harmful requests over every harm category, benign prompts
  that borrow alarming vocabulary, and ordinary benign prompts;
* raikit's English hard negatives (benign prompts with harm words, such as killing a process);
* with a data folder (``../shared/data``): the public harmful requests (AdvBench,
  SimpleSafetyTests, Do-Not-Answer, the forbidden-question set) and Alpaca's benign instructions.

Harmful prompts become ``refuse`` items and benign ones ``comply`` items, all ``split: train``, so
the builders in :mod:`raikit.align.data` and :mod:`raikit.align.preferences` treat them like suite
items. Each harmful prompt's RAI dimension is its harm category's (the taxonomy's crosswalk), which
picks the style guide's reason; benign prompts take the dimension of the category they borrow from.

**Decontamination.** A prompt whose character 4-gram Jaccard similarity to any held-out prompt in
the same language reaches ``threshold`` is dropped, and with it every translation of the same
authored item, so a held-out probe never reaches training through a paraphrase or a translation.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from raikit.align.preferences import category_dimension
from raikit.align.sampling import round_robin
from raikit.evals.dataset import Sample

if TYPE_CHECKING:
    from raikit.guard.training.data import Example

DEFAULT_THRESHOLD = 0.25
"""Similarity to a held-out prompt from which a training prompt is dropped (measured: authored
paraphrases of suite probes score 0.26-0.44, unrelated prompts in the same language below 0.2)."""


@dataclass(frozen=True)
class CorpusCounts:
    """What :func:`corpus_items` found, dropped and kept."""

    harmful_pool: int
    benign_pool: int
    dropped_groups: int
    harmful: int
    benign: int


def _harm_category(example: Example) -> str | None:
    named = sorted(label for label in example.labels if label != "any")
    return named[0] if named else example.meta.get("borrows")


def _pools(data_dir: Path | None) -> tuple[list[Example], list[Example]]:
    from raikit.guard.training import data as shared
    from raikit.guard.training.hard_negatives import hard_negatives
    from raikit.guard.training.i18n import i18n_prompts

    authored = i18n_prompts()
    harmful = [e for e in authored if e.meta.get("kind") == "harmful"]
    benign = [e for e in authored if e.meta.get("kind") != "harmful"] + hard_negatives()
    if data_dir is not None:
        harmful += shared.load_harmful_requests(data_dir)
        benign += shared.load_alpaca(data_dir)
    return harmful, benign


class _Contamination:
    """Which prompts are too close to a held-out prompt in the same language (memoised per group)."""

    def __init__(self, held_out: Iterable[Sample], threshold: float) -> None:
        from raikit.guard.training.i18n import char_ngrams

        self.threshold = threshold
        self.grams: dict[str, list[frozenset[str]]] = {}
        for s in held_out:
            self.grams.setdefault(s.language, []).append(char_ngrams(s.prompt))
        self.dropped: set[str] = set()

    def close(self, example: Example) -> bool:
        from raikit.guard.training.i18n import char_ngrams, jaccard

        grams = char_ngrams(example.text)
        return any(jaccard(grams, other) >= self.threshold for other in self.grams.get(example.lang, ()))

    def drop_groups(self, pool: Sequence[Example]) -> None:
        """Mark every authored group with a close translation; ungrouped prompts are checked alone."""
        for e in pool:
            if e.group and e.group not in self.dropped and self.close(e):
                self.dropped.add(e.group)

    def clean(self, example: Example) -> bool:
        if example.group:
            return example.group not in self.dropped
        return not self.close(example)


def _balanced(pool: Sequence[Example], limit: int, rng: random.Random, keep: _Contamination) -> list[Example]:
    """Up to ``limit`` clean prompts, round-robin over languages, each language in shuffled order;
    a text already taken (in any language queue) is skipped."""
    by_lang: dict[str, list[Example]] = {}
    for e in pool:
        by_lang.setdefault(e.lang, []).append(e)
    seen: set[str] = set()

    def fresh(group: list[Example]) -> Iterator[Example]:
        for e in group:
            key = " ".join(e.text.casefold().split())
            if key not in seen and keep.clean(e):
                seen.add(key)
                yield e

    queues = []
    for _, group in sorted(by_lang.items()):
        rng.shuffle(group)
        queues.append(fresh(group))
    return round_robin(queues, limit)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:10]


def _sample(e: Example, expect: str) -> Sample:
    category = _harm_category(e)
    dimension = category_dimension(category) if category else "safety"
    name = e.group.replace(":", "-") if e.group else f"{e.source}-{_digest(e.text)}"
    return Sample(
        id=f"corpus:{name}:{e.lang}",
        dimension=dimension,
        expect="refuse" if expect == "refuse" else "comply",
        prompt=e.text,
        language=e.lang,
        tags=("corpus", e.source),
        split="train",
    )


def corpus_items(
    *,
    held_out: Sequence[Sample],
    data_dir: Path | None = None,
    harmful: int = 600,
    benign: int = 400,
    seed: int = 0,
    threshold: float = DEFAULT_THRESHOLD,
) -> tuple[list[Sample], CorpusCounts]:
    """``harmful`` refuse and ``benign`` comply items, balanced over languages, clean of ``held_out``."""
    harmful_pool, benign_pool = _pools(data_dir)
    keep = _Contamination(held_out, threshold)
    keep.drop_groups([e for e in harmful_pool + benign_pool if e.group])
    rng = random.Random(seed)
    bad = _balanced(harmful_pool, harmful, rng, keep)
    good = _balanced(benign_pool, benign, rng, keep)
    items = [_sample(e, "refuse") for e in bad] + [_sample(e, "comply") for e in good]
    counts = CorpusCounts(
        harmful_pool=len(harmful_pool),
        benign_pool=len(benign_pool),
        dropped_groups=len(keep.dropped),
        harmful=len(bad),
        benign=len(good),
    )
    return _unique_ids(items), counts


def _unique_ids(items: list[Sample]) -> list[Sample]:
    """Ids made unique (one authored text may appear under two sources)."""
    seen: dict[str, int] = {}
    out = []
    for s in items:
        count = seen.get(s.id, 0)
        seen[s.id] = count + 1
        out.append(s if count == 0 else s.model_copy(update={"id": f"{s.id}#{count}"}))
    return out
