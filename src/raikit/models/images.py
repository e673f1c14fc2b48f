"""Pictures for targets that take them: target options, size limits and re-encoding.

The ``openai:`` and ``bedrock:`` adapters accept images when their target string says the model
does (``#vision=true``); they then implement
:class:`raikit.redteam.delivery.ImageCapableTarget` through :class:`ImageInputTarget`. Without
the option a target stays text-only, so image attacks are skipped with a reason instead of
failing with an HTTP 400 from a text-only model.

Options, the same for every adapter:

* ``vision=true|false`` (default false): the model takes images.
* ``image_max_side=N`` (default 2048): a picture whose longer side exceeds N pixels is
  downscaled to N (aspect ratio kept).
* ``image_format=png|jpeg`` (default png): the encoding sent. PNG is lossless, so a picture that
  needs no downscaling reaches the model pixel for pixel (payloads hidden in the low bits
  survive); JPEG is smaller but lossy.
* ``image_max_bytes=N`` (default 3750000, Bedrock's per-image limit; the OpenAI API allows
  20 MB): an encoding above N bytes is downscaled until it fits.

Pillow is imported only when a picture is prepared (``pip install 'raikit[redteam-vision]'``).
"""

from __future__ import annotations

import base64
import hashlib
import io
from abc import abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from raikit.core.types import Completion, Message
from raikit.models.base import BaseTarget, PromptLike
from raikit.models.config import GenerateConfig
from raikit.models.errors import TargetConfigError, TargetError, TargetResponseError
from raikit.models.registry import require_extra

ImageFormat = Literal["png", "jpeg"]
IMAGE_OPTIONS = frozenset({"vision", "image_max_side", "image_format", "image_max_bytes"})
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}
_SHRINK_TRIES = 12


class UnusableImageError(TargetError):
    """A picture given to a target cannot be decoded, or cannot be made small enough."""


@dataclass(frozen=True)
class ImageSettings:
    """How a vision target prepares pictures before sending them."""

    max_side: int = 2048
    format: ImageFormat = "png"
    max_bytes: int = 3_750_000
    jpeg_quality: int = 90


@dataclass(frozen=True)
class PreparedImage:
    """One picture as it goes on the wire."""

    data: bytes
    format: ImageFormat
    width: int
    height: int
    original_width: int
    original_height: int

    @property
    def media_type(self) -> str:
        return f"image/{self.format}"

    def data_url(self) -> str:
        return f"data:{self.media_type};base64,{base64.b64encode(self.data).decode('ascii')}"

    def describe(self) -> dict[str, Any]:
        """What was sent, for logs and stored attempts (the bytes themselves are not kept)."""
        return {
            "media_type": self.media_type,
            "width": self.width,
            "height": self.height,
            "original_width": self.original_width,
            "original_height": self.original_height,
            "bytes": len(self.data),
            "sha256": hashlib.sha256(self.data).hexdigest(),
        }


def _flag(scheme: str, key: str, value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise TargetConfigError(f"{scheme}: {key} must be true or false, got {value!r}")


def _positive(scheme: str, key: str, value: str, minimum: int) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < minimum:
        raise TargetConfigError(f"{scheme}: {key} must be an integer of at least {minimum}, got {value!r}")
    return number


def image_settings(scheme: str, options: Mapping[str, str]) -> ImageSettings | None:
    """The image settings a target string's options ask for; None for a text-only target."""
    vision = _flag(scheme, "vision", options.get("vision", "false"))
    tuning = sorted(k for k in options if k in IMAGE_OPTIONS and k != "vision")
    if not vision:
        if tuning:
            raise TargetConfigError(f"{scheme}: {', '.join(tuning)} need(s) vision=true")
        return None
    require_extra("PIL", scheme=scheme, extra="redteam-vision")
    fmt = options.get("image_format", "png").strip().lower()
    if fmt == "jpg":
        fmt = "jpeg"
    if fmt not in ("png", "jpeg"):
        raise TargetConfigError(f"{scheme}: image_format must be png or jpeg, got {fmt!r}")
    return ImageSettings(
        max_side=_positive(scheme, "image_max_side", options.get("image_max_side", "2048"), 16),
        format="png" if fmt == "png" else "jpeg",
        max_bytes=_positive(scheme, "image_max_bytes", options.get("image_max_bytes", "3750000"), 1024),
    )


def _encode(picture: Any, fmt: ImageFormat, quality: int) -> bytes:
    buffer = io.BytesIO()
    if fmt == "jpeg":
        if picture.mode != "RGB":
            picture = picture.convert("RGB")
        picture.save(buffer, format="JPEG", quality=quality, optimize=True)
    else:
        picture.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def prepare_image(data: bytes, settings: ImageSettings, *, index: int = 0) -> PreparedImage:
    """Decode ``data``, downscale it to the settings' limits and encode it in their format.

    A PNG that is already within the limits and is to be sent as PNG goes out byte for byte.
    """
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as opened:
            source_format = opened.format
            opened.load()
            picture = opened.copy()
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise UnusableImageError(f"image {index} cannot be decoded: {exc}") from exc
    width, height = picture.size
    fits = max(width, height) <= settings.max_side and len(data) <= settings.max_bytes
    if fits and source_format == "PNG" and settings.format == "png":
        return PreparedImage(data, "png", width, height, width, height)
    if picture.mode not in ("RGB", "RGBA", "L", "LA"):
        picture = picture.convert("RGBA" if "A" in picture.getbands() else "RGB")
    side = min(settings.max_side, max(width, height))
    for _ in range(_SHRINK_TRIES):
        scale = side / max(width, height)
        size = (max(1, round(width * scale)), max(1, round(height * scale)))
        resized = picture if size == picture.size else picture.resize(size, Image.Resampling.LANCZOS)
        encoded = _encode(resized, settings.format, settings.jpeg_quality)
        if len(encoded) <= settings.max_bytes:
            return PreparedImage(encoded, settings.format, size[0], size[1], width, height)
        side = max(1, int(side * min(0.9, (settings.max_bytes / len(encoded)) ** 0.5)))
    raise UnusableImageError(
        f"image {index} ({width}x{height}) stays above image_max_bytes={settings.max_bytes} "
        f"even at {size[0]}x{size[1]}"
    )


CompleteWithImages = Callable[[list[Message], GenerateConfig, Sequence[PreparedImage]], Completion]


class ImageInputTarget(BaseTarget):
    """A target adapter that sends pictures when its settings say the model takes them.

    Subclasses implement :meth:`_complete_with_images`; ``generate_with_images`` gives it the
    retries of :meth:`generate`, prepares the pictures once, adds what was sent to the
    completion's ``metadata["images"]`` and explains a refusal by the server.
    """

    def __init__(self, name: str, *, images: ImageSettings | None = None) -> None:
        super().__init__(name)
        self.image_settings = images
        self.accepts_images = images is not None

    @abstractmethod
    def _complete_with_images(
        self, messages: list[Message], config: GenerateConfig, images: Sequence[PreparedImage]
    ) -> Completion:
        """One request whose last user message carries ``images``; no retries."""

    def generate_with_images(
        self, prompt: PromptLike, images: Sequence[bytes], config: GenerateConfig | None = None
    ) -> Completion:
        """Answer the conversation; ``images`` (encoded pictures) belong to its last user message."""
        if self.image_settings is None:
            raise TargetConfigError(
                f"{self.name} is text-only: add vision=true to the target's options if the model takes images"
            )
        settings = self.image_settings
        prepared = [prepare_image(data, settings, index=i) for i, data in enumerate(images)]

        def complete(messages: list[Message], cfg: GenerateConfig) -> Completion:
            return self._complete_with_images(messages, cfg, prepared)

        try:
            completion = self._generate_with(complete, prompt, config)
        except TargetResponseError as exc:
            sent = ", ".join(f"{p.format} {p.width}x{p.height}" for p in prepared)
            raise TargetResponseError(
                f"{exc} [the request carried {len(prepared)} image(s): {sent}; "
                "a model that does not take images must not be given vision=true]"
            ) from exc
        described = [p.describe() for p in prepared]
        return completion.model_copy(update={"metadata": {**completion.metadata, "images": described}})


def last_user_index(messages: Sequence[Message]) -> int | None:
    """Where pictures go: the last user message (None when there is none)."""
    for index in range(len(messages) - 1, -1, -1):
        if messages[index].role == "user":
            return index
    return None
