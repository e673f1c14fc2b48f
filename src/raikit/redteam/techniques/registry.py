"""Where techniques come from: technique packs, found through the ``raikit.techniques`` entry points.

A pack is a function marked with :func:`technique_pack` that returns techniques. The built-in
packs (one per category, plus the multimodal one) are declared in ``pyproject.toml`` exactly like
third-party packs::

    [project.entry-points."raikit.techniques"]
    mypack = "mypkg.techniques:my_pack"

    @technique_pack("mypack", description="Techniques of my team")
    def my_pack() -> list[Technique]: ...

A :class:`TechniqueLibrary` loads every pack on first use and indexes techniques by id.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from raikit.core.registry import PluginRegistry
from raikit.redteam.techniques.base import (
    CATEGORIES,
    Category,
    Output,
    Technique,
    TechniqueChain,
    TechniqueError,
    UnknownTechniqueError,
)

ENTRY_POINT_GROUP = "raikit.techniques"
_INFO_ATTR = "__raikit_technique_pack__"

PackFactory = Callable[[], Iterable[Technique]]


class UnknownTechniquePackError(TechniqueError):
    """No installed technique pack has the requested name."""


@dataclass(frozen=True)
class TechniquePackInfo:
    name: str
    description: str
    factory: PackFactory


def technique_pack(name: str, *, description: str) -> Callable[[PackFactory], PackFactory]:
    """Mark ``factory`` as the builder of technique pack ``name``."""

    def mark(factory: PackFactory) -> PackFactory:
        setattr(factory, _INFO_ATTR, TechniquePackInfo(name, description, factory))
        return factory

    return mark


class TechniquePackRegistry(PluginRegistry[TechniquePackInfo]):
    def __init__(self, *, use_entry_points: bool = True) -> None:
        super().__init__(
            group=ENTRY_POINT_GROUP,
            marker=_INFO_ATTR,
            info_type=TechniquePackInfo,
            kind="technique pack",
            unknown=UnknownTechniquePackError,
            use_entry_points=use_entry_points,
        )


class TechniqueLibrary:
    """All techniques of a set of packs, indexed by id; packs are loaded on first use."""

    def __init__(self, packs: TechniquePackRegistry | None = None) -> None:
        self.packs = packs if packs is not None else TechniquePackRegistry()
        self._techniques: dict[str, Technique] = {}
        self._loaded = False
        self._lock = threading.Lock()

    def add(self, technique: Technique) -> None:
        """Register one technique; ids are unique across all packs."""
        if technique.info.id in self._techniques:
            raise TechniqueError(f"technique id {technique.info.id!r} is defined twice")
        self._techniques[technique.info.id] = technique

    def _ensure_loaded(self) -> None:
        with self._lock:
            if self._loaded:
                return
            for name in self.packs.names():
                for technique in self.packs.info(name).factory():
                    self.add(technique)
            self._loaded = True

    def ids(self) -> list[str]:
        self._ensure_loaded()
        return sorted(self._techniques)

    def get(self, technique_id: str) -> Technique:
        self._ensure_loaded()
        try:
            return self._techniques[technique_id]
        except KeyError:
            raise UnknownTechniqueError(
                f"unknown technique {technique_id!r}; see `raikit redteam techniques list`"
            ) from None

    def list(
        self,
        *,
        category: Category | str | None = None,
        output: Output | None = None,
        language: str | None = None,
        tag: str | None = None,
    ) -> list[Technique]:
        """Techniques sorted by id, filtered by category, output kind, language and tag."""
        if category is not None and category not in CATEGORIES:
            raise TechniqueError(f"unknown category {category!r}; valid categories: {', '.join(CATEGORIES)}")
        self._ensure_loaded()
        return [
            t
            for _, t in sorted(self._techniques.items())
            if (category is None or t.info.category == category)
            and (output is None or t.info.output == output)
            and (language is None or language in t.info.languages)
            and (tag is None or tag in t.info.tags)
        ]

    def chain(self, ids: Sequence[str]) -> TechniqueChain:
        """A chain of 1-3 techniques by id, type-checked (only the last may output non-text)."""
        return TechniqueChain([self.get(i) for i in ids])


@functools.cache
def default_library() -> TechniqueLibrary:
    """The installed techniques (built-in packs and plugins), loaded on first use."""
    return TechniqueLibrary()


def get_technique(technique_id: str) -> Technique:
    return default_library().get(technique_id)


def list_techniques(
    *,
    category: Category | str | None = None,
    output: Output | None = None,
    language: str | None = None,
    tag: str | None = None,
) -> list[Technique]:
    return default_library().list(category=category, output=output, language=language, tag=tag)


def chain(ids: Sequence[str]) -> TechniqueChain:
    return default_library().chain(ids)
