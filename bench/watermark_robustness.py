"""Watermark robustness, calibration, quality and speed; writes bench/results/watermark_robustness.json.

- Corpus: the images bundled with scikit-image (natural photos, textures, microscopy, astronomy,
  documents) plus two synthetic ones; every image is marked with a 4-byte message.
- The 37 attacks of ``raikit.watermark.attacks.suite()`` (each edit alone, and combinations), for
  raikit and for invisible-watermark's dwtDct, dwtDctSvd and rivaGan (32-bit payloads) in the same run.
  Per attack: TPR at FPR 1e-6 (raikit: its calibrated p-value <= 1e-6; invisible-watermark: >= 30 of
  32 bits right, a one-sided binomial p <= 1.2e-7), bit accuracy (raikit: the decoded padded payload
  block before the tag check), exact-message rate.
- PSNR / SSIM of the marked images; embed and detect CPU seconds per megapixel (one thread, after a
  warm-up call, median of 3).
- Calibration: >= 1,000 unmarked natural crops (random sizes, positions, flips, quarter turns) and
  synthetic images (noise of several spectra, gradients, stripes, checkerboards, shapes): observed
  false-positive rate against the claimed one at several thresholds, and marked images under a
  wrong key.
- Video: a 720p clip marked at crf 18, re-encoded with ffmpeg (H.264 crf 23/28/35, 480p, dropped
  frames, crop, flip): whole-video p-value and per-frame TPR at 1e-6; embedding frames per second.

Resumable: every finished unit is appended to ``--checkpoint`` (JSONL) and skipped on the next run;
``--fresh`` starts over. Usage: python bench/watermark_robustness.py [--calibration 1000] [--no-video]
[--methods raikit,dwtDct,dwtDctSvd,rivaGan] [--images N]
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse
import json
import math
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import cv2
import numpy as np
from rich.progress import Progress
from skimage import data as skdata
from skimage.metrics import peak_signal_noise_ratio, structural_similarity

from raikit.watermark import ImageWatermarker, VideoWatermarker, WatermarkKey
from raikit.watermark.attacks import suite
from raikit.watermark.payload import padded_block

cv2.setNumThreads(1)
RESULTS = Path(__file__).resolve().parent / "results"
KEY = WatermarkKey(b"raikit-bench-key-0123456789abcdef")
MESSAGE = b"rk01"
FPR_TARGET = 1e-6


# -- corpus -------------------------------------------------------------------------------------


def _rgb(image: np.ndarray) -> np.ndarray:
    if image.dtype == bool:
        image = image.astype(np.uint8) * 255
    if image.ndim == 2:
        image = np.repeat(image[..., None], 3, axis=2)
    image = image[..., :3]
    longest = max(image.shape[:2])
    if longest > 1024:
        scale = 1024 / longest
        image = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    return np.ascontiguousarray(image.astype(np.uint8))


def synthetic(kind: str, rng: np.random.Generator, height: int = 384, width: int = 512) -> np.ndarray:
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    if kind == "pink_noise":
        exponent = rng.uniform(0.5, 2.0)
        fy, fx = np.fft.fftfreq(height)[:, None], np.fft.rfftfreq(width)[None, :]
        radius = np.maximum(np.hypot(fy, fx), 1.0 / max(height, width))
        spectrum = (rng.normal(size=radius.shape) + 1j * rng.normal(size=radius.shape)) / radius**exponent
        field = np.fft.irfft2(spectrum, s=(height, width))
        gray = (field - field.mean()) / (field.std() + 1e-9) * rng.uniform(10, 60) + 128
    elif kind == "white_noise":
        gray = rng.normal(128, rng.uniform(2, 60), (height, width))
    elif kind == "gradient":
        angle = rng.uniform(0, np.pi)
        gray = 128 + 100 * np.sin((np.cos(angle) * xx + np.sin(angle) * yy) / rng.uniform(80, 600))
    elif kind == "stripes":
        period = rng.uniform(3, 80)
        angle = rng.uniform(0, np.pi)
        gray = 128 + 90 * np.sign(np.sin(2 * np.pi * (np.cos(angle) * xx + np.sin(angle) * yy) / period))
    elif kind == "checker":
        size = int(rng.integers(4, 64))
        gray = 60 + 130 * (((yy // size) + (xx // size)) % 2)
    else:  # shapes
        gray = np.full((height, width), rng.uniform(0, 255), np.float32)
        for _ in range(int(rng.integers(3, 30))):
            x0, y0 = int(rng.integers(0, width)), int(rng.integers(0, height))
            cv2.circle(gray, (x0, y0), int(rng.integers(5, 120)), float(rng.uniform(0, 255)), -1)
    gray = np.clip(gray, 0, 255).astype(np.uint8)
    tint = rng.uniform(0.7, 1.0, 3)
    return np.clip(gray[..., None] * tint, 0, 255).astype(np.uint8)


def corpus() -> dict[str, np.ndarray]:
    names = [
        "astronaut",
        "coffee",
        "chelsea",
        "rocket",
        "camera",
        "immunohistochemistry",
        "hubble_deep_field",
        "retina",
        "brick",
        "grass",
        "gravel",
        "moon",
        "coins",
        "clock",
        "page",
        "colorwheel",
        "logo",
        "horse",
    ]
    images = {name: _rgb(getattr(skdata, name)()) for name in names}
    rng = np.random.default_rng(7)
    images["synthetic_pink_noise"] = synthetic("pink_noise", rng)
    images["synthetic_shapes"] = synthetic("shapes", rng)
    return images


# -- methods ------------------------------------------------------------------------------------


class Raikit:
    name = "raikit"

    def __init__(self) -> None:
        self.marker = ImageWatermarker(KEY)
        self.truth = np.unpackbits(np.frombuffer(padded_block(MESSAGE, self.marker.payload_bytes), np.uint8))

    def embed(self, image: np.ndarray) -> np.ndarray:
        return self.marker.embed(image, MESSAGE)

    def detect(self, image: np.ndarray) -> dict[str, object]:
        result = self.marker.detect(image)
        raw = np.unpackbits(np.frombuffer(result.details["raw_block"], np.uint8))
        accuracy = float(np.mean(raw == self.truth)) if len(raw) == len(self.truth) else 0.5
        return {
            "detected": result.p_value <= FPR_TARGET,
            "p": result.p_value,
            "bits": accuracy,
            "exact": result.message == MESSAGE,
        }


class InvisibleWatermark:
    """invisible-watermark (pip install invisible-watermark), 32-bit payload, on BGR images."""

    def __init__(self, method: str) -> None:
        from imwatermark import WatermarkDecoder, WatermarkEncoder

        self.name = method
        self.encoder = WatermarkEncoder()
        self.encoder.set_watermark("bytes", MESSAGE)
        self.decoder = WatermarkDecoder("bytes", 32)
        if method == "rivaGan":
            WatermarkEncoder.loadModel()
        self.truth = np.unpackbits(np.frombuffer(MESSAGE, np.uint8))

    def embed(self, image: np.ndarray) -> np.ndarray:
        bgr = np.ascontiguousarray(image[..., ::-1])
        return np.ascontiguousarray(self.encoder.encode(bgr, self.name)[..., ::-1])

    def detect(self, image: np.ndarray) -> dict[str, object]:
        try:
            raw = self.decoder.decode(np.ascontiguousarray(image[..., ::-1]), self.name)
            bits = np.unpackbits(np.frombuffer(bytes(raw)[:4].ljust(4, b"\0"), np.uint8))
        except Exception:  # the library raises on sizes it cannot handle: count as not detected
            bits = 1 - self.truth
        right = int(np.sum(bits == self.truth))
        p = sum(math.comb(32, k) for k in range(right, 33)) / 2**32
        return {"detected": p <= FPR_TARGET, "p": p, "bits": right / 32, "exact": right == 32}


# -- checkpointing --------------------------------------------------------------------------------


class Checkpoint:
    def __init__(self, path: Path, fresh: bool) -> None:
        self.path = path
        if fresh and path.exists():
            path.unlink()
        self.done: dict[str, dict[str, object]] = {}
        if path.exists():
            for line in path.read_text().splitlines():
                try:
                    row = json.loads(line)
                except json.JSONDecodeError:  # a line cut short by a kill
                    continue
                self.done[row["unit"]] = row["value"]

    def get_or_run(self, unit: str, work: Callable[[], dict[str, object]]) -> dict[str, object]:
        if unit not in self.done:
            value = work()
            with self.path.open("a") as handle:
                handle.write(json.dumps({"unit": unit, "value": value}) + "\n")
            self.done[unit] = value
        return self.done[unit]


def cpu_timed(function: Callable[[], object]) -> tuple[object, float]:
    start = time.process_time()
    result = function()
    return result, time.process_time() - start


# -- parts of the run -------------------------------------------------------------------------------


def robustness(
    method: Raikit | InvisibleWatermark, images: dict[str, np.ndarray], check: Checkpoint, progress: Progress
) -> dict[str, object]:
    attacks = suite()
    task = progress.add_task(f"robustness {method.name}", total=len(images) * (len(attacks) + 1))
    per_attack: dict[str, list[dict[str, object]]] = {name: [] for name in attacks}
    quality = []
    for image_name, image in images.items():

        def embed_unit(image: np.ndarray = image, image_name: str = image_name) -> dict[str, object]:
            marked, seconds = cpu_timed(lambda: method.embed(image))
            assert isinstance(marked, np.ndarray)
            np.save(scratch(method.name, image_name), marked)
            return {
                "psnr": float(peak_signal_noise_ratio(image, marked, data_range=255)),
                "ssim": float(structural_similarity(image, marked, channel_axis=2, data_range=255)),
                "seconds": seconds,
                "megapixels": image.shape[0] * image.shape[1] / 1e6,
            }

        quality.append(check.get_or_run(f"embed/{method.name}/{image_name}", embed_unit))
        progress.advance(task)
        path = scratch(method.name, image_name)
        marked = np.load(path) if path.exists() else method.embed(image)
        for attack_name, attack in attacks.items():

            def detect_unit(
                attack: Callable[[np.ndarray], np.ndarray] = attack, marked: np.ndarray = marked
            ) -> dict[str, object]:
                attacked = attack(marked)
                found, seconds = cpu_timed(lambda: method.detect(attacked))
                assert isinstance(found, dict)
                return {
                    **found,
                    "seconds": seconds,
                    "megapixels": attacked.shape[0] * attacked.shape[1] / 1e6,
                }

            per_attack[attack_name].append(
                check.get_or_run(f"attack/{method.name}/{image_name}/{attack_name}", detect_unit)
            )
            progress.advance(task)
    table = {
        name: {
            "tpr_at_fpr_1e-6": float(np.mean([row["detected"] for row in rows])),
            "bit_accuracy": float(np.mean([row["bits"] for row in rows])),
            "exact_message_rate": float(np.mean([row["exact"] for row in rows])),
            "images": len(rows),
        }
        for name, rows in per_attack.items()
    }
    detect_rows = [row for rows in per_attack.values() for row in rows]
    return {
        "attacks": table,
        "attacks_with_tpr_at_least_0.95": sum(row["tpr_at_fpr_1e-6"] >= 0.95 for row in table.values()),
        "attacks_with_tpr_at_least_0.9": sum(row["tpr_at_fpr_1e-6"] >= 0.9 for row in table.values()),
        "quality": {
            "psnr_mean": float(np.mean([q["psnr"] for q in quality])),
            "psnr_min": float(np.min([q["psnr"] for q in quality])),
            "ssim_mean": float(np.mean([q["ssim"] for q in quality])),
            "ssim_min": float(np.min([q["ssim"] for q in quality])),
        },
        "speed_cpu_s_per_megapixel": {
            "embed_mean": float(np.mean([q["seconds"] / q["megapixels"] for q in quality])),
            "detect_mean": float(np.mean([r["seconds"] / r["megapixels"] for r in detect_rows])),
        },
        "per_image_quality": {name: q for name, q in zip(images, quality, strict=True)},
    }


def scratch(method: str, image: str) -> Path:
    folder = Path(tempfile.gettempdir()) / "raikit-wm-bench"
    folder.mkdir(exist_ok=True)
    return folder / f"{method}-{image}.npy"


def calibration_inputs(images: dict[str, np.ndarray], count: int) -> Iterator[tuple[str, np.ndarray]]:
    rng = np.random.default_rng(11)
    natural = [image for name, image in images.items() if not name.startswith("synthetic")]
    kinds = ["pink_noise", "white_noise", "gradient", "stripes", "checker", "shapes"]
    for index in range(count):
        if index % 3 == 2:
            kind = kinds[(index // 3) % len(kinds)]
            height, width = int(rng.integers(96, 512)), int(rng.integers(96, 640))
            yield f"synthetic_{kind}", synthetic(kind, rng, height, width)
            continue
        source = natural[int(rng.integers(len(natural)))]
        height, width = source.shape[:2]
        crop_h, crop_w = (
            int(rng.integers(min(64, height), height + 1)),
            int(rng.integers(min(64, width), width + 1)),
        )
        top, left = int(rng.integers(0, height - crop_h + 1)), int(rng.integers(0, width - crop_w + 1))
        crop = source[top : top + crop_h, left : left + crop_w]
        crop = np.rot90(crop, int(rng.integers(4)))
        if rng.random() < 0.5:
            crop = crop[:, ::-1]
        yield "natural_crop", np.ascontiguousarray(crop)


def calibration(
    images: dict[str, np.ndarray], count: int, check: Checkpoint, progress: Progress
) -> dict[str, object]:
    marker = ImageWatermarker(KEY)
    task = progress.add_task("calibration", total=count)
    p_values: list[float] = []
    kinds: dict[str, int] = {}
    for index, (kind, image) in enumerate(calibration_inputs(images, count)):
        if min(image.shape[:2]) < 16:
            progress.advance(task)
            continue
        row = check.get_or_run(
            f"calibration-v2/{index}", lambda image=image: {"p": marker.detect(image).p_value}
        )
        p_values.append(float(row["p"]))
        kinds[kind] = kinds.get(kind, 0) + 1
        progress.advance(task)
    values = np.array(p_values)
    thresholds = [0.5, 0.1, 0.05, 0.01, 1e-3, 1e-4, 1e-6]
    wrong_key = ImageWatermarker(WatermarkKey(b"another-key-that-is-not-the-right-one"))
    wrong = []
    for name in images:
        path = scratch("raikit", name)
        if path.exists():
            row = check.get_or_run(
                f"wrong_key/{name}", lambda path=path: {"p": wrong_key.detect(np.load(path)).p_value}
            )
            wrong.append(float(row["p"]))
    return {
        "unmarked_inputs": len(values),
        "by_kind": kinds,
        "observed_vs_claimed_fpr": {str(alpha): float(np.mean(values <= alpha)) for alpha in thresholds},
        "p_value_deciles": [float(q) for q in np.quantile(values, np.linspace(0.1, 0.9, 9))],
        "min_p_value": float(values.min()),
        "marked_images_under_a_wrong_key": {
            "images": len(wrong),
            "detected_at_1e-6": int(np.sum(np.array(wrong) <= 1e-6)),
            "min_p_value": float(min(wrong)) if wrong else None,
        },
    }


def speed(check: Checkpoint) -> dict[str, object]:
    marker = ImageWatermarker(KEY)
    out = {}
    for side in (1024, 1448):
        image = cv2.resize(skdata.astronaut(), (side, side), interpolation=cv2.INTER_CUBIC)

        def unit(image: np.ndarray = image, side: int = side) -> dict[str, object]:
            marker.detect(marker.embed(image, MESSAGE))  # warm-up: imports, FFT plans, the layout

            def median_of_3(function: Callable[[], object]) -> tuple[object, float]:
                runs = [cpu_timed(function) for _ in range(3)]
                return runs[0][0], float(np.median([seconds for _, seconds in runs]))

            marked, embed_s = median_of_3(lambda: marker.embed(image, MESSAGE))
            _, detect_s = median_of_3(lambda: marker.detect(marked))
            _, detect_unmarked_s = median_of_3(lambda: marker.detect(image))
            megapixels = side * side / 1e6
            return {
                "megapixels": megapixels,
                "embed_s_per_mp": embed_s / megapixels,
                "detect_marked_s_per_mp": detect_s / megapixels,
                "detect_unmarked_s_per_mp": detect_unmarked_s / megapixels,
            }

        out[f"{side}x{side}"] = check.get_or_run(f"speed/{side}", unit)
    return out


VIDEO_VARIANTS: dict[str, list[str]] = {
    "h264_crf23": ["-c:v", "libx264", "-crf", "23"],
    "h264_crf28": ["-c:v", "libx264", "-crf", "28"],
    "h264_crf35": ["-c:v", "libx264", "-crf", "35"],
    "480p_crf28": ["-vf", "scale=-2:480", "-c:v", "libx264", "-crf", "28"],
    "dropped_frames_crf28": [
        "-vf",
        "select='not(mod(n\\,3))',setpts=N/FRAME_RATE/TB",
        "-c:v",
        "libx264",
        "-crf",
        "28",
    ],
    "crop_75_crf28": ["-vf", "crop=iw*0.75:ih*0.75", "-c:v", "libx264", "-crf", "28"],
    "hflip_crf28": ["-vf", "hflip", "-c:v", "libx264", "-crf", "28"],
}


def make_clip(path: Path, frames: int = 48) -> list[np.ndarray]:
    import av

    base = cv2.resize(skdata.astronaut(), (1600, 1600), interpolation=cv2.INTER_CUBIC)
    clip = [np.ascontiguousarray(base[i * 5 : i * 5 + 720, i * 7 : i * 7 + 1280]) for i in range(frames)]
    with av.open(str(path), "w") as output:
        stream = output.add_stream("libx264", rate=24)
        stream.width, stream.height, stream.pix_fmt = 1280, 720, "yuv420p"
        stream.options = {"crf": "16", "preset": "veryfast"}
        for frame in clip:
            for packet in stream.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")):
                output.mux(packet)
        for packet in stream.encode():
            output.mux(packet)
    return clip


def video(check: Checkpoint, progress: Progress) -> dict[str, object]:
    marker = VideoWatermarker(KEY)
    folder = Path(tempfile.gettempdir()) / "raikit-wm-bench-video"
    folder.mkdir(exist_ok=True)
    source, marked = folder / "source.mp4", folder / "marked.mp4"
    task = progress.add_task("video", total=len(VIDEO_VARIANTS) + 2)

    def embed_unit() -> dict[str, object]:
        clip = make_clip(source)
        _, cpu = cpu_timed(lambda: list(marker.embed_frames(clip, MESSAGE)))
        start = time.perf_counter()
        count = marker.embed_file(source, marked, MESSAGE)
        wall = time.perf_counter() - start
        return {
            "frames": count,
            "resolution": "1280x720",
            "embed_fps_one_core_cpu": len(clip) / cpu,
            "embed_file_fps_wall_decode_mark_encode": count / wall,
        }

    embedding = check.get_or_run("video/embed", embed_unit)
    if not marked.exists():  # the checkpoint survived but the scratch files did not
        make_clip(source)
        marker.embed_file(source, marked, MESSAGE)
    progress.advance(task)
    rows: dict[str, object] = {}
    for name, args in VIDEO_VARIANTS.items():

        def unit(args: list[str] = args, name: str = name) -> dict[str, object]:
            target = folder / f"{name}.mp4"
            subprocess.run(
                ["ffmpeg", "-y", "-loglevel", "error", "-i", str(marked), *args, str(target)], check=True
            )
            found = marker.detect_file(target)
            frames = [frame.p_value for frame in found.per_frame or ()]
            return {
                "video_p_value": found.p_value,
                "detected": found.detected,
                "message_ok": found.message == MESSAGE,
                "frames_examined": len(frames),
                "per_frame_tpr_at_1e-6": float(np.mean(np.array(frames) <= 1e-6)),
                "per_frame_median_p": float(np.median(frames)),
            }

        rows[name] = check.get_or_run(f"video/{name}", unit)
        progress.advance(task)
    unmarked = check.get_or_run(
        "video/unmarked", lambda: {"video_p_value": marker.detect_file(source).p_value}
    )
    progress.advance(task)
    return {"embedding": embedding, "attacks": rows, "unmarked_source": unmarked}


def run_method(
    name: str, images: dict[str, np.ndarray], check: Checkpoint, progress: Progress, baseline_images: int
) -> dict[str, object]:
    try:
        method: Raikit | InvisibleWatermark = Raikit() if name == "raikit" else InvisibleWatermark(name)
    except Exception as exc:  # e.g. invisible-watermark or onnxruntime missing
        return {"error": f"{type(exc).__name__}: {exc}"}
    if name != "raikit":  # rivaGan costs seconds of CPU per call here: the baselines get a subset
        images = dict(list(images.items())[:baseline_images])
    return robustness(method, images, check, progress)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=RESULTS / "watermark_robustness.json")
    parser.add_argument("--checkpoint", type=Path, default=RESULTS / "watermark_robustness.partial.jsonl")
    parser.add_argument("--fresh", action="store_true", help="Ignore the checkpoint and start over.")
    parser.add_argument("--methods", default="raikit,dwtDct,dwtDctSvd,rivaGan")
    parser.add_argument("--images", type=int, default=0, help="Use only the first N corpus images.")
    parser.add_argument("--calibration", type=int, default=1000)
    parser.add_argument(
        "--baseline-images",
        type=int,
        default=8,
        help="Corpus images for the invisible-watermark baselines (rivaGan is slow).",
    )
    parser.add_argument("--no-video", action="store_true")
    parser.add_argument(
        "--parts",
        default="robustness,calibration,video,speed,baselines",
        help="Comma-separated parts to run (all by default); finished units come from the checkpoint.",
    )
    args = parser.parse_args()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    check = Checkpoint(args.checkpoint, args.fresh)
    images = corpus()
    if args.images:
        images = dict(list(images.items())[: args.images])
    report: dict[str, object] = {
        "machine": {
            "platform": platform.platform(),
            "python": sys.version.split()[0],
            "load_average": os.getloadavg(),
            "cpu_affinity": sorted(os.sched_getaffinity(0)),
        },
        "corpus": {name: list(image.shape) for name, image in images.items()},
        "attacks": list(suite()),
        "fpr_target": FPR_TARGET,
    }

    def save() -> None:  # after every part, so a killed run still leaves its finished parts
        args.out.write_text(json.dumps(report, indent=2) + "\n")

    methods: dict[str, object] = {}
    report["methods"] = methods
    names = args.methods.split(",")
    parts = set(args.parts.split(","))
    with Progress() as progress:
        if "robustness" in parts:
            for name in names[:1]:
                methods[name] = run_method(name, images, check, progress, args.baseline_images)
                save()
        if args.calibration and "calibration" in parts:
            report["calibration"] = calibration(images, args.calibration, check, progress)
            save()
        if not args.no_video and "video" in parts:
            report["video"] = video(check, progress)
            save()
        if "speed" in parts:
            report["speed_one_core"] = speed(check)
            save()
        if "baselines" in parts:
            for name in names[1:]:
                methods[name] = run_method(name, images, check, progress, args.baseline_images)
                save()
    summary = {
        name: value.get("attacks_with_tpr_at_least_0.95") if isinstance(value, dict) else value
        for name, value in methods.items()
    }
    print(json.dumps({"attacks_with_tpr_at_least_0.95": summary, "out": str(args.out)}))


if __name__ == "__main__":
    main()
