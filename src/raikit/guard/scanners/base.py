"""The Scanner protocol and the scanner registry.

A scanner is built by a factory ``(settings, resources) -> Scanner`` marked with
:func:`scanner_factory`. Built-ins and plugins are found through the ``raikit.scanners``
entry-point group, loaded on first use. ``settings`` come from the policy's
``scanner_settings.<name>`` block; ``resources`` shares expensive things (the sentence encoder
and its embedding cache) between the scanners of one pipeline.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from raikit.core.errors import RaikitError
from raikit.core.registry import PluginRegistry
from raikit.guard.resources import Resources
from raikit.guard.types import ScanContext, ScanInput, ScanResult, Stage

ENTRY_POINT_GROUP = "raikit.scanners"
_INFO_ATTR = "__raikit_scanner__"


class UnknownScannerError(RaikitError):
    """A policy names a scanner that is not registered."""


@runtime_checkable
class Scanner(Protocol):
    name: str

    def scan(self, data: ScanInput, context: ScanContext) -> ScanResult:
        """Judge ``data``; must be deterministic, return risk in [0, 1] and accept any text."""
        ...


class ScannerFactory(Protocol):
    def __call__(self, settings: Mapping[str, Any], resources: Resources) -> Scanner: ...


@dataclass(frozen=True)
class ScannerInfo:
    name: str
    stages: tuple[Stage, ...]
    description: str
    categories: tuple[str, ...]
    factory: ScannerFactory


def scanner_factory(
    name: str, *, stages: tuple[Stage, ...], description: str, categories: tuple[str, ...] = ()
) -> Callable[[ScannerFactory], ScannerFactory]:
    """Mark ``factory`` as the builder of scanner ``name`` (usable at ``stages``)."""

    def mark(factory: ScannerFactory) -> ScannerFactory:
        setattr(
            factory,
            _INFO_ATTR,
            ScannerInfo(
                name=name, stages=stages, description=description, categories=categories, factory=factory
            ),
        )
        return factory

    return mark


class ScannerRegistry(PluginRegistry[ScannerInfo]):
    def __init__(self, *, use_entry_points: bool = True) -> None:
        super().__init__(
            group=ENTRY_POINT_GROUP,
            marker=_INFO_ATTR,
            info_type=ScannerInfo,
            kind="scanner",
            unknown=UnknownScannerError,
            use_entry_points=use_entry_points,
        )

    def create(self, name: str, settings: Mapping[str, Any], resources: Resources) -> Scanner:
        return self.info(name).factory(settings, resources)


@functools.cache
def default_scanner_registry() -> ScannerRegistry:
    """Installed scanners, discovered on first use."""
    return ScannerRegistry()
