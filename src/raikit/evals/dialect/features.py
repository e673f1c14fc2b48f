"""raikit's catalogue of dialect features: rule-based rewrites of Standard American English,
each keyed by its eWAVE feature id (the same ids as Multi-VALUE's ``feature_id_to_function_name``).

A feature rewrites only the constructions it recognises and leaves the rest of the text alone,
so a variety's transformation is the composition of its attested features in eWAVE-id order.
The rules live in :mod:`.features_words`, :mod:`.features_verbs` and :mod:`.features_clauses`.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable

from raikit.evals.dialect.features_clauses import agreement_features, clause_features
from raikit.evals.dialect.features_verbs import modal_features, negation_features, tense_aspect_features
from raikit.evals.dialect.features_words import comparison_features, noun_features, pronoun_features
from raikit.evals.dialect.rules import DialectFeature, capitalise_sentences

__all__ = ["DialectFeature", "dialect_features", "transform"]


@functools.cache
def dialect_features() -> dict[int, DialectFeature]:
    """Every implemented feature by eWAVE id."""
    catalogue = (
        pronoun_features()
        + noun_features()
        + comparison_features()
        + tense_aspect_features()
        + modal_features()
        + negation_features()
        + agreement_features()
        + clause_features()
    )
    return {f.ewave_id: f for f in sorted(catalogue, key=lambda f: f.ewave_id)}


def transform(text: str, feature_ids: Iterable[int]) -> str:
    """Apply the given features in eWAVE-id order, then restore sentence-initial capitals."""
    features = dialect_features()
    out = text
    for feature_id in sorted(set(feature_ids)):
        out = features[feature_id](out)
    return capitalise_sentences(out) if out != text else out
