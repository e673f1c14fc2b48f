"""Geometric synchronisation: find the tile lattice (rotation modulo 90 degrees and period), undo it,
and fold the image into one tile.

The watermark is periodic, so the autocorrelation of the (whitened) image has peaks on the tile
lattice whatever was done to it: rotation turns the lattice, scaling stretches it, cropping only
moves its origin and flips map a square lattice onto itself. We score every (angle, period)
hypothesis by the autocorrelation at the lattice vectors, sampled on a polar grid, refine the best
few, then resample the image so that the lattice becomes the canonical N x N grid. The remaining
ambiguity (which of the 8 rotations/flips, which circular shift, which sign) is settled by the
sync correlation in :mod:`raikit.watermark.template`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
Float32Array = npt.NDArray[np.float32]

WORK_SIDE = 256
"""Short side of the working image the detector resamples every input to."""
MIN_PERIOD = 30.0
MAX_PERIOD = 170.0
_ANGLE_STEP = 0.5
_LOG_STEP = 0.01


@dataclass(frozen=True)
class Lattice:
    angle_deg: float  # modulo 90
    period: float  # pixels of the working image
    score: float


def to_work(luma: Float32Array, max_long: int = 1024) -> Float32Array:
    """Resample so that the short side is ``WORK_SIDE`` (the long side capped at ``max_long``)."""
    import cv2

    height, width = luma.shape
    scale = min(WORK_SIDE / min(height, width), max_long / max(height, width))
    size = (max(8, round(width * scale)), max(8, round(height * scale)))
    interp = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
    return np.asarray(cv2.resize(luma, size, interpolation=interp), dtype=np.float32)


def highpass(image: Float32Array, sigma: float = 6.0, activity_sigma: float = 4.0) -> Float32Array:
    """Remove the low frequencies, where the host dwarfs the watermark, and divide by the local
    activity, so busy regions (strong host, masked mark) do not drown the quiet ones."""
    import cv2

    residual = image - cv2.GaussianBlur(image, (0, 0), sigma)
    activity = np.sqrt(cv2.GaussianBlur(residual * residual, (0, 0), activity_sigma))
    floor = max(float(np.median(activity)) * 0.25, 0.5)
    normalised = residual / (activity + floor)
    return np.asarray(normalised, dtype=np.float32)


def _autocorrelation(image: Float32Array) -> Float32Array:
    """Whitened autocorrelation (centred), normalised to 1 at lag 0."""
    import cv2

    height, width = image.shape
    height, width = 2 * height, 2 * width  # zero-padded: linear, not circular, correlation
    spectrum = np.fft.rfft2(image - image.mean(), s=(height, width))
    power = np.abs(spectrum) ** 2
    fy = np.fft.fftfreq(height)[:, None]
    fx = np.fft.rfftfreq(width)[None, :]
    radius = np.sqrt(fy**2 + fx**2)
    # Divide by the locally smoothed power: lattice peaks stand out, broad host structure does not.
    smooth = cv2.blur(np.fft.fftshift(power, axes=0).astype(np.float32), (15, 15))
    white = power / np.maximum(np.fft.ifftshift(smooth, axes=0), 1e-20)
    white = np.minimum(white, 12.0)
    white[(radius < 0.03) | (radius > 0.42)] = 0.0
    white -= white[(radius >= 0.03) & (radius <= 0.42)].mean() * ((radius >= 0.03) & (radius <= 0.42))
    acf = np.fft.irfft2(white, s=(height, width))
    acf = np.fft.fftshift(acf) / max(float(np.std(acf)), 1e-20)
    return np.asarray(cv2.GaussianBlur(acf.astype(np.float32), (0, 0), 0.8), dtype=np.float32)


def _sample(acf: Float32Array, xs: FloatArray, ys: FloatArray) -> FloatArray:
    import cv2

    height, width = acf.shape
    map_x = (xs + width // 2).astype(np.float32)
    map_y = (ys + height // 2).astype(np.float32)
    out = cv2.remap(acf, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=0.0)
    return np.asarray(out, dtype=np.float64)


_VECTORS = ((1, 0, 1.0), (0, 1, 1.0), (1, 1, 0.7), (1, -1, 0.7), (2, 0, 0.5), (0, 2, 0.5))


def _lattice_score(acf: Float32Array, angles: FloatArray, periods: FloatArray) -> FloatArray:
    """Score of each (angle, period) pair (broadcast shapes) from the ACF at lattice vectors."""
    theta = np.deg2rad(angles)
    cos, sin = np.cos(theta), np.sin(theta)
    total = np.zeros(np.broadcast(angles, periods).shape)
    for a, b, weight in _VECTORS:
        xs = periods * (a * cos - b * sin)
        ys = periods * (a * sin + b * cos)
        total = total + weight * _sample(
            acf, np.broadcast_to(xs, total.shape), np.broadcast_to(ys, total.shape)
        )
    return total


def find_lattices(
    images: list[Float32Array], canonical: tuple[float, ...] = (64.0,), *, angles: int = 3
) -> list[Lattice]:
    """Hypotheses for the tile lattice of working images (video frames and channels share one),
    the canonical ones first.

    First the canonical lattices (no rotation, the periods an unrotated, uncropped image has at the
    working size: every edit that keeps the geometry up to flips, quarter turns and uniform
    scaling lands there); then the two best axis-aligned lattices of other periods (crops); then,
    for the ``angles`` most lattice-like angles of the autocorrelation, their best period and the
    periods a rotation of the whole image implies. A square lattice's diagonals form a lattice too
    (turned by 45 degrees, sqrt(2) coarser) whose autocorrelation peaks are just as strong, so each
    angle also proposes the finer lattice it may be the diagonal of. Near duplicates are dropped.
    """
    acf = np.asarray(np.mean([_autocorrelation(image) for image in images], axis=0), dtype=np.float32)
    limit = min(MAX_PERIOD, min(images[0].shape) * 0.75)
    periods = np.exp(np.arange(np.log(MIN_PERIOD), np.log(max(limit, MIN_PERIOD * 1.05)), _LOG_STEP))
    lattices = [Lattice(0.0, period, float("inf")) for period in dict.fromkeys(canonical)]
    aligned = _lattice_score(acf, np.zeros((1, 1)), periods[None, :])[0]
    far = np.min(np.abs(np.log(periods[:, None] / np.array(canonical)[None, :])), axis=1) > 0.03
    for j in _peaks(np.where(far, aligned, -np.inf), 2, 6):
        lattices.append(_refine(acf, 0.0, float(periods[j]), float(aligned[j])))
    grid = np.arange(_ANGLE_STEP, 90.0, _ANGLE_STEP)
    scores = _lattice_score(acf, grid[:, None], periods[None, :])
    # Normalise each period column (large lags are noisier: fewer overlapping pixels).
    standard = (scores - np.median(scores, axis=0, keepdims=True)) / np.maximum(
        scores.std(axis=0, keepdims=True), 1e-12
    )
    per_angle = standard.max(axis=1)
    for i in _peaks(per_angle, angles, 6, circular=True):
        angle, score = float(grid[i]), float(per_angle[i])
        best = _refine(acf, angle, float(periods[_fundamental(standard[i])]), score)
        finer = (best.angle_deg + 45.0) % 90.0
        lattices.append(best)
        lattices.extend(Lattice(angle, period, score) for period in _rotation_periods(images[0].shape, angle))
        if best.period / np.sqrt(2.0) >= MIN_PERIOD:
            lattices.append(Lattice(finer, best.period / np.sqrt(2.0), score))
        lattices.extend(Lattice(finer, period, score) for period in _rotation_periods(images[0].shape, finer))
    return _distinct(lattices)


def _fundamental(scores: FloatArray, share: float = 0.75) -> int:
    """Index of the smallest period (periods ascend) whose score is a peak within ``share`` of the
    best: a lattice of period P also scores at 2P, 3P, ... (its sublattices), but not at P / 2."""
    best = float(np.max(scores))
    strong = [j for j in _peaks(scores, 6, 6) if scores[j] >= share * best]
    return min(strong) if strong and best > 0 else int(np.argmax(scores))


def _distinct(lattices: list[Lattice]) -> list[Lattice]:
    """Drop lattices within 0.3 degrees and 1% of the period of an earlier one."""
    kept: list[Lattice] = []
    for lattice in lattices:
        turn = [abs(lattice.angle_deg - other.angle_deg) for other in kept]
        if not any(
            min(angle, 90.0 - angle) < 0.3 and abs(np.log(lattice.period / other.period)) < 0.01
            for angle, other in zip(turn, kept, strict=True)
        ):
            kept.append(lattice)
    return kept


def _rotation_periods(shape: tuple[int, ...], angle: float) -> list[float]:
    """Periods the lattice has if an image was rotated by ``angle`` (mod 90) with its canvas grown to
    fit, or cut to the largest inscribed rectangle: solve for the original size, a quarter of whose
    short side is the period."""
    height, width = float(shape[0]), float(shape[1])
    cos, sin = abs(np.cos(np.deg2rad(angle))), abs(np.sin(np.deg2rad(angle)))
    out: list[float] = []
    for grow in (True, False):
        matrix = np.array([[cos, sin], [sin, cos]]) if grow else np.array([[cos, -sin], [-sin, cos]])
        target = np.array([width, height]) * (1.0 if grow else cos * cos - sin * sin)
        if abs(cos * cos - sin * sin) < 0.08:  # near 45 degrees: assume a square original
            side = (min(width, height) / (cos + sin)) if grow else min(width, height) * (cos + sin)
            original = np.array([side, side])
        else:
            original = np.linalg.solve(matrix, target)
        period = float(np.min(original)) / 4.0
        if MIN_PERIOD <= period <= MAX_PERIOD:
            out.append(period)
    return out


def _peaks(values: FloatArray, count: int, radius: int, *, circular: bool = False) -> list[int]:
    """Indices of the ``count`` largest values at least ``radius`` apart."""
    work = np.asarray(values, dtype=np.float64).copy()
    index = np.arange(len(work))
    found: list[int] = []
    while len(found) < count and np.isfinite(work).any() and work.max() > -np.inf:
        best = int(np.argmax(work))
        found.append(best)
        distance = np.abs(index - best)
        if circular:
            distance = np.minimum(distance, len(work) - distance)
        work[distance <= radius] = -np.inf
    return found


def _refine(acf: Float32Array, angle: float, period: float, score: float) -> Lattice:
    angles = angle + np.linspace(-_ANGLE_STEP, _ANGLE_STEP, 11)[:, None]
    periods = period * np.exp(np.linspace(-_LOG_STEP, _LOG_STEP, 9))[None, :]
    scores = _lattice_score(acf, angles, periods)
    i, j = np.unravel_index(int(np.argmax(scores)), scores.shape)
    return Lattice(angle_deg=float(angles[i, 0]) % 90.0, period=float(periods[0, j]), score=score)


def fold(image: Float32Array, lattice: Lattice, size: int) -> FloatArray:
    """Resample ``image`` onto the canonical lattice and average all tiles into one size x size tile;
    a stack of up to 3 images (C x H x W) gives C tiles (one resampling for all of them)."""
    import cv2

    stack = image[None] if image.ndim == 2 else image
    channels, height, width = stack.shape
    if channels > 3:
        raise ValueError("fold takes at most 3 images at once")
    step = lattice.period / size  # input pixels per tile cell
    theta = np.deg2rad(lattice.angle_deg)
    diagonal = np.hypot(height, width)
    tiles = 2 * (int(np.ceil(diagonal / lattice.period / 2.0)) + 1)
    out = tiles * size
    cos, sin = np.cos(theta) * step, np.sin(theta) * step
    # The image centre (pixel-centre convention) goes to a tile origin: the embedder anchors the
    # mark there, so a mark that kept its centre folds to shift (0, 0).
    centre_in = np.array([(width - 1) / 2.0, (height - 1) / 2.0])
    centre_out = float(size * (tiles // 2))
    # Output (u, v) -> input x = A (u - c_out) + c_in, given to cv2 as the inverse map.
    matrix = np.array(
        [
            [cos, -sin, centre_in[0] - cos * centre_out + sin * centre_out],
            [sin, cos, centre_in[1] - sin * centre_out - cos * centre_out],
        ]
    )
    flags = cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP
    # The images and a coverage mask (all ones) as the channels of one resampling.
    planes = np.concatenate([stack, np.ones((1, height, width), np.float32)]).transpose(1, 2, 0)
    planes = np.ascontiguousarray(planes, dtype=np.float32)
    if step > 1.5:  # shrinking: blur first so the resampling does not alias noise into the band
        planes[..., :channels] = cv2.GaussianBlur(
            np.ascontiguousarray(planes[..., :channels]), (0, 0), 0.5 * step
        ).reshape(height, width, channels)
    warped = cv2.warpAffine(planes, matrix, (out, out), flags=flags, borderMode=cv2.BORDER_CONSTANT)
    sums = warped.reshape(tiles, size, tiles, size, channels + 1).sum(axis=(0, 2), dtype=np.float64)
    weights = sums[..., channels]
    folded = sums[..., :channels] / np.maximum(weights, 1e-6)[..., None]
    folded[weights < 0.5] = 0.0
    folded -= folded.mean(axis=(0, 1))
    result = np.asarray(folded.transpose(2, 0, 1), dtype=np.float64)
    return result[0] if image.ndim == 2 else result
