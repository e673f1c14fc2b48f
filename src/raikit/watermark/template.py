"""The key-derived watermark tile and its correlators, in the Fourier domain of one N x N tile.

The tile is band-limited: only frequencies with radius ``low..high`` cycles per tile carry energy,
so it survives downscaling, JPEG and blur and the detector can ignore everything else. The
(half-plane) frequency bins are split at random (by the key) into

- *sync* bins with key-random unit phases: the detection statistic is the correlation of the
  folded image with them, whose null distribution over keys is N(0, 1) per shift once normalised;
- *payload* bins whose real and imaginary parts each carry one coded bit times a key-random chip.

All correlators take the whitened spectrum of the folded image (each ring divided by its RMS), so
that every bin counts in proportion to its signal-to-host ratio and shifts are nearly independent.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from raikit.watermark.keys import WatermarkKey

FloatArray = npt.NDArray[np.float64]
ComplexArray = npt.NDArray[np.complex128]
IntArray = npt.NDArray[np.int64]
_CLIP = 2.0


@dataclass(frozen=True)
class TileLayout:
    """Which bins of an N x N tile's ``rfft2`` carry sync and payload, and with what phases/chips."""

    size: int
    radius: FloatArray  # per rfft2 bin
    band: npt.NDArray[np.bool_]
    sync: tuple[IntArray, IntArray]
    sync_phase: ComplexArray
    payload: tuple[IntArray, IntArray]
    payload_bit: IntArray  # (bins, 2): coded-bit index of the real and imaginary part
    payload_chip: FloatArray  # (bins, 2): ±1
    rings: IntArray  # integer radius of each rfft2 bin
    ring_bins: tuple[IntArray, IntArray]  # the in-band bins, grouped by ring (ascending)
    ring_of_bin: IntArray  # the ring of each of ``ring_bins``
    ring_starts: IntArray  # ring r holds ring_bins[ring_starts[r]:ring_starts[r + 1]]

    @property
    def coded_bits(self) -> int:
        return int(self.payload_bit.max()) + 1


def make_layout(
    key: WatermarkKey,
    coded_bits: int,
    size: int = 64,
    low: float = 3.0,
    high: float = 20.0,
    sync_share: float = 0.5,
) -> TileLayout:
    rows = np.fft.fftfreq(size, 1.0 / size)[:, None]
    cols = np.arange(size // 2 + 1)[None, :].astype(np.float64)
    radius = np.sqrt(rows**2 + cols**2)
    # Column 0 and the Nyquist column are left out: their bins are their own Hermitian twins.
    band = (radius >= low) & (radius <= high) & (cols >= 1) & (cols < size // 2)
    rings = np.rint(radius).astype(np.int64)
    bins_r, bins_c = np.nonzero(band)
    rng = np.random.default_rng(key.seed("watermark-layout"))
    order = rng.permutation(len(bins_r))
    n_sync = round(len(order) * sync_share)
    sync_idx, pay_idx = np.sort(order[:n_sync]), np.sort(order[n_sync:])
    sync_phase = np.exp(2j * np.pi * rng.random(n_sync))
    dof = len(pay_idx) * 2
    if dof < coded_bits:
        raise ValueError(f"the tile has {dof} payload degrees of freedom for {coded_bits} coded bits")
    assignment = np.empty(dof, dtype=np.int64)
    assignment[rng.permutation(dof)] = np.arange(dof) % coded_bits
    chips = rng.choice(np.array([-1.0, 1.0]), size=dof)
    ring_bins, ring_of_bin, ring_starts = _ring_groups(band, rings, size)
    return TileLayout(
        size=size,
        radius=radius,
        band=band,
        sync=(bins_r[sync_idx], bins_c[sync_idx]),
        sync_phase=sync_phase,
        payload=(bins_r[pay_idx], bins_c[pay_idx]),
        payload_bit=assignment.reshape(-1, 2),
        payload_chip=chips.reshape(-1, 2),
        rings=rings,
        ring_bins=ring_bins,
        ring_of_bin=ring_of_bin,
        ring_starts=ring_starts,
    )


def _ring_groups(
    band: npt.NDArray[np.bool_], rings: IntArray, size: int
) -> tuple[tuple[IntArray, IntArray], IntArray, IntArray]:
    """The in-band bins grouped by ring, the ring of each, and where each ring starts."""
    rows, cols = np.nonzero(band)
    order = np.argsort(rings[rows, cols], kind="stable")
    rows, cols = rows[order].astype(np.int64), cols[order].astype(np.int64)
    ring_of_bin = rings[rows, cols].astype(np.int64)
    starts = np.searchsorted(ring_of_bin, np.arange(size + 1)).astype(np.int64)
    return (rows, cols), ring_of_bin, starts


def synthesize(
    layout: TileLayout,
    bits: npt.NDArray[np.uint8],
    payload_gain: FloatArray | None = None,
    sync_gain: float = 1.0,
) -> FloatArray:
    """The spatial tile (unit RMS) for coded ``bits``; ``payload_gain`` (per coded bit) defaults to 1."""
    spectrum = np.zeros(layout.radius.shape, dtype=np.complex128)
    spectrum[layout.sync] = sync_gain * layout.sync_phase
    signs = 2.0 * bits.astype(np.float64) - 1.0
    if payload_gain is not None:
        signs = signs * payload_gain
    parts = layout.payload_chip * signs[layout.payload_bit]
    spectrum[layout.payload] = parts[:, 0] + 1j * parts[:, 1]
    tile = np.fft.irfft2(spectrum, s=(layout.size, layout.size))
    rms = float(np.sqrt(np.mean(tile**2)))
    return np.asarray(tile / rms if rms > 0 else tile, dtype=np.float64)


def ring_scale(layout: TileLayout, spectrum: ComplexArray, max_ring: float) -> FloatArray:
    """Per-bin weights that whiten a folded tile's spectrum: 1 / sqrt(median power of its ring),
    0 outside the band and above ``max_ring`` (rings the input cannot hold: above its Nyquist
    frequency, or emptied by upsampling). The median is robust to the strong lines of periodic
    textures. Rotations and flips of the tile permute bins within rings, so one scale serves all 8."""
    power = np.abs(spectrum[layout.ring_bins]) ** 2
    ordered = power[np.lexsort((power, layout.ring_of_bin))]  # sorted within each ring
    starts, ends = layout.ring_starts[:-1], layout.ring_starts[1:]
    present = ends > starts
    lower = ordered[np.where(present, (starts + ends - 1) // 2, 0)]
    upper = ordered[np.where(present, (starts + ends) // 2, 0)]
    median = np.maximum((lower + upper) / 2.0, 1e-30)
    keep = present & (np.arange(layout.size) <= max_ring)
    scale = np.where(keep, 1.0 / np.sqrt(median), 0.0)
    rings = layout.rings
    return np.asarray(np.where(layout.band, scale[rings], 0.0), dtype=np.float64)


def whitened_spectrum(
    layout: TileLayout, folded: FloatArray, scale: FloatArray | None = None, max_ring: float = np.inf
) -> ComplexArray:
    """rfft2 of a folded tile (or of a stack of them: leading axes are kept), whitened by
    :func:`ring_scale` and with magnitudes clipped at ``_CLIP`` (so no handful of host bins
    dominates the statistic)."""
    spectrum = np.fft.rfft2(folded)
    if scale is None:
        scale = ring_scale(layout, spectrum, max_ring)
    white = spectrum * scale
    magnitude = np.abs(white)
    white = np.where(magnitude > _CLIP, white * (_CLIP / np.maximum(magnitude, 1e-30)), white)
    return np.asarray(white, dtype=np.complex128)


def sync_scores(layout: TileLayout, spectrum: ComplexArray) -> FloatArray:
    """z-score of the sync correlation at every circular shift (N x N, after any leading axes of a
    stack of spectra); N(0, 1) each under the null."""
    rows, cols = layout.sync
    values = spectrum[..., rows, cols]
    product = np.zeros_like(spectrum)
    product[..., rows, cols] = values * np.conj(layout.sync_phase)
    size = layout.size
    correlation = np.fft.irfft2(product, s=(size, size)) * (size * size / 2.0)
    spread = np.sqrt(np.sum(np.abs(values) ** 2, axis=-1) / 2.0)[..., None, None]
    return np.asarray(correlation / np.where(spread > 0, spread, 1.0), dtype=np.float64)


def payload_soft(layout: TileLayout, spectrum: ComplexArray, shift: tuple[float, float]) -> FloatArray:
    """Soft coded bits (correlations, unit variance under noise) read at a (fractional) shift."""
    rows = np.fft.fftfreq(layout.size, 1.0 / layout.size)[:, None]
    cols = np.arange(layout.size // 2 + 1)[None, :]
    phase = np.exp(2j * np.pi * (rows * shift[0] + cols * shift[1]) / layout.size)
    values = (spectrum * phase)[layout.payload]
    parts = np.stack([values.real, values.imag], axis=1) * layout.payload_chip
    sums = np.bincount(layout.payload_bit.ravel(), weights=parts.ravel(), minlength=layout.coded_bits)
    counts = np.bincount(layout.payload_bit.ravel(), minlength=layout.coded_bits)
    scale = np.sqrt(np.mean(np.abs(values) ** 2) / 2.0)
    return np.asarray(sums / np.sqrt(np.maximum(counts, 1)) / max(scale, 1e-30), dtype=np.float64)


def dihedral(tile: FloatArray) -> list[FloatArray]:
    """The 8 rotations/reflections of a square tile about its origin (index 0, 0), circularly: the
    mark is anchored at the image centre, which quarter turns and flips leave in place, so undoing
    them about the origin keeps the mark at shift (0, 0)."""
    return list(tile.reshape(-1)[_dihedral_indices(tile.shape[0])])


@functools.lru_cache(maxsize=4)
def _dihedral_indices(size: int) -> IntArray:
    """Flat indices of the 8 dihedral variants of a size x size tile (8 x size x size)."""
    rows, cols = np.indices((size, size))
    out: list[IntArray] = []
    for flipped in (False, True):
        r, c = rows, (-cols) % size if flipped else cols
        for _ in range(4):
            out.append(r * size + c)
            r, c = c, (-r) % size
    return np.asarray(np.stack(out), dtype=np.int64)


def shifted(tile: FloatArray, rows: float, cols: float) -> FloatArray:
    """The band-limited periodic tile moved by a (fractional) number of cells: out[k] = tile(k - d)."""
    size = tile.shape[0]
    fy = np.fft.fftfreq(size, 1.0 / size)[:, None]
    fx = np.arange(size // 2 + 1)[None, :]
    ramp = np.exp(-2j * np.pi * (fy * rows + fx * cols) / size)
    return np.asarray(np.fft.irfft2(np.fft.rfft2(tile) * ramp, s=tile.shape), dtype=np.float64)
