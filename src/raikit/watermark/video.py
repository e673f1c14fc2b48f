"""``VideoWatermarker``: the image mark in every frame, and detection that pools the frames.

Every frame carries the same tile (same key, same payload), moved with the scene's global motion
(:mod:`raikit.watermark.motion`: H.264's motion compensation keeps such a mark in P- and B-frames).
Detection measures the same motion on the decoded frames, shifts each frame back by it, and then
registers the frames together: their autocorrelations are averaged to find the lattice, their folded
tiles averaged before the sync correlation and the payload decoding. The null distribution of that
statistic does not depend on how similar the frames are (it comes from the key), so the video's
p-value stays calibrated even for a still scene, which a per-frame Fisher/Stouffer combination would not.
Per-frame scores are reported alongside: each frame's own sync z at the video's registration
(lattice, orientation, shift and polarity), a single one-sided test per frame; these p-values are
conditional on that registration, which all frames helped to choose.

Files go through PyAV: H.264 (libx264, yuv420p) out, audio not copied. The output is written to a
temporary name and renamed when complete, so an interrupted job never leaves a half-written file.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from raikit.watermark import detection as stats
from raikit.watermark.detection import Detection, FrameScore
from raikit.watermark.errors import InvalidMediaError
from raikit.watermark.image import TILE, ImageWatermarker, check_image, prepare, working_nyquist
from raikit.watermark.keys import WatermarkKey
from raikit.watermark.media import check_file
from raikit.watermark.motion import MotionTracker, shift_channels
from raikit.watermark.search import score_at

Frame = npt.NDArray[np.uint8]
RECALIBRATE = 12
Progress = Callable[[int, int | None], None]


class VideoWatermarker:
    """Keyed invisible watermark for videos (files or frame arrays); options as ``ImageWatermarker``."""

    def __init__(
        self,
        key: WatermarkKey | bytes | str,
        *,
        psnr: float = 41.0,
        payload_bytes: int = 8,
        threshold: float = stats.DEFAULT_THRESHOLD,
        max_pixels: int = 8_294_400,
        max_frames: int = 48,
        crf: int = 18,
        preset: str = "veryfast",
    ) -> None:
        self.image = ImageWatermarker(
            key, psnr=psnr, payload_bytes=payload_bytes, threshold=threshold, max_pixels=max_pixels
        )
        self.max_frames = max_frames
        self.crf = crf
        self.preset = preset

    def __repr__(self) -> str:
        return f"VideoWatermarker(image={self.image!r}, max_frames={self.max_frames})"

    # -- frames ----------------------------------------------------------------------------------

    def embed_frames(self, frames: Iterable[Frame], message: bytes) -> Iterator[Frame]:
        """Mark each frame: the same tile for all, moved with the scene (see
        :mod:`raikit.watermark.motion`); the texture mask is per frame. The gain that meets the
        PSNR and SSIM targets is found on the first frame of each shot and every ``RECALIBRATE``
        frames, and reused in between (finding it costs several passes)."""
        tile = self.image.tile(message)
        tracker = MotionTracker()
        gain: float | None = None
        for index, frame in enumerate(frames):
            check_image(frame, self.image.max_pixels)
            offset = tracker.update(frame)
            if tracker.new_shot or index % RECALIBRATE == 0:
                gain = None
            pattern = self.image.pattern(tile, *frame.shape[:2], offset=offset)
            marked, gain = self.image.mark(frame, pattern, gain=gain)
            yield marked

    def detect_frames(self, frames: Iterable[Frame], *, indices: Iterable[int] | None = None) -> Detection:
        """Register the frames on the scene's motion, then pool them (see the module docstring)."""
        prepared: list[npt.NDArray[np.float32]] = []
        shape: tuple[int, int] | None = None
        tracker = MotionTracker()
        for frame in frames:
            check_image(frame, self.image.max_pixels)
            shape = shape or (frame.shape[0], frame.shape[1])
            rows, cols = tracker.update(frame)
            channels = prepare(frame)
            scale = channels.shape[-2] / frame.shape[0]
            prepared.append(shift_channels(channels, -rows * scale, -cols * scale))
        if not prepared or shape is None:
            raise InvalidMediaError("the video has no frames to examine")
        return self._pooled(prepared, shape, list(indices) if indices is not None else None)

    def _pooled(
        self, prepared: list[npt.NDArray[np.float32]], shape: tuple[int, int], indices: list[int] | None
    ) -> Detection:
        image = self.image
        canonical = (float(TILE), image.canonical_period(*shape))
        nyquist = working_nyquist(*shape)
        candidates = image.candidates(prepared, canonical=canonical, max_frequency=nyquist)
        pooled = image.decide(candidates)
        reference = candidates[0]
        per_frame: list[FrameScore] = []
        for position, frame in enumerate(prepared):
            z = score_at(image.layout, frame, reference, nyquist)
            index = indices[position] if indices is not None else position
            per_frame.append(FrameScore(index, stats.normal_sf(z), z, None))
        details = dict(pooled.details, frames=len(prepared))
        return Detection(
            detected=pooled.detected,
            p_value=pooled.p_value,
            confidence=pooled.confidence,
            message=pooled.message,
            z=pooled.z,
            inverted=pooled.inverted,
            details=details,
            per_frame=tuple(per_frame),
        )

    # -- files -----------------------------------------------------------------------------------

    def embed_file(
        self,
        src: str | os.PathLike[str],
        dst: str | os.PathLike[str],
        message: bytes,
        *,
        progress: Progress | None = None,
    ) -> int:
        """Mark every frame of ``src`` and write H.264 to ``dst``; returns the number of frames."""
        import av

        source, target = Path(src), Path(dst)
        check_file(source)
        partial = target.with_name(f".{target.name}.partial{target.suffix}")
        count = 0
        try:
            with _open_input(source) as container:
                stream = container.streams.video[0]
                stream.thread_type = "AUTO"
                total = stream.frames or None
                rate = stream.average_rate or 25
                with av.open(str(partial), "w") as output:
                    encoder: Any = None
                    for frame in self.embed_frames(_decode(container, stream, source), message):
                        if encoder is None:
                            encoder = _encoder(output, rate, frame.shape, self.crf, self.preset)
                        video_frame = av.VideoFrame.from_ndarray(_even(frame), format="rgb24")
                        for packet in encoder.encode(video_frame):
                            output.mux(packet)
                        count += 1
                        if progress is not None:
                            progress(count, total)
                    if encoder is None:
                        raise InvalidMediaError(f"{source.name} has no decodable video frames")
                    for packet in encoder.encode():
                        output.mux(packet)
            partial.replace(target)
        finally:
            with contextlib.suppress(FileNotFoundError):
                partial.unlink()
        return count

    def detect_file(self, path: str | os.PathLike[str], *, progress: Progress | None = None) -> Detection:
        """Pool up to ``max_frames`` frames spread over the video; per-frame scores included."""
        source = Path(path)
        check_file(source)
        with _open_input(source) as container:
            stream = container.streams.video[0]
            stream.thread_type = "AUTO"
            total = stream.frames or None
            stride = max(1, -(-total // self.max_frames)) if total else 1
            kept: list[Frame] = []
            indices: list[int] = []
            for index, frame in enumerate(_decode(container, stream, source)):
                if progress is not None:
                    progress(index + 1, total)
                if index % stride:
                    continue
                kept.append(frame)
                indices.append(index)
                if len(kept) >= self.max_frames:
                    break
        return self.detect_frames(kept, indices=indices)


def _open_input(path: Path) -> Any:
    import av

    try:
        container = av.open(str(path))
    except (av.FFmpegError, OSError, UnicodeDecodeError):
        raise InvalidMediaError(
            f"{path.name} is not a readable video (corrupt or unsupported format)"
        ) from None
    if not container.streams.video:
        container.close()
        raise InvalidMediaError(f"{path.name} has no video stream")
    return container


def _decode(container: Any, stream: Any, path: Path) -> Iterator[Frame]:
    import av

    try:
        for frame in container.decode(stream):
            yield frame.to_ndarray(format="rgb24")
    except (av.FFmpegError, OSError):
        raise InvalidMediaError(f"{path.name} is truncated or corrupt and cannot be decoded") from None


def _encoder(output: Any, rate: Any, shape: tuple[int, ...], crf: int, preset: str) -> Any:
    stream = output.add_stream("libx264", rate=rate)
    stream.width, stream.height = shape[1] - shape[1] % 2, shape[0] - shape[0] % 2
    stream.pix_fmt = "yuv420p"
    stream.options = {"crf": str(crf), "preset": preset}
    return stream


def _even(frame: Frame) -> Frame:
    """yuv420p needs even dimensions: drop a last odd row/column."""
    height, width = frame.shape[0] - frame.shape[0] % 2, frame.shape[1] - frame.shape[1] % 2
    return np.ascontiguousarray(frame[:height, :width])
