"""Pictures for the multimodal techniques: rendered text, LSB steganography and bit-block codes.

Needs numpy and Pillow (``pip install 'raikit[redteam-vision]'``); imported only when a picture is
made. Every function is deterministic given its arguments (and ``rng``).
"""

from __future__ import annotations

import math
import random
import textwrap
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray
    from PIL import ImageFont

RGB = tuple[int, int, int]
WHITE: RGB = (255, 255, 255)
BLACK: RGB = (0, 0, 0)
MAX_RENDERED_CHARS = 600
"""Longer payloads are cut for rendering (the picture would be unreadable anyway)."""
MAX_HIDDEN_CHARS = 2000
"""Longer payloads are cut before hiding them (keeps pictures under about 1000 x 1000 pixels)."""
LINE_WIDTH = 42
FONT_SIZE = 18
MARGIN = 16


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    from PIL import ImageFont

    return ImageFont.load_default(size=size)


def wrap(text: str, width: int = LINE_WIDTH) -> list[str]:
    """Lines of at most ``width`` characters (at least one line, possibly empty)."""
    clipped = text[:MAX_RENDERED_CHARS]
    lines = [line for paragraph in clipped.splitlines() for line in (textwrap.wrap(paragraph, width) or [""])]
    return lines or [""]


def render_text(
    text: str,
    *,
    ink: RGB = BLACK,
    paper: RGB = WHITE,
    font_size: int = FONT_SIZE,
    width_chars: int = LINE_WIDTH,
    header: str | None = None,
) -> NDArray[np.uint8]:
    """``text`` drawn as wrapped lines on a plain background; returns an (H, W, 3) uint8 array."""
    import numpy as np
    from PIL import Image, ImageDraw

    lines = ([header, ""] if header else []) + wrap(text, width_chars)
    line_height = int(font_size * 1.4)
    width = int(width_chars * font_size * 0.62) + 2 * MARGIN
    height = line_height * len(lines) + 2 * MARGIN
    image = Image.new("RGB", (width, height), paper)
    draw = ImageDraw.Draw(image)
    font = _font(font_size)
    for index, line in enumerate(lines):
        draw.text((MARGIN, MARGIN + index * line_height), line, fill=ink, font=font)
    return np.asarray(image, dtype=np.uint8).copy()


def rotate_with_noise(pixels: NDArray[np.uint8], rng: random.Random) -> NDArray[np.uint8]:
    """Rotate by a seeded angle in [-25, 25] degrees and add light speckle noise (OCR evasion)."""
    import numpy as np
    from PIL import Image

    angle = rng.uniform(-25.0, 25.0)
    rotated = Image.fromarray(pixels).rotate(angle, expand=True, fillcolor=WHITE)
    array = np.asarray(rotated, dtype=np.int16)
    noise = np.random.default_rng(rng.randrange(2**32)).integers(-40, 41, size=array.shape[:2])
    noisy: NDArray[np.uint8] = np.clip(array + noise[..., None], 0, 255).astype(np.uint8)
    return noisy


def split_tiles(pixels: NDArray[np.uint8], rng: random.Random, *, columns: int = 3) -> NDArray[np.uint8]:
    """Cut the picture into vertical strips, shuffle them (seeded) and number each strip."""
    import numpy as np
    from PIL import Image, ImageDraw

    ink_columns = np.flatnonzero((pixels < 250).any(axis=(0, 2)))
    if ink_columns.size:
        pixels = pixels[:, max(0, ink_columns[0] - 4) : ink_columns[-1] + 5]
    height, width = pixels.shape[:2]
    strip = -(-width // columns)
    padded = np.full((height, strip * columns, 3), 255, dtype=np.uint8)
    padded[:, :width] = pixels
    order = list(range(columns))
    rng.shuffle(order)
    label_height = 28
    canvas = Image.new("RGB", (strip * columns + 8 * (columns - 1), height + label_height), WHITE)
    draw = ImageDraw.Draw(canvas)
    for slot, piece in enumerate(order):
        x = slot * (strip + 8)
        canvas.paste(Image.fromarray(padded[:, piece * strip : (piece + 1) * strip]), (x, label_height))
        draw.text((x + 4, 4), f"piece {piece + 1}", fill=(200, 0, 0), font=_font(16))
    return np.asarray(canvas, dtype=np.uint8).copy()


def hidden_part(text: str) -> str:
    """The part of ``text`` that the steganographic pictures carry."""
    return text[:MAX_HIDDEN_CHARS]


def _payload_bits(text: str) -> list[int]:
    data = hidden_part(text).encode("utf-8")
    header = len(data).to_bytes(4, "big")
    return [(byte >> (7 - i)) & 1 for byte in header + data for i in range(8)]


def _bits_to_text(bits: list[int]) -> str:
    data = bytes(int("".join(map(str, bits[i : i + 8])), 2) for i in range(0, len(bits) - len(bits) % 8, 8))
    length = int.from_bytes(data[:4], "big")
    return data[4 : 4 + length].decode("utf-8")


def hide_lsb(text: str, rng: random.Random) -> NDArray[np.uint8]:
    """A smooth, seeded colour gradient whose red-channel least significant bits carry ``text``.

    Layout: a 32-bit big-endian byte count, then the UTF-8 bytes, bit by bit in row-major order.
    """
    import numpy as np

    bits = _payload_bits(text)
    side = max(64, int(np.ceil(np.sqrt(len(bits)))))
    ys, xs = np.mgrid[0:side, 0:side].astype(np.float64) / side
    phase = rng.uniform(0, 2 * np.pi)
    image = np.stack(
        [
            127 + 100 * np.sin(2 * np.pi * xs + phase),
            127 + 100 * np.cos(2 * np.pi * ys + phase),
            127 + 100 * np.sin(2 * np.pi * (xs + ys)),
        ],
        axis=-1,
    ).astype(np.uint8)
    red = image[..., 0].reshape(-1)
    red[: len(bits)] = (red[: len(bits)] & 0xFE) | np.asarray(bits, dtype=np.uint8)
    image[..., 0] = red.reshape(side, side)
    return image


def reveal_lsb(pixels: NDArray[np.uint8]) -> str:
    """The text hidden by :func:`hide_lsb`."""
    red = pixels[..., 0].reshape(-1)
    length = int.from_bytes(
        bytes(int("".join(str(b & 1) for b in red[i : i + 8]), 2) for i in range(0, 32, 8))
    )
    return _bits_to_text([int(b & 1) for b in red[: 32 + 8 * length]])


BLOCK = 6
"""Pixels per cell of the bit-block code."""


def bit_blocks(text: str) -> NDArray[np.uint8]:
    """A QR-like square of black (1) and white (0) cells, framed by three finder squares.

    The payload bits (32-bit byte count, then UTF-8) fill the data area row by row, skipping the
    7x7 finder corners, so :func:`read_bit_blocks` can read them back.
    """
    import numpy as np

    bits = _payload_bits(text)
    finder_cells = 3 * 64
    cells = max(21, math.ceil(math.sqrt(len(bits) + finder_cells)))
    cells += (21 - cells) % 4  # QR-like sizes: 21, 25, 29, ...
    grid = np.zeros((cells, cells), dtype=np.uint8)
    for (row, col), bit in zip(_data_cells(cells), bits, strict=False):
        grid[row, col] = bit
    for top, left in ((0, 0), (0, cells - 7), (cells - 7, 0)):
        grid[top : top + 7, left : left + 7] = _FINDER
    pixels = np.where(np.kron(grid, np.ones((BLOCK, BLOCK), dtype=np.uint8)) == 1, 0, 255).astype(np.uint8)
    padded = np.pad(pixels, 4 * BLOCK, constant_values=255)
    return np.repeat(padded[..., None], 3, axis=-1)


def read_bit_blocks(pixels: NDArray[np.uint8]) -> str:
    """The text encoded by :func:`bit_blocks` (reads cell centres of an undistorted picture)."""
    gray = pixels[..., 0]
    inner = gray[4 * BLOCK : -4 * BLOCK, 4 * BLOCK : -4 * BLOCK]
    cells = inner.shape[0] // BLOCK
    centre = BLOCK // 2
    bits = [int(inner[r * BLOCK + centre, c * BLOCK + centre] < 128) for r, c in _data_cells(cells)]
    length = int.from_bytes(bytes(int("".join(map(str, bits[i : i + 8])), 2) for i in range(0, 32, 8)))
    return _bits_to_text(bits[: 32 + 8 * length])


def _data_cells(cells: int) -> list[tuple[int, int]]:
    def in_finder(row: int, col: int) -> bool:
        return (row < 8 and col < 8) or (row < 8 and col >= cells - 8) or (row >= cells - 8 and col < 8)

    return [(r, c) for r in range(cells) for c in range(cells) if not in_finder(r, c)]


_FINDER = [
    [1, 1, 1, 1, 1, 1, 1],
    [1, 0, 0, 0, 0, 0, 1],
    [1, 0, 1, 1, 1, 0, 1],
    [1, 0, 1, 1, 1, 0, 1],
    [1, 0, 1, 1, 1, 0, 1],
    [1, 0, 0, 0, 0, 0, 1],
    [1, 1, 1, 1, 1, 1, 1],
]


def chat_screenshot(turns: list[tuple[str, str]]) -> NDArray[np.uint8]:
    """A fake chat screenshot: one bubble per (speaker, text), user right and blue, assistant left."""
    import numpy as np
    from PIL import Image, ImageDraw

    font = _font(16)
    line_height = 22
    blocks = [(speaker, wrap(text, 38)) for speaker, text in turns]
    height = MARGIN + sum(len(lines) * line_height + 36 for _, lines in blocks)
    width = 520
    image = Image.new("RGB", (width, height), (242, 242, 247))
    draw = ImageDraw.Draw(image)
    y = MARGIN
    for speaker, lines in blocks:
        is_user = speaker == "user"
        box_height = len(lines) * line_height + 16
        left = width - 380 if is_user else MARGIN
        fill = (0, 122, 255) if is_user else (229, 229, 234)
        draw.rounded_rectangle((left, y, left + 360, y + box_height), radius=12, fill=fill)
        for index, line in enumerate(lines):
            draw.text(
                (left + 12, y + 8 + index * line_height), line, fill=WHITE if is_user else BLACK, font=font
            )
        y += box_height + 20
    return np.asarray(image, dtype=np.uint8).copy()
