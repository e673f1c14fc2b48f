"""Shared fixtures: a fixed key, two natural test images (scikit-image's bundled photos), marked."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("cv2")
pytest.importorskip("skimage")

MESSAGE = b"rk-7"


@pytest.fixture(scope="session")
def key() -> bytes:
    return b"raikit-test-watermark-key-0123456789"


@pytest.fixture(scope="session")
def photos() -> dict[str, np.ndarray]:
    import cv2
    from skimage import data

    return {
        "coffee": np.ascontiguousarray(data.coffee()),  # 400 x 600
        "camera": np.ascontiguousarray(
            np.repeat(cv2.resize(data.camera(), (384, 384))[..., None], 3, axis=2)
        ),
    }


@pytest.fixture(scope="session")
def marked(key: bytes, photos: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    from raikit.watermark import ImageWatermarker

    marker = ImageWatermarker(key)
    return {name: marker.embed(image, MESSAGE) for name, image in photos.items()}
