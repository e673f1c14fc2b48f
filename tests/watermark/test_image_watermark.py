"""The Python API contract, robustness under a representative subset of the attack suite,
calibration of the p-values on unmarked images, and keys."""

from __future__ import annotations

import numpy as np
import pytest

from conftest import MESSAGE
from raikit.watermark import Detection, ImageWatermarker, InvalidImageError, MessageTooLongError, WatermarkKey
from raikit.watermark import attacks as atk
from raikit.watermark.image import SSIM_FLOOR, ssim


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = float(np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2))
    return 10 * np.log10(255.0**2 / mse)


def test_contract_types_and_quality(
    key: bytes, photos: dict[str, np.ndarray], marked: dict[str, np.ndarray]
) -> None:
    from skimage.metrics import structural_similarity

    marker = ImageWatermarker(key)
    for name, image in photos.items():
        out = marked[name]
        assert out.shape == image.shape and out.dtype == np.uint8
        assert psnr(image, out) >= 40.0
        assert structural_similarity(image, out, channel_axis=2) >= 0.98
        found = marker.detect(out)
        assert isinstance(found, Detection)
        assert found.detected is True and isinstance(found.p_value, float) and found.p_value <= 1e-6
        assert 0.0 <= found.confidence <= 1.0 and found.confidence >= 0.5
        assert found.message == MESSAGE
        clean = marker.detect(image)
        assert clean.detected is False and clean.message is None and clean.p_value > 1e-4
        assert clean.confidence < found.confidence


def test_ssim_matches_scikit_image(photos: dict[str, np.ndarray]) -> None:
    from skimage.metrics import structural_similarity

    rng = np.random.default_rng(3)
    for image in photos.values():
        noisy = np.clip(image + rng.normal(0, 6, image.shape), 0, 255).astype(np.uint8)
        ours = ssim(image.astype(np.float32), noisy.astype(np.float32))
        assert abs(ours - structural_similarity(image, noisy, channel_axis=2)) < 1e-3


def test_flat_image_keeps_ssim_floor(key: bytes) -> None:
    y, x = np.mgrid[0:256, 0:320]
    smooth = np.stack([(x * 0.5 + 40), (y * 0.4 + 60), np.full_like(x, 128.0)], axis=2).astype(np.uint8)
    out = ImageWatermarker(key).embed(smooth, MESSAGE)
    assert ssim(smooth.astype(np.float32), out.astype(np.float32)) >= SSIM_FLOOR - 1e-4
    assert not np.array_equal(out, smooth)


@pytest.mark.parametrize(
    "attack",
    [
        "rotate_90",
        "flip_horizontal",
        "invert",
        "grayscale",
        "jpeg_50",
        "resize_0.5",
        "rotate_30",
        "crop_75",
        "blur_1",
        "noise_5",
        "brightness_-40",
        "invert_grayscale_rotate_90_noise_5",
    ],
)
def test_survives_attack(key: bytes, marked: dict[str, np.ndarray], attack: str) -> None:
    marker = ImageWatermarker(key)
    edit = atk.suite()[attack]
    for image in marked.values():
        found = marker.detect(edit(image))
        assert found.detected, (attack, found.p_value, found.z)
        assert found.message == MESSAGE


def test_edits_lower_confidence_gradually(key: bytes, marked: dict[str, np.ndarray]) -> None:
    marker = ImageWatermarker(key)
    image = marked["coffee"]
    scores = [marker.detect(atk.noise(sigma)(image)).z for sigma in (0.0, 20.0, 40.0)]
    assert scores[0] > scores[1] > scores[2]


def test_p_values_are_calibrated_on_unmarked_crops(key: bytes, photos: dict[str, np.ndarray]) -> None:
    """Unmarked natural crops and synthetic images: no more false positives than claimed."""
    marker = ImageWatermarker(key)
    rng = np.random.default_rng(3)
    sources = list(photos.values())
    p_values = []
    for index in range(60):
        if index % 3 == 2:
            image = np.clip(rng.normal(128, rng.uniform(3, 50), (int(rng.integers(64, 200)), 180, 3)), 0, 255)
            image = image.astype(np.uint8)
        else:
            source = sources[index % len(sources)]
            height, width = int(rng.integers(64, source.shape[0])), int(rng.integers(64, source.shape[1]))
            top, left = (
                int(rng.integers(0, source.shape[0] - height)),
                int(rng.integers(0, source.shape[1] - width)),
            )
            image = np.ascontiguousarray(np.rot90(source[top : top + height, left : left + width], index % 4))
        p_values.append(marker.detect(image).p_value)
    values = np.array(p_values)
    assert np.all((values >= 0) & (values <= 1))
    assert np.mean(values <= 0.1) <= 0.2  # claimed 0.1; binomial slack for 60 draws
    assert np.mean(values <= 1e-3) == 0.0


def test_wrong_key_neither_detects_nor_decodes(key: bytes, marked: dict[str, np.ndarray]) -> None:
    other = ImageWatermarker(b"a completely different secret key")
    for image in marked.values():
        found = other.detect(image)
        assert not found.detected and found.message is None and found.p_value > 1e-4


def test_forgery_without_the_key_is_not_accepted(key: bytes, photos: dict[str, np.ndarray]) -> None:
    """A mark made with another key (an attacker's) carrying our message is not ours."""
    forged = ImageWatermarker(b"attacker's guess at the key....").embed(photos["coffee"], MESSAGE)
    found = ImageWatermarker(key).detect(forged)
    assert not found.detected and found.message is None


def test_bad_inputs(key: bytes, photos: dict[str, np.ndarray]) -> None:
    marker = ImageWatermarker(key, max_pixels=200_000, payload_bytes=8)
    with pytest.raises(InvalidImageError):
        marker.embed(photos["coffee"].astype(np.float32), MESSAGE)  # type: ignore[arg-type]
    with pytest.raises(InvalidImageError):
        marker.detect(photos["coffee"][..., 0])
    with pytest.raises(InvalidImageError):
        marker.detect(np.zeros((4, 4, 3), np.uint8))
    with pytest.raises(InvalidImageError, match="over the limit"):
        marker.detect(np.zeros((1000, 1000, 3), np.uint8))
    with pytest.raises(MessageTooLongError):
        marker.embed(photos["camera"], b"x" * 9)


def test_key_is_never_shown(key: bytes) -> None:
    wrapped = WatermarkKey(key)
    marker = ImageWatermarker(wrapped)
    for text in (repr(wrapped), str(wrapped), repr(marker)):
        assert key.hex() not in text and key.decode() not in text
    with pytest.raises(TypeError):
        import pickle

        pickle.dumps(wrapped)
