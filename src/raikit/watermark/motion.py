"""Global motion between video frames, so that the video mark can move with the scene.

Why: H.264 predicts most frames (P and B) from earlier ones with motion compensation and spends
few bits on the residual. A mark that stays still while the camera pans is, for the encoder, a
residual to throw away: after CRF 28 the B-frames of a panning clip kept almost none of it. A mark
that moves with the scene is carried along by the motion vectors instead, and each frame keeps
nearly all of it. The embedder measures the motion on the source frames, the detector on the frames
it decodes, with the same estimator, and registers the frames before pooling them.

The estimator is phase correlation with sub-pixel (upsampled DFT) refinement on the luma scaled to
``ANALYSIS_SIDE`` pixels on the long side, windowed against the image borders. A pair whose overlap
does not match (a cut, a fade, a new shot) counts as no motion, on both sides alike.
"""

from __future__ import annotations

import functools

import numpy as np
import numpy.typing as npt

Frame = npt.NDArray[np.uint8]
Float32Array = npt.NDArray[np.float32]
ANALYSIS_SIDE = 640
MIN_OVERLAP_CORRELATION = 0.6
"""Correlation of the overlapping parts below which two frames count as different shots."""
UPSAMPLE = 20


def analysis_view(frame: Frame) -> tuple[Float32Array, float]:
    """The luma of ``frame`` at most ``ANALYSIS_SIDE`` pixels on the long side, and its scale."""
    import cv2

    luma = cv2.cvtColor(np.ascontiguousarray(frame), cv2.COLOR_RGB2GRAY)
    scale = min(1.0, ANALYSIS_SIDE / max(luma.shape))
    if scale < 1.0:
        size = (max(8, round(luma.shape[1] * scale)), max(8, round(luma.shape[0] * scale)))
        luma = cv2.resize(luma, size, interpolation=cv2.INTER_AREA)
    return np.asarray(luma, dtype=np.float32), scale


def _overlap_correlation(first: Float32Array, second: Float32Array, rows: int, cols: int) -> float:
    """Correlation of ``second`` with ``first`` moved by (rows, cols) where the two overlap."""
    height, width = first.shape
    if abs(rows) >= height // 2 or abs(cols) >= width // 2:
        return 0.0
    a = first[max(0, -rows) : height - max(0, rows), max(0, -cols) : width - max(0, cols)]
    b = second[max(0, rows) : height - max(0, -rows), max(0, cols) : width - max(0, -cols)]
    a, b = a - a.mean(), b - b.mean()
    denominator = float(np.sqrt(np.sum(a * a) * np.sum(b * b)))
    return float(np.sum(a * b)) / denominator if denominator > 1e-6 else 0.0


def translation(first: Float32Array, second: Float32Array) -> tuple[float, float] | None:
    """How far the scene moved from ``first`` to ``second`` (rows, columns, in their pixels), or
    None when they do not show the same scene."""
    from skimage.registration import phase_cross_correlation

    window = _window(first.shape[0], first.shape[1])
    found = phase_cross_correlation(  # type: ignore[no-untyped-call]
        second * window,
        first * window,
        upsample_factor=UPSAMPLE,
        normalization="phase",
        disambiguate=False,
    )
    rows, cols = (float(value) for value in found[0])
    if _overlap_correlation(first, second, round(rows), round(cols)) < MIN_OVERLAP_CORRELATION:
        return None
    return rows, cols


@functools.lru_cache(maxsize=4)
def _window(height: int, width: int) -> Float32Array:
    """The Hann window of a view size (the same for every frame of a video)."""
    import cv2

    window = np.asarray(cv2.createHanningWindow((width, height), cv2.CV_32F), dtype=np.float32)
    window.flags.writeable = False
    return window


class MotionTracker:
    """Cumulative scene offset of each frame fed in, relative to the first (native pixels)."""

    def __init__(self) -> None:
        self.offset = (0.0, 0.0)
        self.new_shot = True
        """Whether the last frame fed in started a shot (the first frame, or after a cut)."""
        self._previous: Float32Array | None = None

    def update(self, frame: Frame) -> tuple[float, float]:
        view, scale = analysis_view(frame)
        previous, self._previous = self._previous, view
        moved = None
        if previous is not None and previous.shape == view.shape:
            moved = translation(previous, view)
        if moved is not None:
            self.offset = (self.offset[0] + moved[0] / scale, self.offset[1] + moved[1] / scale)
        self.new_shot = moved is None
        return self.offset


def shift_channels(channels: Float32Array, rows: float, cols: float) -> Float32Array:
    """Move (C x H x W) images by a fractional number of pixels: the integer part by copying (the
    uncovered border is zero), the fraction in the Fourier domain (exact for band-limited content)."""
    whole_r, whole_c = int(np.floor(rows)), int(np.floor(cols))
    frac_r, frac_c = rows - whole_r, cols - whole_c
    out = channels
    if frac_r or frac_c:
        fy = np.fft.fftfreq(channels.shape[-2])[:, None]
        fx = np.fft.rfftfreq(channels.shape[-1])[None, :]
        ramp = np.exp(-2j * np.pi * (fy * frac_r + fx * frac_c))
        out = np.fft.irfft2(np.fft.rfft2(channels) * ramp, s=channels.shape[-2:]).astype(np.float32)
    height, width = channels.shape[-2:]
    moved = np.zeros_like(channels)
    if abs(whole_r) < height and abs(whole_c) < width:
        moved[..., max(0, whole_r) : height + min(0, whole_r), max(0, whole_c) : width + min(0, whole_c)] = (
            out[
                ..., max(0, -whole_r) : height + min(0, -whole_r), max(0, -whole_c) : width + min(0, -whole_c)
            ]
        )
    return np.asarray(moved, dtype=np.float32)
