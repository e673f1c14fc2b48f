"""Target registry: one string names a target everywhere (CLI, config files, Python API).

Factories are plain functions marked with :func:`target_factory`. Built-in targets and
third-party plugins are found the same way, through the ``raikit.targets`` entry-point group,
and nothing is imported until a scheme is used. Code can also register factories on its own
:class:`TargetRegistry` instance.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Protocol

from raikit.core.registry import PluginRegistry
from raikit.models.base import Target
from raikit.models.errors import TargetConfigError, UnknownTargetSchemeError
from raikit.models.spec import parse_target_spec

ENTRY_POINT_GROUP = "raikit.targets"
_INFO_ATTR = "__raikit_target__"


class TargetFactory(Protocol):
    def __call__(self, location: str, options: Mapping[str, str]) -> Target: ...


@dataclass(frozen=True)
class TargetInfo:
    """Metadata of a target scheme."""

    scheme: str
    description: str
    example: str
    extra: str | None
    factory: TargetFactory

    @property
    def name(self) -> str:
        return self.scheme


def target_factory(
    scheme: str, *, description: str, example: str, extra: str | None = None
) -> Callable[[TargetFactory], TargetFactory]:
    """Mark a function ``(location, options) -> Target`` as the factory of ``scheme``."""

    def mark(factory: TargetFactory) -> TargetFactory:
        info = TargetInfo(
            scheme=scheme, description=description, example=example, extra=extra, factory=factory
        )
        setattr(factory, _INFO_ATTR, info)
        return factory

    return mark


class TargetRegistry(PluginRegistry[TargetInfo]):
    """Maps schemes to target factories; entry points are loaded lazily, on first use."""

    def __init__(self, *, use_entry_points: bool = True) -> None:
        super().__init__(
            group=ENTRY_POINT_GROUP,
            marker=_INFO_ATTR,
            info_type=TargetInfo,
            kind="target scheme",
            unknown=UnknownTargetSchemeError,
            use_entry_points=use_entry_points,
        )

    def schemes(self) -> list[str]:
        return self.names()

    def create(self, spec: str) -> Target:
        """Build the target a target string names."""
        parsed = parse_target_spec(spec)
        return self.info(parsed.scheme).factory(parsed.location, parsed.options)


@functools.cache
def default_registry() -> TargetRegistry:
    """The registry of installed targets, built on first use (not at import)."""
    return TargetRegistry()


def get_target(spec: str) -> Target:
    """Create a target from its string, e.g. ``get_target("llamacpp:default")``."""
    return default_registry().create(spec)


def require_extra(module: str, *, scheme: str, extra: str) -> None:
    """Fail with an install hint when an optional dependency is missing."""
    import importlib.util

    if importlib.util.find_spec(module) is None:
        raise TargetConfigError(
            f"the {scheme!r} target needs the {module!r} package: pip install 'raikit[{extra}]'"
        )
