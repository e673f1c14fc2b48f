"""Input scanner: topics the policy denies, matched semantically with the multilingual encoder.

Each topic is described by examples. The text's embedding is compared with every example
(cosine similarity); the score is mapped so that 0.5 is exactly the topic's own similarity
threshold, which lets the policy's usual ``threshold: 0.5`` rule apply to every topic.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from raikit.guard.resources import Resources
from raikit.guard.scanners.base import scanner_factory
from raikit.guard.types import DeniedTopic, ScanContext, ScanInput, ScanResult, last_user_text


def similarity_to_score(similarity: float, threshold: float) -> float:
    """Piecewise-linear map with ``threshold`` -> 0.5, 1.0 -> 1.0 and 0.0 -> 0.0."""
    if similarity >= threshold:
        return 0.5 + 0.5 * (similarity - threshold) / max(1e-6, 1.0 - threshold)
    return max(0.0, 0.5 * similarity / max(1e-6, threshold))


class DeniedTopicsScanner:
    name = "denied_topics"

    def __init__(self, resources: Resources, *, max_chars: int = 2000) -> None:
        self.resources = resources
        self.max_chars = max_chars

    def _topic_matrix(self, topic: DeniedTopic) -> np.ndarray[Any, np.dtype[np.float32]]:
        return self.resources.encoder.encode([topic.description, *topic.examples])

    def scan(self, data: ScanInput, context: ScanContext) -> ScanResult:
        topics = context.denied_topics
        text = last_user_text(data)[: self.max_chars]
        if not topics or not text.strip():
            return ScanResult.clean(self.name)
        vector = self.resources.encoder.encode_one(text)
        categories: dict[str, float] = {}
        nearest: dict[str, float] = {}
        for topic in topics:
            sims = self._topic_matrix(topic) @ vector
            best = float(np.max(sims))
            nearest[topic.name] = round(best, 4)
            categories[f"denied_topic.{topic.name}"] = similarity_to_score(best, topic.threshold)
        return ScanResult.from_scores(self.name, categories, similarity=nearest)


@scanner_factory(
    "denied_topics",
    stages=("input",),
    description="Policy-denied topics, matched semantically (multilingual sentence encoder)",
    categories=("denied_topic.*",),
)
def denied_topics_scanner(settings: Mapping[str, Any], resources: Resources) -> DeniedTopicsScanner:
    return DeniedTopicsScanner(resources, max_chars=int(settings.get("max_chars", 2000)))
