"""Detection results and the statistics behind their p-values.

Three tests look at an image, and any of them can detect the mark:

- the *sync* test: the largest |z| of the keyed sync correlation over every hypothesis the detector
  tried (lattices x 8 rotations/flips x 3 channel mixes x N*N shifts x 2 signs). Each z is N(0, 1)
  under the null (randomness of the key), so the p-value is the Sidak bound ``1 - (1 - p1) ** M``
  with ``p1 = 2 * Phi(-|z|)``; neighbouring shifts are positively correlated, which makes it
  conservative;
- the *anchored* sync test: the same correlation, but only at the shifts where a mark that kept the
  image centre must be (a few thousand hypotheses instead of millions, so a lower threshold);
- the *payload* test: the decoded message carries a 32-bit keyed tag, which a random input passes
  with probability 2**-32 per decoding attempt.

The reported p-value is the Bonferroni combination ``min(1, 3 * min(p_search, p_anchored,
p_payload))``. A video's frames are pooled before these tests (see :mod:`raikit.watermark.video`);
:func:`combine_p_values` (Stouffer) is for combining independent results, such as separate files.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

DEFAULT_THRESHOLD = 1e-6
TAG_BYTES = 4
"""Length of the keyed tag that authenticates a decoded payload."""


@dataclass(frozen=True)
class FrameScore:
    """One frame's result inside a video detection."""

    index: int
    p_value: float
    z: float
    message: bytes | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "p_value": self.p_value,
            "z": self.z,
            "message": _message_text(self.message),
        }


@dataclass(frozen=True)
class Detection:
    """The outcome of looking for a watermark.

    ``p_value`` is the probability that an unmarked input scores at least this high;
    ``confidence`` maps it to [0, 1] (0.5 at the decision threshold, 1 at its square);
    ``message`` is the error-corrected payload, present only when its keyed tag checks.
    """

    detected: bool
    p_value: float
    confidence: float
    message: bytes | None
    z: float = 0.0
    inverted: bool = False
    details: dict[str, Any] = field(default_factory=dict)
    per_frame: tuple[FrameScore, ...] | None = None

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract: detected, confidence, p_value, message (text or hex) and per_frame."""
        out: dict[str, Any] = {
            "detected": self.detected,
            "confidence": self.confidence,
            "p_value": self.p_value,
            "message": _message_text(self.message),
        }
        if self.per_frame is not None:
            out["per_frame"] = [frame.to_dict() for frame in self.per_frame]
        return out


def _message_text(message: bytes | None) -> str | None:
    if message is None:
        return None
    try:
        return message.decode("utf-8")
    except UnicodeDecodeError:
        return "hex:" + message.hex()


def normal_sf(z: float) -> float:
    """P(Z > z) for a standard normal, accurate far into the tail."""
    return 0.5 * math.erfc(z / math.sqrt(2.0))


def normal_isf(p: float) -> float:
    """The z with P(Z > z) = p (bisection on erfc: no scipy needed)."""
    p = min(max(p, 1e-300), 1.0 - 1e-16)
    lo, hi = -40.0, 40.0
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if normal_sf(mid) > p:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


def max_abs_z_p_value(z_abs: float, hypotheses: int) -> float:
    """p-value of the largest |z| among ``hypotheses`` standard normal scores (Sidak)."""
    single = 2.0 * normal_sf(z_abs)
    if single <= 0.0:
        return 0.0
    return -math.expm1(hypotheses * math.log1p(-min(single, 1.0 - 1e-16)))


def payload_p_value(attempts: int) -> float:
    return min(1.0, attempts * 2.0 ** (-8 * TAG_BYTES))


def combined_p_value(*p_values: float | None) -> float:
    """Bonferroni over the tests that looked (None: a test that found nothing, still counted)."""
    return min(1.0, len(p_values) * min(1.0 if p is None else p for p in p_values))


def confidence_from_p(p_value: float, threshold: float = DEFAULT_THRESHOLD) -> float:
    """0 at p = 1, 0.5 at the threshold, 1 at threshold**2 and beyond (log scale)."""
    if p_value <= 0.0:
        return 1.0
    return float(min(1.0, max(0.0, -math.log10(p_value) / (-2.0 * math.log10(threshold)))))


def combine_p_values(p_values: Sequence[float]) -> float:
    """Stouffer's combination of independent per-frame p-values (one-sided)."""
    if not p_values:
        return 1.0
    total = sum(normal_isf(min(max(p, 1e-300), 1.0)) for p in p_values)
    return normal_sf(total / math.sqrt(len(p_values)))
