"""``ImageWatermarker``: embed a keyed, periodic, band-limited mark in luma and blue-yellow chroma;
detect it after rotation, flips, scaling, cropping, inversion, compression and filtering.

Embedding: the coded payload and the sync phases make one N x N tile (see
:mod:`raikit.watermark.template`); the tile is repeated about 4 times along the short side, scaled
to the image and anchored at its centre (so a centred crop or resize keeps the tile origin), weighted
by a texture mask (strong in busy areas, weak in flat ones, where the eye and SSIM notice) and added
along one colour direction: mostly gray (R, G and B alike), with a ``chroma_share`` of blue-yellow
(:func:`mark_direction`), which survives grayscale conversion through its luma part and JPEG luma
quantisation through its chroma part. The gain meets the target PSNR after clipping, unless the SSIM
would fall below ``SSIM_FLOOR``.

Detection: the image is resampled to a working size, split into high-passed luma and chroma, the tile
lattice is found (:mod:`raikit.watermark.geometry`), the image is folded into one tile for each
lattice hypothesis and correlated with the sync phases in all 8 orientations and every shift; an
anchored family (origin at the image centre) is tested separately with fewer hypotheses. The best
hypotheses are decoded (soft Viterbi) and the tag checked. p-values: :mod:`raikit.watermark.detection`.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from raikit.watermark import detection as stats
from raikit.watermark.errors import InvalidImageError
from raikit.watermark.geometry import WORK_SIDE, Lattice, highpass, to_work
from raikit.watermark.keys import WatermarkKey, as_key
from raikit.watermark.payload import coded_length, decode_block, pack, unpack
from raikit.watermark.search import (
    MAX_LATTICES,
    Candidate,
    anchored_hypotheses,
    evaluate,
    hypotheses_per_lattice,
    search,
)
from raikit.watermark.template import FloatArray, TileLayout, make_layout, payload_soft, shifted, synthesize

Image = npt.NDArray[np.uint8]
TILE = 64
TILES_PER_SIDE = 4
MIN_NATIVE_PERIOD = 48.0
DEFAULT_PSNR = 43.0
DEFAULT_MAX_PIXELS = 100_000_000
DEFAULT_CHROMA_SHARE = 0.35
FLAT_AMPLITUDE = 1.0
"""Levels a pixel of a perfectly flat area may move (before the per-channel weights)."""
TEXTURE_SLOPE = 0.35
"""Extra levels allowed per level of local standard deviation."""
MAX_GAIN_BOOST = 2.0
SSIM_FLOOR = 0.982
"""The embedder lowers the gain of an image whose SSIM would fall below this (flat, smooth images)."""


def working_nyquist(height: int, width: int) -> float:
    """Highest frequency (cycles per working pixel) an image of this size holds once resampled to
    the working size, with a margin: 0.45, less for small images that get upsampled."""
    return min(0.45, 0.55 * min(height, width) / WORK_SIDE)


def luma(image: Image) -> npt.NDArray[np.float32]:
    rgb = image.astype(np.float32)
    return np.asarray(0.299 * rgb[..., 0] + 0.587 * rgb[..., 1] + 0.114 * rgb[..., 2], dtype=np.float32)


def chroma(image: Image) -> npt.NDArray[np.float32]:
    """The blue-yellow opponent channel (R + G - 2B) / sqrt(6): zero for any gray pixel."""
    rgb = image.astype(np.float32)
    return np.asarray((rgb[..., 0] + rgb[..., 1] - 2.0 * rgb[..., 2]) / np.sqrt(6.0), dtype=np.float32)


def prepare(image: Image) -> npt.NDArray[np.float32]:
    """The detector's view of an image: luma and chroma at the working size, high-passed and
    normalised by local activity (channels x height x width)."""
    return np.stack([highpass(to_work(luma(image))), highpass(to_work(chroma(image)))])


def mark_direction(chroma_share: float) -> npt.NDArray[np.float32]:
    """Per-channel RGB weights of the mark: gray (R = G = B) plus blue-yellow, scaled so that the
    mark costs the same energy as a gray one. ``chroma_share`` is the chroma part of that energy."""
    gray = np.ones(3) / np.sqrt(3.0)
    blue_yellow = np.array([1.0, 1.0, -2.0]) / np.sqrt(6.0)
    direction = np.sqrt(1.0 - chroma_share) * gray + np.sqrt(chroma_share) * blue_yellow
    return np.asarray(direction * np.sqrt(3.0), dtype=np.float32)


def ssim(first: npt.NDArray[np.float32], second: npt.NDArray[np.float32]) -> float:
    """Mean SSIM of two H x W x 3 images on 0..255, as ``skimage.metrics.structural_similarity``
    computes it by default (7 x 7 uniform window, sample covariance, borders left out)."""
    import cv2

    window, border = 7, 3
    correction = window * window / (window * window - 1.0)
    c1, c2 = (0.01 * 255.0) ** 2, (0.03 * 255.0) ** 2

    def mean(values: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
        return np.asarray(cv2.blur(values, (window, window), borderType=cv2.BORDER_REFLECT), np.float32)

    mx, my = mean(first), mean(second)
    vx = correction * (mean(first * first) - mx * mx)
    vy = correction * (mean(second * second) - my * my)
    cov = correction * (mean(first * second) - mx * my)
    index = ((2 * mx * my + c1) * (2 * cov + c2)) / ((mx * mx + my * my + c1) * (vx + vy + c2))
    return float(np.mean(index[border:-border, border:-border]))


def check_image(image: object, max_pixels: int, *, min_side: int = 16) -> Image:
    if not isinstance(image, np.ndarray) or image.dtype != np.uint8:
        raise InvalidImageError("the image must be a numpy uint8 array (H x W x 3, RGB)")
    if image.ndim != 3 or image.shape[2] != 3:
        raise InvalidImageError(f"the image must have shape H x W x 3 (RGB); got {image.shape}")
    height, width = image.shape[:2]
    if min(height, width) < min_side:
        raise InvalidImageError(
            f"the image is {width}x{height}; both sides must be at least {min_side} pixels"
        )
    if height * width > max_pixels:
        raise InvalidImageError(
            f"the image is {width}x{height} = {height * width} pixels, over the limit of {max_pixels}"
        )
    return image


class ImageWatermarker:
    """Keyed invisible watermark for RGB images.

    ``psnr`` sets the strength (the target peak signal-to-noise ratio of the marked image, in dB;
    lower is stronger); ``payload_bytes`` the longest message; ``threshold`` the p-value under which
    ``detect`` reports a detection; ``band`` the frequencies of the tile (cycles per tile): lower
    survives heavier compression and downscaling, higher hides better in texture.
    """

    def __init__(
        self,
        key: WatermarkKey | bytes | str,
        *,
        psnr: float = DEFAULT_PSNR,
        payload_bytes: int = 8,
        threshold: float = stats.DEFAULT_THRESHOLD,
        max_pixels: int = DEFAULT_MAX_PIXELS,
        band: tuple[float, float] = (3.0, 20.0),
        chroma_share: float = DEFAULT_CHROMA_SHARE,
    ) -> None:
        if not 20.0 <= psnr <= 60.0:
            raise ValueError("psnr (the strength) must be between 20 and 60 dB")
        if not 0.0 <= chroma_share <= 1.0:
            raise ValueError("chroma_share must be between 0 and 1")
        if not 1 <= payload_bytes <= 32:
            raise ValueError("payload_bytes must be between 1 and 32")
        self._key = as_key(key)
        self.psnr = psnr
        self.payload_bytes = payload_bytes
        self.threshold = threshold
        self.max_pixels = max_pixels
        self._direction = mark_direction(chroma_share)
        self._layout: TileLayout = make_layout(
            self._key, coded_length(payload_bytes), size=TILE, low=band[0], high=band[1]
        )

    @property
    def layout(self) -> TileLayout:
        """Where the key puts sync and payload in the tile (secret: derived from the key)."""
        return self._layout

    def __repr__(self) -> str:
        return f"ImageWatermarker(key={self._key!r}, psnr={self.psnr}, payload_bytes={self.payload_bytes})"

    # -- embedding -------------------------------------------------------------------------------

    def tile(self, message: bytes) -> FloatArray:
        """The unit-RMS watermark tile for ``message`` (the same for every image and frame)."""
        if not isinstance(message, bytes | bytearray):
            raise InvalidImageError("the message must be bytes")
        return synthesize(self._layout, pack(bytes(message), self.payload_bytes, self._key))

    def embed(self, image: Image, message: bytes) -> Image:
        """Return a marked copy of ``image`` (same shape and dtype).

        Informed embedding: after a first pass, the detector reads the payload back; where the
        image itself pushes a coded bit the wrong way, that bit gets more amplitude, where it helps,
        less (a per-bit version of improved spread spectrum), and the mark is embedded again.
        """
        check_image(image, self.max_pixels)
        if not isinstance(message, bytes | bytearray):
            raise InvalidImageError("the message must be bytes")
        bits = pack(bytes(message), self.payload_bytes, self._key)
        marked = self.embed_with_tile(image, synthesize(self._layout, bits))
        best = self._canonical_candidates(marked)[0]
        soft = payload_soft(self._layout, best.spectrum, best.shift) * np.sign(best.z or 1.0)
        signs = 2.0 * bits.astype(np.float64) - 1.0
        unit = max(float(np.median(signs * soft)), 1e-6)
        host = soft - unit * signs
        gains = np.clip(1.0 - signs * host / unit, 0.25, 3.0)
        return self.embed_with_tile(image, synthesize(self._layout, bits, payload_gain=gains))

    def _canonical_candidates(self, image: Image) -> list[Candidate]:
        prepared = prepare(image)
        lattice = Lattice(0.0, self.canonical_period(*image.shape[:2]), float("inf"))
        return self.candidates(
            [prepared], lattices=[lattice], max_frequency=working_nyquist(*image.shape[:2])
        )

    def embed_with_tile(self, image: Image, tile: FloatArray) -> Image:
        return self.embed_with_pattern(image, self.pattern(tile, *image.shape[:2]))

    def embed_with_pattern(self, image: Image, pattern: npt.NDArray[np.float32]) -> Image:
        """Add a full-size unit pattern, texture-masked, at the gain that meets the target PSNR."""
        return self.mark(image, pattern)[0]

    def mark(
        self, image: Image, pattern: npt.NDArray[np.float32], *, gain: float | None = None
    ) -> tuple[Image, float]:
        """The marked image and the gain used (levels per unit of the masked pattern).

        Texture mask: local standard deviation with a floor (flat areas still carry some mark) and a
        cap (edges would otherwise take all the energy and show halos). Flat areas are also held
        to a small absolute amplitude, because SSIM (and the eye) notice any noise there. Without a
        ``gain``, it is raised until the image, after rounding and clipping to 0..255, meets the
        target PSNR: saturated pixels (white paper, black backgrounds) cannot move one way, so the
        others carry more (at most ``MAX_GAIN_BOOST`` times more), unless SSIM would fall below
        ``SSIM_FLOOR``. With a ``gain`` (video frames of one shot reuse the first frame's), one pass.
        """
        import cv2

        y = luma(image)
        mean = cv2.GaussianBlur(y, (0, 0), 2.0)
        variance = np.maximum(cv2.GaussianBlur(y * y, (0, 0), 2.0) - mean * mean, 0.0)
        activity = np.sqrt(variance)
        floor = float(np.clip(0.6 * np.median(activity[::3, ::3]), 2.0, 8.0))
        unit = np.clip(activity, floor, 20.0) * pattern
        unit /= max(float(np.sqrt(np.mean(unit * unit))), 1e-9)
        limit = FLAT_AMPLITUDE + TEXTURE_SLOPE * activity
        if gain is not None:
            return self._add(image, np.clip(gain * unit, -limit, limit)), gain
        source = image.astype(np.float32)
        target = 255.0 / 10.0 ** (self.psnr / 20.0)
        gain, ceiling = target, MAX_GAIN_BOOST * target
        accepted: tuple[Image, float] = (image.copy(), 0.0)
        for _ in range(8):
            marked = self._add(image, np.clip(gain * unit, -limit, limit))
            similarity = ssim(source, marked.astype(np.float32))
            if similarity < SSIM_FLOOR:  # SSIM loss grows with the square of the gain
                ceiling = gain * 0.97 * float(np.sqrt((1.0 - SSIM_FLOOR) / (1.0 - similarity)))
                gain = ceiling
                continue
            accepted = (marked, gain)
            achieved = float(np.sqrt(np.mean((marked - source) ** 2)))
            if achieved >= 0.97 * target or gain >= ceiling:
                break
            gain = min(gain * target / max(achieved, 1e-3), ceiling)
        return accepted

    def _add(self, image: Image, delta: npt.NDArray[np.float32]) -> Image:
        """``image`` plus the mark ``delta`` along the mark's colour direction, rounded and clipped
        (the image is integer, so rounding the per-channel delta first gives the same result)."""
        import cv2

        steps = cv2.merge([np.asarray(delta * weight, dtype=np.float32) for weight in self._direction])
        np.rint(steps, out=steps)
        return np.asarray(cv2.add(image, steps, dtype=cv2.CV_8U), dtype=np.uint8)

    @staticmethod
    def period_for(height: int, width: int) -> float:
        """Tile period in native pixels: a quarter of the short side, at least 48 pixels."""
        return max(min(height, width) / TILES_PER_SIDE, MIN_NATIVE_PERIOD)

    def pattern(
        self, tile: FloatArray, height: int, width: int, *, offset: tuple[float, float] = (0.0, 0.0)
    ) -> npt.NDArray[np.float32]:
        """The tile repeated over the image, its origin at the image centre (which rotations about
        the centre, flips, quarter turns, resizing and centre crops all keep in place), moved by
        ``offset`` (rows, columns) native pixels: video frames move it with the scene."""
        import cv2

        scale = TILE / self.period_for(height, width)  # working pixels per native pixel
        work_h, work_w = max(TILE, round(height * scale)), max(TILE, round(width * scale))
        # Pixel centres: the native centre lands at (n - 1) / 2 of a working axis of n pixels.
        origin_r = (work_h - 1) / 2.0 + offset[0] * scale
        origin_c = (work_w - 1) / 2.0 + offset[1] * scale
        whole_r, whole_c = int(np.floor(origin_r)), int(np.floor(origin_c))
        anchored = shifted(tile, origin_r - whole_r, origin_c - whole_c)
        reps = (-(-work_h // TILE) + 1, -(-work_w // TILE) + 1)
        grid = np.roll(np.tile(anchored.astype(np.float32), reps), (whole_r, whole_c), axis=(0, 1))
        work = grid[:work_h, :work_w]
        interp = cv2.INTER_AREA if scale > 1 else cv2.INTER_LINEAR
        return np.asarray(cv2.resize(work, (width, height), interpolation=interp), dtype=np.float32)

    # -- detection -------------------------------------------------------------------------------

    def detect(self, image: Image) -> stats.Detection:
        """Look for this key's mark in ``image`` (any size)."""
        check_image(image, self.max_pixels)
        prepared = prepare(image)
        candidates = self.candidates(
            [prepared],
            canonical=(float(TILE), self.canonical_period(*image.shape[:2])),
            max_frequency=working_nyquist(*image.shape[:2]),
        )
        return self.decide(candidates)

    @staticmethod
    def canonical_period(height: int, width: int) -> float:
        """The tile period, in working pixels, of an image of this size that was marked as is."""
        return ImageWatermarker.period_for(height, width) * WORK_SIDE / min(height, width)

    @property
    def hypotheses(self) -> int:
        """Sync tests one detection may make: lattices x 8 orientations x shifts x 2 signs."""
        return MAX_LATTICES * hypotheses_per_lattice(self._layout)

    def candidates(
        self,
        prepared: list[npt.NDArray[np.float32]],
        *,
        canonical: tuple[float, ...] = (float(TILE),),
        lattices: list[Lattice] | None = None,
        max_frequency: float = 0.45,
    ) -> list[Candidate]:
        """Registration hypotheses ranked by sync score: searched, or the given ``lattices`` only.
        Several prepared images (video frames with the same geometry) are folded together."""
        if lattices is None:
            return search(self._layout, prepared, canonical, max_frequency)
        found = [evaluate(self._layout, prepared, lattice, max_frequency)[0] for lattice in lattices]
        return sorted(found, key=lambda candidate: -abs(candidate.z))

    def p_value_of(self, candidate: Candidate) -> float:
        """The sync p-value of a candidate within its family (search or anchored)."""
        tests = anchored_hypotheses() if candidate.anchored else self.hypotheses
        return stats.max_abs_z_p_value(abs(candidate.z), tests)

    def decide(self, candidates: list[Candidate], *, attempts: int = 8) -> stats.Detection:
        """Turn candidates into a Detection: the best of each family of sync tests, and the payload
        decoded from the most significant candidates (at most ``attempts``)."""
        ordered = sorted(candidates, key=self.p_value_of)
        searched = [c for c in ordered if not c.anchored]
        anchored = [c for c in ordered if c.anchored]
        p_search = self.p_value_of(searched[0]) if searched else 1.0
        p_anchor = self.p_value_of(anchored[0]) if anchored else 1.0
        best = ordered[0]
        message: bytes | None = None
        tried = 0
        chosen = best
        raw_block = b""
        for candidate in ordered[:attempts]:
            tried += 1
            soft = payload_soft(self._layout, candidate.spectrum, candidate.shift) * np.sign(
                candidate.z or 1.0
            )
            if not raw_block:
                raw_block = decode_block(soft)[: self.payload_bytes + 1]
            decoded = unpack(soft, self.payload_bytes, self._key)
            if decoded is not None:
                message, chosen = decoded, candidate
                break
        p_payload = stats.payload_p_value(tried) if message is not None else None
        p_value = stats.combined_p_value(p_search, p_anchor, p_payload)
        return stats.Detection(
            detected=p_value <= self.threshold,
            p_value=p_value,
            confidence=stats.confidence_from_p(p_value, self.threshold),
            message=message,
            z=abs(best.z),
            inverted=chosen.z < 0,
            details={
                "p_sync": min(p_search, p_anchor),
                "p_search": p_search,
                "p_anchored": p_anchor,
                "p_payload": p_payload,
                "angle_deg": chosen.lattice.angle_deg,
                "period": chosen.lattice.period,
                "orientation": chosen.orientation,
                "mix": ("luma", "chroma", "luma+chroma")[chosen.mix],
                "anchored": chosen.anchored,
                "raw_block": raw_block,
            },
        )
