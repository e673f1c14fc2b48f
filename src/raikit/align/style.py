"""The per-dimension style guide that safe completions follow (package data, 9 languages)."""

from __future__ import annotations

from importlib.resources import files

import yaml
from pydantic import BaseModel, ConfigDict

from raikit.align.errors import AlignDataError


class DimensionStyle(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    principle: str
    reason: dict[str, str]
    alternative: dict[str, str]


class StyleGuide(BaseModel):
    """Opening refusal per language, and per dimension the reason and the helpful alternative."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    version: int
    openings: dict[str, str]
    dimensions: dict[str, DimensionStyle]

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(self.openings)

    def refusal(self, dimension: str, language: str) -> str:
        """The safe completion: opening, dimension-specific reason, alternative (English fallback)."""
        style = self.dimensions.get(dimension)
        if style is None:
            raise AlignDataError(f"the style guide has no entry for dimension {dimension!r}")
        lang = language if language in self.openings else "en"
        parts = (
            self.openings[lang],
            style.reason.get(lang, style.reason["en"]),
            style.alternative.get(lang, style.alternative["en"]),
        )
        return " ".join(parts)


def load_style_guide() -> StyleGuide:
    resource = files("raikit.align") / "data" / "style_guide.yaml"
    return StyleGuide.model_validate(yaml.safe_load(resource.read_text(encoding="utf-8")))
