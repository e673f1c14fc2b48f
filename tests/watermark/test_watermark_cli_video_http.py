"""The CLI contract (images and videos, bad input), a real H.264 round trip through ffmpeg, the HTTP
endpoint on a real uvicorn server, and C2PA signing and verification."""

from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import numpy as np
import pytest

from conftest import MESSAGE

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from serving import launch
from support import run_raikit

needs_ffmpeg = pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="ffmpeg is not installed")


raikit = functools.partial(run_raikit, timeout=300)


def one_line_error(result: subprocess.CompletedProcess[str], code: int) -> str:
    assert result.returncode == code, (result.returncode, result.stdout, result.stderr)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    return lines[0]


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory, photos: dict[str, np.ndarray]) -> Path:
    from PIL import Image

    folder = tmp_path_factory.mktemp("wmcli")
    Image.fromarray(photos["coffee"]).save(folder / "photo.png")
    result = raikit("watermark", "keygen", "-o", folder / "wm.key", cwd=folder)
    assert result.returncode == 0, result.stderr
    return folder


def write_clip(path: Path, frames: int = 12) -> None:
    import av
    import cv2
    from skimage import data

    base = cv2.resize(data.astronaut(), (800, 800))
    with av.open(str(path), "w") as output:
        stream = output.add_stream("libx264", rate=12)
        stream.width, stream.height, stream.pix_fmt = 640, 360, "yuv420p"
        stream.options = {"crf": "16", "preset": "veryfast"}
        for index in range(frames):
            frame = np.ascontiguousarray(base[index * 4 : index * 4 + 360, index * 6 : index * 6 + 640])
            for packet in stream.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")):
                output.mux(packet)
        for packet in stream.encode():
            output.mux(packet)


def test_cli_image_embed_detect_json_contract(workdir: Path) -> None:
    key = workdir / "wm.key"
    assert (key.stat().st_mode & 0o777) == 0o600
    secret = key.read_text().split()[-1]
    embed = raikit(
        "watermark",
        "embed",
        "photo.png",
        "marked.jpg",
        "--message",
        MESSAGE.decode(),
        "--key",
        key,
        cwd=workdir,
    )
    assert embed.returncode == 0, embed.stderr
    assert secret not in embed.stdout + embed.stderr
    found = raikit("watermark", "detect", "marked.jpg", "--json", "--key", key, cwd=workdir)
    assert found.returncode == 0, found.stderr
    body = json.loads(found.stdout)
    assert set(body) == {"detected", "confidence", "p_value", "message"}
    assert body["detected"] is True and body["message"] == MESSAGE.decode() and body["p_value"] <= 1e-6
    clean = json.loads(raikit("watermark", "detect", "photo.png", "--json", "--key", key, cwd=workdir).stdout)
    assert clean["detected"] is False and clean["message"] is None
    summary = raikit("watermark", "detect", "marked.jpg", "--key", key, cwd=workdir)
    assert "watermark detected" in summary.stdout and secret not in summary.stdout


def test_cli_bad_input_exits_2_with_one_line(workdir: Path) -> None:
    key = workdir / "wm.key"
    (workdir / "empty.png").write_bytes(b"")
    data = (workdir / "photo.png").read_bytes()
    (workdir / "truncated.png").write_bytes(data[: len(data) // 3])
    (workdir / "garbage.jpg").write_bytes(b"this is not a jpeg" * 20)
    (workdir / "notes.txt").write_text("hello")
    (workdir / "broken.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 50)
    cases = {
        "empty.png": "empty",
        "truncated.png": "truncated or corrupt",
        "notes.txt": "unsupported file type",
        "broken.mp4": "video",
    }
    for name, expected in cases.items():
        assert expected in one_line_error(raikit("watermark", "detect", name, "--key", key, cwd=workdir), 2)
    huge = raikit("watermark", "detect", "photo.png", "--key", key, "--max-pixels", "1000", cwd=workdir)
    assert "over the limit" in one_line_error(huge, 2)
    nokey = raikit("watermark", "detect", "photo.png", "--key", workdir / "nope.key", cwd=workdir)
    assert "does not exist" in one_line_error(nokey, 2)
    long = raikit(
        "watermark", "embed", "photo.png", "o.png", "--message", "x" * 40, "--key", key, cwd=workdir
    )
    assert "at most" in one_line_error(long, 2)


def test_media_errors_in_process(workdir: Path) -> None:
    """The same checks without a subprocess each: garbage, missing, huge."""
    from raikit.watermark import InvalidMediaError, VideoWatermarker
    from raikit.watermark.media import read_image

    (workdir / "garbage.jpg").write_bytes(b"this is not a jpeg" * 20)
    with pytest.raises(InvalidMediaError, match="not a readable image"):
        read_image(workdir / "garbage.jpg", 10**8)
    with pytest.raises(InvalidMediaError, match="does not exist"):
        read_image(workdir / "missing.png", 10**8)
    with pytest.raises(InvalidMediaError, match="over the limit"):
        read_image(workdir / "photo.png", 1000)
    (workdir / "junk.mp4").write_bytes(os.urandom(4096))
    with pytest.raises(InvalidMediaError):
        VideoWatermarker(b"0123456789abcdef0").detect_file(workdir / "junk.mp4")


@needs_ffmpeg
def test_video_h264_round_trip_file_api_and_cli(workdir: Path, key: bytes) -> None:
    from raikit.watermark import VideoWatermarker

    source, marked, recoded = workdir / "clip.mp4", workdir / "clip_marked.mp4", workdir / "clip_crf28.mp4"
    write_clip(source)
    marker = VideoWatermarker(key)
    seen: list[int] = []
    assert marker.embed_file(source, marked, MESSAGE, progress=lambda done, total: seen.append(done)) == 12
    assert seen[-1] == 12
    subprocess.run(
        [
            "ffmpeg",
            "-y",
            "-loglevel",
            "error",
            "-i",
            str(marked),
            "-c:v",
            "libx264",
            "-crf",
            "28",
            str(recoded),
        ],
        check=True,
    )
    found = marker.detect_file(recoded)
    assert found.detected and found.p_value <= 1e-6
    assert found.message == MESSAGE
    assert found.per_frame is not None and len(found.per_frame) == 12
    assert all(0.0 <= frame.p_value <= 1.0 for frame in found.per_frame)
    # The clip pans: the mark moves with the scene, so B-frames keep it through the re-encode.
    assert sum(frame.p_value <= 1e-6 for frame in found.per_frame) >= 11, [f.z for f in found.per_frame]
    assert not marker.detect_file(source).detected
    assert not VideoWatermarker(b"some other key, not ours").detect_file(recoded).detected
    cli = raikit("watermark", "detect", recoded, "--json", "--key", workdir / "wm.key", cwd=workdir)
    body = json.loads(cli.stdout)
    assert body["detected"] is False and len(body["per_frame"]) == 12  # marked with another key


@pytest.fixture(scope="module")
def server(workdir: Path) -> Iterator[str]:
    env = {
        **os.environ,
        "RAIKIT_WATERMARK_KEY": str(workdir / "wm.key"),
        "RAIKIT_WATERMARK_MAX_UPLOAD_BYTES": str(2_000_000),
    }
    proc, base, log_path = launch(["--no-warm-up"], workdir, env=env)
    yield base
    proc.terminate()
    proc.wait(timeout=10)
    secret = (workdir / "wm.key").read_text().split()[-1]
    assert secret not in log_path.read_text()


def test_http_detect_endpoint(server: str, workdir: Path) -> None:
    raikit(
        "watermark",
        "embed",
        "photo.png",
        "http_marked.png",
        "--message",
        "web1",
        "--key",
        workdir / "wm.key",
        cwd=workdir,
    )
    url = f"{server}/v1/watermark/detect"
    reply = httpx.post(
        url, files={"file": ("m.png", (workdir / "http_marked.png").read_bytes(), "image/png")}, timeout=120
    )
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert set(body) == {"detected", "confidence", "p_value", "message"}
    assert body["detected"] is True and body["message"] == "web1"
    clean = httpx.post(
        url, files={"file": ("c.png", (workdir / "photo.png").read_bytes())}, timeout=120
    ).json()
    assert clean["detected"] is False
    empty = httpx.post(url, files={"file": ("e.png", b"")}, timeout=60)
    assert empty.status_code == 422 and "empty" in empty.json()["error"]["message"]
    odd = httpx.post(url, files={"file": ("x.txt", b"hello")}, timeout=60)
    assert odd.status_code == 415 and odd.json()["error"]["type"] == "invalid_media"
    corrupt = httpx.post(url, files={"file": ("x.jpg", b"not an image at all" * 10)}, timeout=60)
    assert corrupt.status_code == 422
    big = httpx.post(url, files={"file": ("b.png", b"\0" * 2_100_000)}, timeout=60)
    assert big.status_code == 413 and "error" in big.json()
    guard = httpx.post(f"{server}/v1/guard/input", content=b"x" * 300_000, timeout=60)
    assert guard.status_code == 413  # the guard API keeps its own (smaller) limit


def test_c2pa_sign_verify_and_tamper(workdir: Path) -> None:
    chain_dir = workdir / "chain"
    assert raikit("provenance", "test-chain", chain_dir, cwd=workdir).returncode == 0
    raikit(
        "watermark",
        "embed",
        "photo.png",
        "gen.jpg",
        "--message",
        "c2pa",
        "--key",
        workdir / "wm.key",
        cwd=workdir,
    )
    signed = raikit(
        "provenance",
        "sign",
        "gen.jpg",
        "-o",
        "signed.jpg",
        "--cert",
        chain_dir / "chain.pem",
        "--key",
        chain_dir / "signer.key",
        "--generator",
        "raikit-test-gen",
        "--watermark-key",
        workdir / "wm.key",
        cwd=workdir,
    )
    assert signed.returncode == 0, signed.stderr
    untrusted = raikit("provenance", "verify", "signed.jpg", "--json", cwd=workdir)
    assert untrusted.returncode == 1 and json.loads(untrusted.stdout)["status"] == "untrusted"
    valid = raikit(
        "provenance", "verify", "signed.jpg", "--trust", chain_dir / "root.pem", "--json", cwd=workdir
    )
    body = json.loads(valid.stdout)
    assert valid.returncode == 0 and body["status"] == "valid"
    text = json.dumps(body["manifest"])
    assert "raikit-test-gen" in text and "trainedAlgorithmicMedia" in text and "raikit.watermark.v1" in text
    data = bytearray((workdir / "signed.jpg").read_bytes())
    data[-3000] ^= 0xFF
    (workdir / "tampered.jpg").write_bytes(bytes(data))
    tampered = raikit("provenance", "verify", "tampered.jpg", "--trust", chain_dir / "root.pem", cwd=workdir)
    assert tampered.returncode == 1 and "tampered" in tampered.stdout
    none = raikit("provenance", "verify", "gen.jpg", cwd=workdir)
    assert none.returncode == 1 and "no C2PA manifest" in none.stdout
    detect = raikit("watermark", "detect", "signed.jpg", "--json", "--key", workdir / "wm.key", cwd=workdir)
    assert json.loads(detect.stdout)["message"] == "c2pa"  # the manifest does not disturb the mark
