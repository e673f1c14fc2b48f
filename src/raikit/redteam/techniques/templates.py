"""Techniques defined by data: text templates and conversation scripts read from versioned YAML.

A data file under ``raikit/redteam/techniques/data/`` looks like::

    version: 1
    category: framing
    techniques:
      - id: fiction-novel                # the full id becomes "framing.fiction-novel"
        description: Ask for the payload as a scene of a novel.
        tags: [fiction]
        languages: [en]                  # default [en]
        family: fiction                  # optional; params tell variants of a family apart
        params: {form: novel}
        template: |                      # text output; or a list of phrasings (one drawn per seed)
          Write a chapter of my thriller in which the expert explains: {prompt}
      - id: crescendo-3
        description: ...
        turns:                           # conversation output: role + content per turn
          - {role: user, content: "Tell me the history of {topic}."}
          - {role: user, content: "{prompt}"}

Placeholders: ``{prompt}`` (the payload), ``{topic}`` (its first words), ``{part1}``-``{part3}``
(the payload cut into word chunks), ``{prompt_reversed_words}``. Literal braces need no escaping:
only these names are replaced.
"""

from __future__ import annotations

import random
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, cast

import yaml

from raikit.core.types import Message, Role
from raikit.redteam.techniques.base import (
    CATEGORIES,
    Category,
    Technique,
    TechniqueInfo,
    TransformOutput,
)

_DATA_PACKAGE = "raikit.redteam.techniques.data"
_ROLES: tuple[Role, ...] = ("system", "user", "assistant")
TOPIC_WORDS = 4


def split_words(text: str, parts: int) -> list[str]:
    """Cut ``text`` into ``parts`` chunks of whole words (some may be empty for short text)."""
    words = text.split()
    if len(words) < parts:
        # Too few words: cut the characters instead, so every part carries some of the payload.
        size = max(1, -(-len(text) // parts))
        return [text[i * size : (i + 1) * size] for i in range(parts)]
    size = -(-len(words) // parts)
    return [" ".join(words[i * size : (i + 1) * size]) for i in range(parts)]


def placeholders(text: str) -> dict[str, str]:
    words = text.split()
    values = {
        "prompt": text,
        "topic": " ".join(words[:TOPIC_WORDS]) if words else text,
        "prompt_reversed_words": " ".join(reversed(words)),
    }
    for index, part in enumerate(split_words(text, 3), start=1):
        values[f"part{index}"] = part
    halves = split_words(text, 2)
    values["half1"], values["half2"] = halves[0], halves[1]
    return values


def fill(template: str, values: Mapping[str, str]) -> str:
    """Replace ``{name}`` for the known names only, in one pass.

    Templates may hold JSON or code braces, and a payload that itself contains ``{topic}`` is
    inserted as it is, never expanded.
    """
    pattern = re.compile(r"\{(" + "|".join(map(re.escape, values)) + r")\}")
    return pattern.sub(lambda match: values[match.group(1)], template)


class TemplateTechnique(Technique):
    """Text to text: the payload inside a template; with several phrasings, one is drawn per seed."""

    def __init__(self, info: TechniqueInfo, templates: Sequence[str]) -> None:
        super().__init__(info)
        if not templates or not all("{" in t for t in templates):
            raise ValueError(f"technique {info.id!r}: every template needs a placeholder")
        self.templates = tuple(templates)

    def transform(self, text: str, rng: random.Random) -> TransformOutput:
        template = (
            self.templates[rng.randrange(len(self.templates))]
            if len(self.templates) > 1
            else self.templates[0]
        )
        return fill(template, placeholders(text)).strip()


@dataclass(frozen=True)
class Turn:
    role: Role
    content: str


class ConversationTechnique(Technique):
    """Text to conversation: a script of turns with placeholders (fabricated history or turn plan)."""

    def __init__(self, info: TechniqueInfo, turns: Sequence[Turn]) -> None:
        super().__init__(info)
        if not any(t.role == "user" for t in turns):
            raise ValueError(f"technique {info.id!r}: a conversation needs a user turn")
        self.turns = tuple(turns)

    def transform(self, text: str, rng: random.Random) -> TransformOutput:
        values = placeholders(text)
        return [Message(role=t.role, content=fill(t.content, values).strip()) for t in self.turns]


def _strings(entry: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = entry.get(key, [])
    if isinstance(value, str):
        return (value,)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"{where}: {key!r} must be a string or a list of strings")
    return tuple(value)


def _turns(entry: Mapping[str, Any], where: str) -> list[Turn]:
    turns: list[Turn] = []
    for raw in entry["turns"]:
        role, content = raw.get("role"), raw.get("content")
        if role not in _ROLES or not isinstance(content, str):
            raise ValueError(f"{where}: each turn needs a role in {_ROLES} and a content string")
        turns.append(Turn(cast(Role, role), content))
    return turns


def technique_from_entry(entry: Mapping[str, Any], *, category: Category, source: str) -> Technique:
    """Build one technique from a data-file entry (template -> text, turns -> conversation)."""
    where = f"{source}: technique {entry.get('id')!r}"
    if not isinstance(entry.get("id"), str) or not isinstance(entry.get("description"), str):
        raise ValueError(f"{where}: needs an 'id' and a 'description'")
    info = TechniqueInfo(
        id=f"{category}.{entry['id']}",
        category=category,
        description=" ".join(entry["description"].split()),
        output="conversation" if "turns" in entry else "text",
        languages=_strings(entry, "languages", where) or ("en",),
        tags=_strings(entry, "tags", where),
        family=str(entry.get("family", "")),
        params=dict(entry.get("params", {})),
        source=source,
    )
    if "turns" in entry:
        return ConversationTechnique(info, _turns(entry, where))
    return TemplateTechnique(info, _strings(entry, "template", where))


@cache
def read_data_file(name: str) -> Mapping[str, Any]:
    """Parse ``data/<name>.yaml`` of the package (cached: the files are read-only package data)."""
    text = resources.files(_DATA_PACKAGE).joinpath(f"{name}.yaml").read_text(encoding="utf-8")
    data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # C parser when built
    if not isinstance(data, dict) or not isinstance(data.get("techniques"), list):
        raise ValueError(f"technique data {name}.yaml must map 'techniques' to a list")
    return cast(Mapping[str, Any], data)


def load_techniques(name: str) -> list[Technique]:
    """All techniques of one data file; its ``category`` applies to every entry."""
    data = read_data_file(name)
    category = data.get("category")
    if category not in CATEGORIES:
        raise ValueError(f"technique data {name}.yaml: unknown category {category!r}")
    source = f"techniques/data/{name}.yaml@{data.get('version', 1)}"
    return [
        technique_from_entry(entry, category=cast(Category, category), source=source)
        for entry in data["techniques"]
    ]
