"""One plugin mechanism for targets, scanners and benchmarks.

A factory is marked with metadata by a decorator (the marker sets an attribute; it registers
nothing globally). A :class:`PluginRegistry` finds factories through an entry-point group, the
same way for built-ins and third-party packages, and imports each one only when it is used.
Code can also register factories on its own registry instance.
"""

from __future__ import annotations

import importlib.metadata
from typing import Generic, Protocol, TypeVar

from raikit.core.errors import RaikitError


class Named(Protocol):
    @property
    def name(self) -> str: ...


InfoT = TypeVar("InfoT", bound=Named)


class PluginRegistry(Generic[InfoT]):
    """Maps names to plugin metadata; entry points are loaded lazily, on first use."""

    def __init__(
        self,
        *,
        group: str,
        marker: str,
        info_type: type[InfoT],
        kind: str,
        unknown: type[RaikitError],
        use_entry_points: bool = True,
    ) -> None:
        self.group = group
        self._marker = marker
        self._info_type = info_type
        self._kind = kind
        self._unknown = unknown
        self._infos: dict[str, InfoT] = {}
        self._entry_points: dict[str, importlib.metadata.EntryPoint] = {}
        if use_entry_points:
            for ep in importlib.metadata.entry_points(group=group):
                self._entry_points.setdefault(ep.name, ep)

    def info_of(self, factory: object) -> InfoT:
        info = getattr(factory, self._marker, None)
        if not isinstance(info, self._info_type):
            raise TypeError(f"{factory!r} is not marked as a raikit {self._kind}")
        return info

    def register(self, factory: object) -> InfoT:
        info = self.info_of(factory)
        self._infos[info.name] = info
        return info

    def names(self) -> list[str]:
        return sorted(set(self._infos) | set(self._entry_points))

    def info(self, name: str) -> InfoT:
        if name not in self._infos:
            ep = self._entry_points.get(name)
            if ep is None:
                raise self._unknown(
                    f"unknown {self._kind} {name!r}; valid {self._kind}s: {', '.join(self.names())}"
                )
            self.register(ep.load())
        return self._infos[name]
