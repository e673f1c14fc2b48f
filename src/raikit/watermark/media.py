"""Reading and writing image files for the watermark, with one clear error for every bad input:
missing, empty, truncated or corrupt files, unsupported formats and oversized dimensions."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from raikit.watermark.errors import InvalidMediaError

IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".webp", ".bmp", ".tif", ".tiff"})
VIDEO_SUFFIXES = frozenset({".mp4", ".mov", ".mkv", ".avi", ".webm", ".m4v"})


def media_kind(path: Path) -> str:
    """``"image"`` or ``"video"``, from the file name."""
    suffix = path.suffix.lower()
    if suffix in IMAGE_SUFFIXES:
        return "image"
    if suffix in VIDEO_SUFFIXES:
        return "video"
    supported = ", ".join(sorted(IMAGE_SUFFIXES | VIDEO_SUFFIXES))
    raise InvalidMediaError(
        f"{path.name}: unsupported file type {suffix or '(none)'}; supported: {supported}"
    )


def check_file(path: Path) -> None:
    if not path.is_file():
        raise InvalidMediaError(f"{path} does not exist or is not a file")
    if path.stat().st_size == 0:
        raise InvalidMediaError(f"{path} is empty (0 bytes)")


def read_image(path: Path, max_pixels: int) -> npt.NDArray[np.uint8]:
    """Decode an image file to an H x W x 3 uint8 RGB array (alpha dropped, gray expanded)."""
    check_file(path)
    return decode_image(path.read_bytes(), path.name, max_pixels)


def decode_image(data: bytes, name: str, max_pixels: int) -> npt.NDArray[np.uint8]:
    import io

    from PIL import Image, UnidentifiedImageError

    if not data:
        raise InvalidMediaError(f"{name} is empty (0 bytes)")
    try:
        with Image.open(io.BytesIO(data)) as probe:
            width, height = probe.size
            if width * height > max_pixels:
                raise InvalidMediaError(
                    f"{name} is {width}x{height} = {width * height} pixels, over the limit of {max_pixels}"
                )
            probe.load()
            rgb = probe.convert("RGB")
    except InvalidMediaError:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError):
        raise InvalidMediaError(f"{name} is not a readable image (corrupt or unsupported format)") from None
    except (OSError, ValueError, SyntaxError):
        raise InvalidMediaError(f"{name} is truncated or corrupt and cannot be decoded") from None
    return np.asarray(rgb, dtype=np.uint8).copy()


def write_image(path: Path, image: npt.NDArray[np.uint8], *, quality: int = 95) -> None:
    """Write RGB pixels; JPEG at ``quality`` (the mark survives much lower), PNG etc. lossless."""
    from PIL import Image

    suffix = path.suffix.lower()
    if suffix not in IMAGE_SUFFIXES:
        raise InvalidMediaError(f"{path.name}: cannot write images of type {suffix or '(none)'}")
    options: dict[str, Any] = {"quality": quality} if suffix in (".jpg", ".jpeg", ".webp") else {}
    try:
        Image.fromarray(image, mode="RGB").save(path, **options)
    except OSError as exc:
        raise InvalidMediaError(f"cannot write {path}: {exc.strerror or exc}") from None
