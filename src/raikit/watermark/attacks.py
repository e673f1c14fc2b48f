"""The 37-attack robustness suite (single edits and combinations), used by the benchmark and tests.

Every attack maps an H x W x 3 uint8 RGB image to another (possibly of another size). Randomness
(noise) is seeded per call, so runs are reproducible.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt

Image = npt.NDArray[np.uint8]
Attack = Callable[[Image], Image]


def rotate(degrees: float, *, crop: bool = False) -> Attack:
    """Rotate about the centre; the canvas grows to hold the whole image (black corners), or, with
    ``crop``, the result is cut to the largest axis-aligned rectangle inside the rotated image."""

    def apply(image: Image) -> Image:
        import cv2

        height, width = image.shape[:2]
        matrix = cv2.getRotationMatrix2D((width / 2, height / 2), degrees, 1.0)
        cos, sin = abs(matrix[0, 0]), abs(matrix[0, 1])
        new_w, new_h = round(height * sin + width * cos), round(height * cos + width * sin)
        matrix[0, 2] += new_w / 2 - width / 2
        matrix[1, 2] += new_h / 2 - height / 2
        rotated = cv2.warpAffine(image, matrix, (new_w, new_h), flags=cv2.INTER_LINEAR)
        if not crop:
            return np.asarray(rotated, dtype=np.uint8)
        inner_w, inner_h = _inscribed(width, height, np.deg2rad(degrees))
        top, left = (new_h - inner_h) // 2, (new_w - inner_w) // 2
        return np.ascontiguousarray(rotated[top : top + inner_h, left : left + inner_w])

    return apply


def _inscribed(width: int, height: int, angle: float) -> tuple[int, int]:
    """Largest axis-aligned rectangle inside a w x h rectangle rotated by ``angle``."""
    sin, cos = abs(np.sin(angle)), abs(np.cos(angle))
    long, short = max(width, height), min(width, height)
    if short <= 2.0 * sin * cos * long or abs(sin - cos) < 1e-10:
        x = 0.5 * short
        wr, hr = (x / sin, x / cos) if width >= height else (x / cos, x / sin)
    else:
        cos2 = cos * cos - sin * sin
        wr, hr = (width * cos - height * sin) / cos2, (height * cos - width * sin) / cos2
    return max(8, int(wr)), max(8, int(hr))


def quarter_turns(turns: int) -> Attack:
    return lambda image: np.ascontiguousarray(np.rot90(image, turns))


def flip(axis: int) -> Attack:
    return lambda image: np.ascontiguousarray(np.flip(image, axis=axis))


def invert(image: Image) -> Image:
    return np.asarray(255 - image, dtype=np.uint8)


def grayscale(image: Image) -> Image:
    gray = np.rint(image.astype(np.float32) @ np.array([0.299, 0.587, 0.114], dtype=np.float32))
    return np.repeat(np.clip(gray, 0, 255).astype(np.uint8)[..., None], 3, axis=2)


def resize(factor: float) -> Attack:
    def apply(image: Image) -> Image:
        import cv2

        interpolation = cv2.INTER_AREA if factor < 1 else cv2.INTER_CUBIC
        return np.asarray(cv2.resize(image, None, fx=factor, fy=factor, interpolation=interpolation))

    return apply


def centre_crop(fraction: float) -> Attack:
    def apply(image: Image) -> Image:
        height, width = image.shape[:2]
        new_h, new_w = round(height * fraction), round(width * fraction)
        top, left = (height - new_h) // 2, (width - new_w) // 2
        return np.ascontiguousarray(image[top : top + new_h, left : left + new_w])

    return apply


def jpeg(quality: int) -> Attack:
    def apply(image: Image) -> Image:
        import cv2

        ok, data = cv2.imencode(".jpg", image[..., ::-1], [cv2.IMWRITE_JPEG_QUALITY, quality])
        if not ok:
            raise RuntimeError("JPEG encoding failed")
        decoded = cv2.imdecode(data, cv2.IMREAD_COLOR)
        if decoded is None:
            raise RuntimeError("JPEG decoding failed")
        return np.ascontiguousarray(decoded[..., ::-1])

    return apply


def blur(sigma: float) -> Attack:
    def apply(image: Image) -> Image:
        import cv2

        return np.asarray(cv2.GaussianBlur(image, (0, 0), sigma))

    return apply


def noise(sigma: float, seed: int = 0) -> Attack:
    def apply(image: Image) -> Image:
        rng = np.random.default_rng(seed)
        noisy = image.astype(np.float32) + rng.normal(0.0, sigma, image.shape).astype(np.float32)
        return np.clip(np.rint(noisy), 0, 255).astype(np.uint8)

    return apply


def brightness(offset: float) -> Attack:
    return lambda image: np.clip(image.astype(np.float32) + offset, 0, 255).astype(np.uint8)


def contrast(factor: float) -> Attack:
    return lambda image: np.clip((image.astype(np.float32) - 128.0) * factor + 128.0, 0, 255).astype(np.uint8)


def chain(*attacks: Attack) -> Attack:
    def apply(image: Image) -> Image:
        for attack in attacks:
            image = attack(image)
        return image

    return apply


def suite() -> dict[str, Attack]:
    """The 37 attacks, by name (``none`` is the unattacked baseline and counts as one)."""
    return {
        "none": lambda image: image,
        "rotate_5": rotate(5),
        "rotate_15": rotate(15),
        "rotate_30": rotate(30),
        "rotate_45": rotate(45),
        "rotate_75": rotate(75),
        "rotate_10_crop": rotate(10, crop=True),
        "rotate_30_crop": rotate(30, crop=True),
        "rotate_45_crop": rotate(45, crop=True),
        "rotate_90": quarter_turns(1),
        "rotate_180": quarter_turns(2),
        "rotate_270": quarter_turns(3),
        "flip_horizontal": flip(1),
        "flip_vertical": flip(0),
        "invert": invert,
        "grayscale": grayscale,
        "resize_0.25": resize(0.25),
        "resize_0.5": resize(0.5),
        "resize_0.75": resize(0.75),
        "resize_1.5": resize(1.5),
        "resize_2": resize(2.0),
        "crop_75": centre_crop(0.75),
        "crop_50": centre_crop(0.5),
        "jpeg_70": jpeg(70),
        "jpeg_50": jpeg(50),
        "jpeg_30": jpeg(30),
        "blur_1": blur(1.0),
        "blur_2": blur(2.0),
        "noise_5": noise(5.0),
        "noise_10": noise(10.0),
        "brightness_+40": brightness(40),
        "brightness_-40": brightness(-40),
        "contrast_0.6": contrast(0.6),
        "contrast_1.4": contrast(1.4),
        "flip_resize_0.5_jpeg_50": chain(flip(1), resize(0.5), jpeg(50)),
        "rotate_20_crop_75_jpeg_50": chain(rotate(20), centre_crop(0.75), jpeg(50)),
        "invert_grayscale_rotate_90_noise_5": chain(invert, grayscale, quarter_turns(1), noise(5.0)),
    }
