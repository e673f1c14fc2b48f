"""Invisible, keyed image and video watermarks with calibrated detection, and C2PA manifests.

```python
from raikit.watermark import ImageWatermarker, VideoWatermarker
wm = ImageWatermarker(key=b"...")        # or a WatermarkKey, or the path of a key file
marked = wm.embed(image, b"msg1")        # H x W x 3 uint8 RGB
det = wm.detect(marked)                  # det.detected, det.p_value, det.confidence, det.message
```

numpy, OpenCV, PyAV and c2pa-python come with the ``watermark`` extra and are imported lazily.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from raikit.watermark.detection import Detection, FrameScore
from raikit.watermark.errors import (
    InvalidImageError,
    InvalidMediaError,
    MessageTooLongError,
    ProvenanceError,
    WatermarkInputError,
)
from raikit.watermark.keys import WatermarkKey, WatermarkKeyError, load_key, write_key

if TYPE_CHECKING:
    from raikit.watermark.image import ImageWatermarker
    from raikit.watermark.video import VideoWatermarker

__all__ = [
    "Detection",
    "FrameScore",
    "ImageWatermarker",
    "InvalidImageError",
    "InvalidMediaError",
    "MessageTooLongError",
    "ProvenanceError",
    "VideoWatermarker",
    "WatermarkInputError",
    "WatermarkKey",
    "WatermarkKeyError",
    "load_key",
    "write_key",
]

_LAZY = {
    "ImageWatermarker": "raikit.watermark.image",
    "VideoWatermarker": "raikit.watermark.video",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)
