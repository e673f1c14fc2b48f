"""``raikit watermark``: keygen, embed and detect invisible watermarks in images and videos.

Images and videos are told apart by the file extension. The key comes from ``--key`` or
``RAIKIT_WATERMARK_KEY`` (a key file written by ``keygen``); it is never printed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from raikit.watermark import Detection, WatermarkKey

DEFAULT_KEY = Path("~/.config/raikit/watermark.key")

key_option = click.option(
    "--key",
    "key_path",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar="RAIKIT_WATERMARK_KEY",
    default=DEFAULT_KEY,
    show_default=True,
    help="Key file (written by `raikit watermark keygen`); also RAIKIT_WATERMARK_KEY.",
)


@click.group()
def watermark() -> None:
    """Invisible, keyed watermarks for images and videos."""


@watermark.command()
@click.option(
    "-o",
    "--out",
    "out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=DEFAULT_KEY,
    show_default=True,
    help="Where to write the key (mode 0600).",
)
@click.option("--force", is_flag=True, help="Replace an existing key file.")
def keygen(out: Path, force: bool) -> None:
    """Write a new random 256-bit watermark key file."""
    from raikit.watermark import write_key

    key = write_key(out.expanduser(), overwrite=force)
    click.echo(f"wrote {out} (fingerprint {key.fingerprint})")


@watermark.command()
@click.argument("source", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("output", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--message", required=True, help="Text to carry (UTF-8, at most --payload-bytes bytes).")
@key_option
@click.option(
    "--psnr",
    default=None,
    type=click.FloatRange(20, 60),
    help="Strength as target PSNR in dB (lower is stronger) [default: 43 images, 41 video].",
)
@click.option("--payload-bytes", default=8, show_default=True, type=click.IntRange(1, 32))
@click.option("--max-pixels", default=100_000_000, show_default=True, type=click.IntRange(min=1))
def embed(
    source: Path,
    output: Path,
    message: str,
    key_path: Path,
    psnr: float | None,
    payload_bytes: int,
    max_pixels: int,
) -> None:
    """Mark SOURCE and write OUTPUT (image or video, chosen by extension)."""
    from raikit.watermark.media import media_kind

    kind = media_kind(source)
    if media_kind(output) != kind:
        raise click.BadParameter(f"{output.name} is not a {kind} file name", param_hint="OUTPUT")
    key = _key(key_path)
    data = message.encode("utf-8")
    if kind == "image":
        from raikit.watermark import ImageWatermarker
        from raikit.watermark.media import read_image, write_image

        marker = ImageWatermarker(key, psnr=psnr or 43.0, payload_bytes=payload_bytes, max_pixels=max_pixels)
        write_image(output, marker.embed(read_image(source, max_pixels), data))
        click.echo(f"marked {source} -> {output}")
        return
    from raikit.watermark import VideoWatermarker

    video = VideoWatermarker(key, psnr=psnr or 41.0, payload_bytes=payload_bytes, max_pixels=max_pixels)
    with _progress("embedding") as update:
        frames = video.embed_file(source, output, data, progress=update)
    click.echo(f"marked {frames} frames of {source} -> {output}")


@watermark.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@key_option
@click.option("--json", "as_json", is_flag=True, help="Print the JSON contract instead of a summary.")
@click.option("--payload-bytes", default=8, show_default=True, type=click.IntRange(1, 32))
@click.option("--max-pixels", default=100_000_000, show_default=True, type=click.IntRange(min=1))
@click.option(
    "--max-frames",
    default=48,
    show_default=True,
    type=click.IntRange(min=1),
    help="Video: frames examined, spread over the whole video.",
)
def detect(
    file: Path, key_path: Path, as_json: bool, payload_bytes: int, max_pixels: int, max_frames: int
) -> None:
    """Look for the mark in FILE (image or video)."""
    from raikit.watermark.media import media_kind

    kind = media_kind(file)
    key = _key(key_path)
    if kind == "image":
        from raikit.watermark import ImageWatermarker
        from raikit.watermark.media import read_image

        marker = ImageWatermarker(key, payload_bytes=payload_bytes, max_pixels=max_pixels)
        result = marker.detect(read_image(file, max_pixels))
    else:
        from raikit.watermark import VideoWatermarker

        video = VideoWatermarker(
            key, payload_bytes=payload_bytes, max_pixels=max_pixels, max_frames=max_frames
        )
        with _progress("reading frames") as update:
            result = video.detect_file(file, progress=update)
    click.echo(json.dumps(result.to_dict()) if as_json else _summary(file, result))


def _key(path: Path) -> WatermarkKey:
    from raikit.watermark import load_key

    return load_key(path.expanduser())


def _summary(file: Path, result: Detection) -> str:
    verdict = "watermark detected" if result.detected else "no watermark detected"
    message = result.to_dict()["message"]
    text = f"{file}: {verdict} (p-value {result.p_value:.3g}, confidence {result.confidence:.2f})"
    if message is not None:
        text += f", message {message!r}"
    if result.per_frame is not None:
        strong = sum(frame.p_value <= 1e-6 for frame in result.per_frame)
        text += f"; {strong}/{len(result.per_frame)} frames detected on their own"
    return text


class _progress:  # noqa: N801 - used as a context manager like a function
    """A rich progress bar on stderr, fed with (done, total) callbacks."""

    def __init__(self, label: str) -> None:
        from rich.console import Console
        from rich.progress import Progress

        self._bar = Progress(console=Console(stderr=True), transient=True)
        self._task = self._bar.add_task(label, total=None)

    def __enter__(self) -> _Update:
        self._bar.start()
        return _Update(self)

    def __exit__(self, *exc: object) -> None:
        self._bar.stop()

    def update(self, done: int, total: int | None) -> None:
        self._bar.update(self._task, completed=done, total=total)


class _Update:
    def __init__(self, owner: _progress) -> None:
        self._owner = owner

    def __call__(self, done: int, total: int | None) -> None:
        self._owner.update(done, total)
