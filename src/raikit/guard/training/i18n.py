"""Authored parallel prompts in the nine guard languages, for the harm head's cross-lingual training.

The shared datasets are English only and there is no offline machine translation, so the raikit
developers wrote about 200 prompts in English and translated each by hand into de, fr, es, it, pt,
ja, hi and ar (``data/i18n_*.yaml``): harmful requests over every harm category (requests only,
no harmful content), benign prompts that borrow alarming vocabulary, and ordinary benign prompts.

All translations of one item share ``group`` (``i18n:<item id>``) and the item's ``split``, so a
held-out item is held out in every language. The split is written in the YAML (``split: test``,
about one item in five, at least one per harm category) rather than hashed, so that the test set
covers every category and kind; ``meta["split"]`` carries it.

Harmful rows are labelled ``{category, "any"}``: ``any`` is the harm head's deciding label, set on
every harmful row by the shared-data loaders too (:func:`raikit.guard.training.data._refine`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from importlib import resources
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from raikit.guard.language import LANGUAGES
from raikit.guard.training.data import HARM_LABELS, Example

SOURCE = "authored_i18n"
KINDS: tuple[str, ...] = ("harmful", "alarming", "general")
DATA_FILES: tuple[str, ...] = tuple(f"i18n_{kind}.yaml" for kind in KINDS)
NEAR_DUPLICATE = 0.5
"""Character 4-gram Jaccard similarity from which two texts count as near-duplicates."""

Kind = Literal["harmful", "alarming", "general"]
Split = Literal["train", "test"]


class I18nItem(BaseModel):
    """One prompt and its translations; ``category`` (harmful) or ``borrows`` (alarming)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z]+-\d{2}$")
    category: str | None = None
    borrows: str | None = None
    split: Split = "train"
    text: dict[str, str]

    @field_validator("text")
    @classmethod
    def _all_languages(cls, text: dict[str, str]) -> dict[str, str]:
        missing = [lang for lang in LANGUAGES if lang not in text]
        extra = sorted(set(text) - set(LANGUAGES))
        if missing or extra:
            raise ValueError(f"languages missing {missing}, unexpected {extra}")
        blank = [lang for lang, value in text.items() if not value.strip()]
        if blank:
            raise ValueError(f"empty text for {blank}")
        return {lang: " ".join(text[lang].split()) for lang in LANGUAGES}

    @field_validator("category", "borrows")
    @classmethod
    def _known_category(cls, value: str | None) -> str | None:
        if value is not None and value not in HARM_LABELS:
            raise ValueError(f"unknown harm category {value!r}")
        return value


class I18nFile(BaseModel):
    """One YAML file: items of a single kind."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Kind
    items: list[I18nItem] = Field(min_length=1)

    @model_validator(mode="after")
    def _fields_match_kind(self) -> I18nFile:
        for item in self.items:
            if (item.category is not None) != (self.kind == "harmful"):
                raise ValueError(f"{item.id}: 'category' is required for harmful items and only for them")
            if (item.borrows is not None) != (self.kind == "alarming"):
                raise ValueError(f"{item.id}: 'borrows' is required for alarming items and only for them")
        return self


def parse_file(text: str) -> I18nFile:
    """Validate one YAML document (raises :class:`pydantic.ValidationError` when malformed)."""
    return I18nFile.model_validate(yaml.safe_load(text))


def load_files() -> list[I18nFile]:
    """The packaged YAML files, validated, in :data:`KINDS` order; item ids unique across them."""
    folder = resources.files("raikit.guard.training").joinpath("data")
    files = [parse_file(folder.joinpath(name).read_text(encoding="utf-8")) for name in DATA_FILES]
    seen: set[str] = set()
    for file in files:
        for item in file.items:
            if item.id in seen:
                raise ValueError(f"duplicate i18n item id {item.id!r}")
            seen.add(item.id)
    return files


def _labels(kind: str, item: I18nItem) -> frozenset[str]:
    return frozenset({item.category, "any"}) if kind == "harmful" and item.category else frozenset()


def to_examples(files: list[I18nFile], split: Split | None = None) -> list[Example]:
    """One :class:`Example` per (item, language), items in file order, languages in
    :data:`LANGUAGES` order; only ``split``'s items when given."""
    rows: list[Example] = []
    for file in files:
        for item in file.items:
            if split is not None and item.split != split:
                continue
            meta = {"kind": file.kind, "item": item.id, "split": item.split}
            if item.borrows:
                meta["borrows"] = item.borrows
            rows.extend(
                Example(text, SOURCE, _labels(file.kind, item), lang, f"i18n:{item.id}", dict(meta))
                for lang, text in item.text.items()
            )
    return rows


def i18n_prompts(split: Split | None = None) -> list[Example]:
    """All authored multilingual prompts (or one split's), harmful ones labelled
    ``{category, "any"}`` and benign ones unlabelled, in a fixed order."""
    return to_examples(load_files(), split)


# --- near-duplicate checks against other sets (the dev set, public harmful prompts) --------------


def char_ngrams(text: str, n: int = 4) -> frozenset[str]:
    """Character ``n``-grams after NFKC, case folding, punctuation removal and space collapsing."""
    flat = " ".join(re.sub(r"[^\w\s]", " ", unicodedata.normalize("NFKC", text).casefold()).split())
    return frozenset(flat[i : i + n] for i in range(max(1, len(flat) - n + 1)))


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 1.0


def closest(texts: Sequence[str], others: Sequence[str]) -> list[tuple[float, str, str]]:
    """For each text: its highest character 4-gram Jaccard similarity to any of ``others``, the
    text, and that closest other text (``(0.0, text, "")`` when ``others`` is empty)."""
    other_grams = [(char_ngrams(o), o) for o in others]
    out: list[tuple[float, str, str]] = []
    for text in texts:
        grams = char_ngrams(text)
        out.append(max(((jaccard(grams, g), text, o) for g, o in other_grams), default=(0.0, text, "")))
    return out
