"""The global-motion estimator that lets the video mark move with the scene."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from skimage import data

from raikit.watermark.motion import MotionTracker, analysis_view, shift_channels, translation


def moved(image: np.ndarray, rows: float, cols: float) -> np.ndarray:
    """``image`` with its content moved by (rows, cols) pixels (sub-pixel, bicubic)."""
    matrix = np.float32([[1, 0, cols], [0, 1, rows]])
    return cv2.warpAffine(image, matrix, (image.shape[1], image.shape[0]), flags=cv2.INTER_CUBIC)


@pytest.mark.parametrize(("rows", "cols"), [(0.0, 0.0), (3.0, -5.0), (-2.4, 7.6), (12.25, 0.5)])
def test_translation_is_accurate_and_signed_as_the_scene_moves(rows: float, cols: float) -> None:
    scene = cv2.resize(data.astronaut(), (700, 500)).astype(np.float32).mean(axis=2)
    first, second = scene[50:450, 50:650], moved(scene, rows, cols)[50:450, 50:650]
    found = translation(np.ascontiguousarray(first), np.ascontiguousarray(second))
    assert found is not None
    assert abs(found[0] - rows) < 0.15 and abs(found[1] - cols) < 0.15


def test_a_cut_is_no_motion() -> None:
    first = analysis_view(data.astronaut())[0]
    second = analysis_view(cv2.resize(data.coffee(), (512, 512)))[0]
    assert translation(first, second) is None
    tracker = MotionTracker()
    tracker.update(data.astronaut())
    assert tracker.new_shot
    tracker.update(cv2.resize(data.coffee(), (512, 512)))
    assert tracker.new_shot and tracker.offset == (0.0, 0.0)


def test_tracker_accumulates_native_pixels() -> None:
    base = cv2.resize(data.astronaut(), (1600, 1100))
    tracker = MotionTracker()
    for index in range(5):  # the camera pans right and down: the scene moves up and left
        offset = tracker.update(
            np.ascontiguousarray(base[index * 3 : index * 3 + 720, index * 8 : index * 8 + 1280])
        )
    assert not tracker.new_shot
    assert abs(offset[0] + 12) < 0.5 and abs(offset[1] + 32) < 0.5


def test_shift_channels_moves_band_limited_content_exactly() -> None:
    rng = np.random.default_rng(0)
    spectrum = np.zeros((2, 64, 33), complex)
    spectrum[:, 1:12, 1:12] = rng.normal(size=(2, 11, 11)) + 1j * rng.normal(size=(2, 11, 11))
    channels = np.fft.irfft2(spectrum, s=(64, 64)).astype(np.float32)
    there = shift_channels(channels, 2.25, -3.5)
    fy, fx = np.fft.fftfreq(64)[:, None], np.fft.rfftfreq(64)[None, :]
    exact = np.fft.irfft2(np.fft.rfft2(channels) * np.exp(-2j * np.pi * (fy * 2.25 + fx * -3.5)), s=(64, 64))
    covered = (slice(None), slice(3, None), slice(None, -4))  # rows moved down 2.25, columns left 3.5
    assert np.allclose(there[covered], exact[covered], atol=1e-5 * np.abs(channels).max())
    assert np.all(there[:, :2, :] == 0) and np.all(there[:, :, -3:] == 0)  # uncovered: zero, not wrapped
