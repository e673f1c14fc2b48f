"""Ranking and operating-point metrics for the guard classifiers (numpy only)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[np.floating]


def auprc(scores: Array, labels: Array) -> float | None:
    """Average precision (area under the precision-recall curve, step-wise); None without positives."""
    y = np.asarray(labels, dtype=bool)
    if y.sum() == 0 or y.size == 0:
        return None
    order = np.argsort(-np.asarray(scores, dtype=np.float64), kind="stable")
    y = y[order]
    tp = np.cumsum(y)
    precision = tp / np.arange(1, y.size + 1)
    return float(precision[y].sum() / y.sum())


def threshold_at_fpr(negative_scores: Array, fpr: float) -> float:
    """The smallest threshold that flags (``score >= t``) at most ``fpr`` of the negatives."""
    neg = np.sort(np.asarray(negative_scores, dtype=np.float64))[::-1]
    if neg.size == 0:
        return 0.5
    allowed = int(np.floor(fpr * neg.size))
    if allowed >= neg.size:
        return float(neg[-1])
    return float(np.nextafter(np.float32(neg[allowed]), np.float32(np.inf)))


def tpr_at_fpr(scores: Array, labels: Array, fpr: float = 0.01) -> float | None:
    y = np.asarray(labels, dtype=bool)
    s = np.asarray(scores, dtype=np.float64)
    if y.sum() == 0 or (~y).sum() == 0:
        return None
    t = threshold_at_fpr(s[~y], fpr)
    return float((s[y] >= t).mean())


def rate(scores: Array, threshold: float) -> float | None:
    s = np.asarray(scores, dtype=np.float64)
    return float((s >= threshold).mean()) if s.size else None


def macro_fpr(flags_by_source: Mapping[str, Array]) -> float:
    """Mean over sources of the share of flagged items (each source weighs the same)."""
    rates = [float(np.mean(f)) for f in flags_by_source.values() if np.size(f)]
    return float(np.mean(rates)) if rates else 0.0


CAP_MIN_N = 200
"""Benign validation items a source needs before its own false-positive rate is capped."""


def union_thresholds(
    neg_probs: Array,
    neg_sources: Sequence[str],
    target: float,
    *,
    source_cap: float | None = None,
    cap_min_n: int = CAP_MIN_N,
    iters: int = 40,
) -> tuple[npt.NDArray[np.float64], float]:
    """Per-label thresholds at a common per-label FPR level, the largest level at which the
    union of labels flags at most ``target`` of the benign items macro-averaged over sources,
    and at most ``source_cap`` (default ``2.5 * target``) of any single source with at least
    ``cap_min_n`` items (in a smaller one a single item moves the rate by more than the cap's
    margin, so it only counts through the macro average).

    ``neg_probs`` is ``(n, labels)`` for benign items; returns the thresholds and the achieved
    macro FPR of the union.
    """
    cap = 2.5 * target if source_cap is None else source_cap
    probs = np.asarray(neg_probs, dtype=np.float64)
    sources = np.asarray(neg_sources)
    names = sorted(set(sources.tolist()))
    lo, hi = 0.0, target
    best = np.array([threshold_at_fpr(probs[:, j], 0.0) for j in range(probs.shape[1])])
    best_fpr = 0.0
    for _ in range(iters):
        mid = (lo + hi) / 2
        ts = np.array([threshold_at_fpr(probs[:, j], mid) for j in range(probs.shape[1])])
        flagged: npt.NDArray[np.bool_] = np.asarray((probs >= ts).any(axis=1))
        by_source = {s: flagged[sources == s] for s in names}
        achieved = macro_fpr(by_source)
        worst = max((float(np.mean(f)) for f in by_source.values() if f.size >= cap_min_n), default=0.0)
        if achieved <= target and worst <= cap:
            best, best_fpr, lo = ts, achieved, mid
        else:
            hi = mid
    return best, best_fpr
