"""``POST /v1/watermark/detect``: multipart upload of an image or a video -> the detection contract
``{detected, confidence, p_value, message, per_frame?}``.

Mounted by :func:`raikit.server.app.create_app`. The service's key file comes from
``RAIKIT_WATERMARK_KEY``; uploads are limited by ``RAIKIT_WATERMARK_MAX_UPLOAD_BYTES`` (413 above it,
enforced by the app's body-size middleware before anything is read) and decoded images by
``RAIKIT_WATERMARK_MAX_PIXELS``. Bad input answers 4xx with a JSON error body: 415 for an unsupported
type, 422 for an empty, truncated or corrupt file or oversized dimensions; 503 when no key is set up.
FastAPI and python-multipart are imported only when the router is built. (No postponed annotations
here: FastAPI must see the real ``UploadFile`` type of the endpoint, which is imported locally.)
"""

import importlib.util
import os
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from raikit.watermark.errors import InvalidMediaError, WatermarkInputError

DETECT_PATH = "/v1/watermark/detect"
KEY_ENV = "RAIKIT_WATERMARK_KEY"
MAX_UPLOAD_ENV = "RAIKIT_WATERMARK_MAX_UPLOAD_BYTES"
MAX_PIXELS_ENV = "RAIKIT_WATERMARK_MAX_PIXELS"


@dataclass(frozen=True)
class WatermarkServiceSettings:
    key_path: Path | None = None
    max_upload_bytes: int = 64 * 1024 * 1024
    max_pixels: int = 40_000_000
    max_frames: int = 48

    @classmethod
    def from_env(cls) -> "WatermarkServiceSettings":
        key = os.environ.get(KEY_ENV)
        return cls(
            key_path=Path(key).expanduser() if key else None,
            max_upload_bytes=int(os.environ.get(MAX_UPLOAD_ENV, cls.max_upload_bytes)),
            max_pixels=int(os.environ.get(MAX_PIXELS_ENV, cls.max_pixels)),
        )


def upload_limits(settings: WatermarkServiceSettings | None = None) -> dict[str, int]:
    """Per-path body limits for :class:`raikit.server.limits.BodySizeLimit`."""
    return {DETECT_PATH: (settings or WatermarkServiceSettings.from_env()).max_upload_bytes}


class _Detectors:
    """The key and the watermarkers, loaded on first use (the app may run without a key)."""

    def __init__(self, settings: WatermarkServiceSettings) -> None:
        self.settings = settings
        self._lock = threading.Lock()
        self._made: tuple[Any, Any] | None = None

    def get(self) -> tuple[Any, Any]:
        from raikit.watermark import ImageWatermarker, VideoWatermarker, load_key

        with self._lock:
            if self._made is None:
                if self.settings.key_path is None:
                    raise _UnavailableError(f"no watermark key configured (set {KEY_ENV})")
                key = load_key(self.settings.key_path)
                self._made = (
                    ImageWatermarker(key, max_pixels=self.settings.max_pixels),
                    VideoWatermarker(
                        key, max_pixels=self.settings.max_pixels, max_frames=self.settings.max_frames
                    ),
                )
            return self._made


class _UnavailableError(Exception):
    pass


def watermark_router(settings: WatermarkServiceSettings | None = None, dependencies: Any = None) -> Any:
    from fastapi import APIRouter, File, UploadFile
    from fastapi.responses import JSONResponse
    from starlette.concurrency import run_in_threadpool

    detectors = _Detectors(settings or WatermarkServiceSettings.from_env())
    router = APIRouter(dependencies=list(dependencies or []))

    def error(status: int, kind: str, message: str) -> JSONResponse:
        return JSONResponse(status_code=status, content={"error": {"type": kind, "message": message}})

    if importlib.util.find_spec("python_multipart") is None:  # without it FastAPI cannot take uploads

        @router.post(DETECT_PATH, response_model=None)
        async def detect_unavailable() -> JSONResponse:
            return error(503, "watermark_unavailable", "install raikit[watermark] to enable uploads")

        return router

    @router.post(DETECT_PATH, response_model=None)
    async def detect_upload(file: UploadFile = File(...)) -> JSONResponse:  # noqa: B008 - FastAPI idiom
        """Detect the watermark in an uploaded image or video."""
        data = await file.read()
        name = Path(file.filename or "upload").name
        try:
            image_marker, video_marker = detectors.get()
            result = await run_in_threadpool(_detect, data, name, image_marker, video_marker)
        except _UnavailableError as exc:
            return error(503, "watermark_unavailable", str(exc))
        except WatermarkInputError as exc:
            unsupported = isinstance(exc, InvalidMediaError) and "unsupported file type" in str(exc)
            return error(415 if unsupported else 422, "invalid_media", " ".join(str(exc).split()))
        return JSONResponse(result)

    return router


def _detect(data: bytes, name: str, image_marker: Any, video_marker: Any) -> dict[str, Any]:
    from raikit.watermark.media import decode_image, media_kind

    if not data:
        raise InvalidMediaError(f"{name} is empty (0 bytes)")
    kind = media_kind(Path(name))
    if kind == "image":
        detection = image_marker.detect(decode_image(data, name, image_marker.max_pixels))
        return dict(detection.to_dict())
    with tempfile.TemporaryDirectory(prefix="raikit-wm-") as folder:
        path = Path(folder) / f"upload{Path(name).suffix.lower()}"
        path.write_bytes(data)
        return dict(video_marker.detect_file(path).to_dict())
