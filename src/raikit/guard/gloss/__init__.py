"""English word-by-word glosses of Hindi, so that an encoder without Hindi can read it."""

from raikit.guard.gloss.hindi import (
    Glossary,
    HindiGlosser,
    coverage,
    default_glosser,
    gloss,
    load_glossary,
    normalize_hindi,
)

__all__ = [
    "Glossary",
    "HindiGlosser",
    "coverage",
    "default_glosser",
    "gloss",
    "load_glossary",
    "normalize_hindi",
]
