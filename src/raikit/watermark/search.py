"""Registration search: evaluate lattice hypotheses with the sync correlation and refine the best.

The autocorrelation (:func:`raikit.watermark.geometry.find_lattices`) proposes a few lattices; each
is folded and scored by the largest |z| of the sync correlation over the 8 orientations and all
shifts. Unless a canonical lattice is already decisive, the best rotated hypotheses are then refined
(angle, then period) by the same score, because a fraction of a degree decides whether the tiles of a
large image still add up coherently. At most ``MAX_LATTICES`` lattices are scored per search; the
p-value counts all of them whether or not the search stopped early, so it stays valid.

The mark is anchored at the image centre, so every edit that keeps the centre (flips, quarter turns,
resizing, centre crops, filtering, compression, colour changes) leaves it at shift (0, 0) of a
canonical lattice. A second, much smaller family of tests looks only there (``ANCHOR_SHIFTS``
around the origin, at most ``ANCHORED_LATTICES`` canonical lattices): its threshold is lower, which
is what weak marks (heavily compressed, highly textured images) need.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

from raikit.watermark.geometry import Lattice, find_lattices, fold
from raikit.watermark.template import (
    ComplexArray,
    FloatArray,
    TileLayout,
    dihedral,
    ring_scale,
    sync_scores,
    whitened_spectrum,
)

MAX_LATTICES = 40
"""Upper bound on the lattices one search scores (enters the p-value's multiplicity)."""
DECISIVE_Z = 9.0
"""A canonical lattice scoring this high ends the search (p < 1e-9 even after correction)."""
_ANGLE_STEPS = (-0.3, -0.15, 0.15, 0.3)
_PERIOD_STEPS = (0.993, 1.007)
_CROP_FRACTIONS = (0.5, 0.625, 0.75, 0.875)
_REFINED = 2

Prepared = npt.NDArray[np.float32]
"""One image or frame at the working size: (channels, height, width), luma first then chroma."""
MIXES = 3
"""Channel mixes scored for each orientation and shift: luma alone, chroma alone, their sum."""
ANCHORED_LATTICES = 2
"""Upper bound on the canonical lattices whose anchored shifts form the anchored family."""
ANCHOR_SHIFTS = tuple((row, col) for row in (-1, 0, 1) for col in (-1, 0, 1))
"""Shifts (cells) the anchored family tests: the origin and its neighbours (resampling drift)."""


@dataclass(frozen=True)
class Candidate:
    """One registration hypothesis: its sync score and what is needed to decode its payload."""

    z: float
    lattice: Lattice
    orientation: int
    shift: tuple[float, float]
    spectrum: ComplexArray
    mix: int = 0
    anchored: bool = False
    """True for the best of the anchored family on this lattice (only the anchor shifts)."""


def hypotheses_per_lattice(layout: TileLayout) -> int:
    """Sync tests behind one lattice's score: 8 orientations x channel mixes x all shifts x 2 signs."""
    return 8 * MIXES * layout.size * layout.size * 2


def anchored_hypotheses() -> int:
    """Sync tests of the anchored family: canonical lattices x 8 orientations x mixes x anchor
    shifts x 2 signs."""
    return ANCHORED_LATTICES * 8 * MIXES * len(ANCHOR_SHIFTS) * 2


def evaluate(
    layout: TileLayout,
    prepared: list[Prepared],
    lattice: Lattice,
    max_frequency: float,
    *,
    anchored: bool = False,
) -> list[Candidate]:
    """The best orientation, channel mix and shift of one lattice (frames are folded together);
    with ``anchored``, also the best at the anchor shifts (a second candidate)."""
    spectra, all_scores = _scored(layout, prepared, lattice, max_frequency)
    anchor_rows = np.array([row for row, _ in ANCHOR_SHIFTS]) % layout.size
    anchor_cols = np.array([col for _, col in ANCHOR_SHIFTS]) % layout.size
    best: Candidate | None = None
    best_anchored: Candidate | None = None
    for orientation in range(8):
        for mix in range(MIXES):
            scores, spectrum = all_scores[mix, orientation], spectra[mix, orientation]
            row, col = divmod(int(np.argmax(np.abs(scores))), layout.size)
            z = float(scores[row, col])
            if best is None or abs(z) > abs(best.z):
                shift = _subcell_peak(np.abs(scores), row, col)
                # A copy, not a view: a search keeps its candidates, not every lattice's whole stack.
                best = Candidate(z, lattice, orientation, shift, spectrum.copy(), mix)
            if anchored:
                at = int(np.argmax(np.abs(scores[anchor_rows, anchor_cols])))
                row, col = int(anchor_rows[at]), int(anchor_cols[at])
                z = float(scores[row, col])
                if best_anchored is None or abs(z) > abs(best_anchored.z):
                    shift = _subcell_peak(np.abs(scores), row, col)
                    best_anchored = Candidate(
                        z, lattice, orientation, shift, spectrum.copy(), mix, anchored=True
                    )
    assert best is not None
    return [best] if best_anchored is None else [best, best_anchored]


def _scored(
    layout: TileLayout, prepared: list[Prepared], lattice: Lattice, max_frequency: float
) -> tuple[ComplexArray, FloatArray]:
    """The frames folded on ``lattice`` (each channel averaged over the frames), whitened, in all 8
    orientations and every channel mix (mix x orientation x spectrum), and their sync scores.
    ``max_frequency`` (cycles per working pixel) bounds the rings used (see ``ring_scale``)."""
    folded = np.mean([fold(frame, lattice, layout.size) for frame in prepared], axis=0)
    max_ring = max_frequency * lattice.period
    white = [
        whitened_spectrum(
            layout, np.stack(dihedral(channel)), ring_scale(layout, np.fft.rfft2(channel), max_ring)
        )
        for channel in folded
    ]
    spectra = np.stack(_mixes(white))
    return spectra, sync_scores(layout, spectra)


def _mixes(spectra: list[ComplexArray]) -> list[ComplexArray]:
    """Luma, chroma and their sum (whitened spectra: each channel's host has unit power per bin).
    A grayscale input has an all-zero chroma channel; the mixes still count as tests."""
    luma_spectrum, chroma_spectrum = spectra
    return [luma_spectrum, chroma_spectrum, luma_spectrum + chroma_spectrum]


def score_at(layout: TileLayout, frame: Prepared, reference: Candidate, max_frequency: float) -> float:
    """One frame's sync z at a known registration (lattice, orientation, mix, shift), signed so that
    a mark in the reference's polarity scores positive: a single test, N(0, 1) under the null."""
    scores = _scored(layout, [frame], reference.lattice, max_frequency)[1][
        reference.mix, reference.orientation
    ]
    row, col = (round(value) % layout.size for value in reference.shift)
    return float(scores[row, col]) * (1.0 if reference.z >= 0 else -1.0)


def search(
    layout: TileLayout, prepared: list[Prepared], canonical: tuple[float, ...], max_frequency: float
) -> list[Candidate]:
    """Candidates ranked by |z| (best first), at most ``MAX_LATTICES`` lattices scored.

    Canonical lattices come first (and end the search when decisive), then centre crops of common
    sizes, then the autocorrelation's proposals for crops and rotations; the best two of those
    are refined. Lattices past the budget are never scored."""
    canonical = tuple(dict.fromkeys(canonical))
    if len(canonical) > ANCHORED_LATTICES:
        raise ValueError(f"at most {ANCHORED_LATTICES} canonical lattices")
    fixed = [
        candidate
        for period in canonical
        for candidate in evaluate(layout, prepared, Lattice(0.0, period, 0.0), max_frequency, anchored=True)
    ]
    if max(abs(candidate.z) for candidate in fixed) >= DECISIVE_Z:
        return _ranked(fixed)
    crops = [Lattice(0.0, canonical[0] / fraction, 0.0) for fraction in _CROP_FRACTIONS]
    planes = [frame[channel] for frame in prepared for channel in range(frame.shape[0])]
    refinements = _REFINED * (len(_ANGLE_STEPS) + len(_PERIOD_STEPS))
    budget = MAX_LATTICES - len(canonical) - refinements
    proposals = (crops + find_lattices(planes, canonical)[len(canonical) :])[:budget]
    others = [evaluate(layout, prepared, lattice, max_frequency)[0] for lattice in proposals]
    best = _ranked(others)[:_REFINED]
    refined = [_refine(layout, prepared, candidate, max_frequency) for candidate in best]
    return _ranked(fixed + others + refined)


def _refine(
    layout: TileLayout, prepared: list[Prepared], start: Candidate, max_frequency: float
) -> Candidate:
    best = start
    for steps, along_angle in ((_ANGLE_STEPS, True), (_PERIOD_STEPS, False)):
        centre = best.lattice
        for step in steps:
            lattice = (
                replace(centre, angle_deg=(centre.angle_deg + step) % 90.0)
                if along_angle
                else replace(centre, period=centre.period * step)
            )
            candidate = evaluate(layout, prepared, lattice, max_frequency)[0]
            if abs(candidate.z) > abs(best.z):
                best = candidate
    return best


def _ranked(candidates: list[Candidate]) -> list[Candidate]:
    return sorted(candidates, key=lambda candidate: -abs(candidate.z))


def _subcell_peak(scores: FloatArray, row: int, col: int) -> tuple[float, float]:
    """Peak position with parabolic sub-cell interpolation along each axis (circular)."""
    size = scores.shape[0]

    def offset(before: float, centre: float, after: float) -> float:
        denominator = before - 2.0 * centre + after
        return 0.0 if denominator >= 0 else float(np.clip(0.5 * (before - after) / denominator, -0.5, 0.5))

    dr = offset(scores[(row - 1) % size, col], scores[row, col], scores[(row + 1) % size, col])
    dc = offset(scores[row, (col - 1) % size], scores[row, col], scores[row, (col + 1) % size])
    return row + dr, col + dc
