"""The payload: message + keyed tag, protected by a convolutional code decoded with soft Viterbi.

Layout before coding: ``message`` padded to ``capacity`` bytes (ISO/IEC 7816-4: 0x80 then zeros,
so any length from 0 to ``capacity`` round-trips), then a ``TAG_BYTES`` HMAC tag of the padded
block. The tag makes a decoded message trustworthy: a random (unmarked) image passes it with
probability 2**-32 per decoding attempt, which :mod:`raikit.watermark.detection` turns into a
p-value, and nobody without the key can produce a valid one.

The code is the rate-1/2, constraint-length-7 NASA code (generators 133, 171 octal), terminated
with 6 zero bits; decoding takes soft values (correlations) so weak bits weigh less.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from raikit.watermark.detection import TAG_BYTES
from raikit.watermark.errors import MessageTooLongError
from raikit.watermark.keys import WatermarkKey

_CONSTRAINT = 7
_GENERATORS = (0o133, 0o171)
_STATES = 1 << (_CONSTRAINT - 1)


def coded_length(capacity: int) -> int:
    """Number of coded bits carried for a payload of ``capacity`` message bytes."""
    info = (capacity + 1 + TAG_BYTES) * 8
    return (info + _CONSTRAINT - 1) * len(_GENERATORS)


def pack(message: bytes, capacity: int, key: WatermarkKey) -> npt.NDArray[np.uint8]:
    """Message -> coded bits (0/1)."""
    if len(message) > capacity:
        raise MessageTooLongError(
            f"the message is {len(message)} bytes; this watermarker carries at most {capacity} "
            "(raise payload_bytes)"
        )
    block = padded_block(message, capacity)
    data = block + key.tag(block, TAG_BYTES)
    bits = np.unpackbits(np.frombuffer(data, dtype=np.uint8))
    return _encode(bits)


def padded_block(message: bytes, capacity: int) -> bytes:
    """The message as carried: padded to ``capacity + 1`` bytes (before the tag)."""
    return message + b"\x80" + b"\x00" * (capacity - len(message))


def decode_block(soft: npt.NDArray[np.float64]) -> bytes:
    """Soft coded values (positive = bit 1) -> the most likely padded block + tag (unchecked)."""
    return np.packbits(_viterbi(soft)).tobytes()


def unpack(soft: npt.NDArray[np.float64], capacity: int, key: WatermarkKey) -> bytes | None:
    """Soft coded values -> the message, or None when the tag does not check."""
    data = decode_block(soft)
    block, tag = data[: capacity + 1], data[capacity + 1 :]
    if not _tag_matches(key.tag(block, TAG_BYTES), tag):
        return None
    end = block.rstrip(b"\x00")
    if not end.endswith(b"\x80"):
        return None
    return end[:-1]


def _tag_matches(expected: bytes, given: bytes) -> bool:
    import hmac

    return hmac.compare_digest(expected, given)


def _parity(values: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    out = np.zeros_like(values)
    bits = values.copy()
    while np.any(bits):
        out ^= bits & 1
        bits >>= 1
    return out


def _encode(bits: npt.NDArray[np.uint8]) -> npt.NDArray[np.uint8]:
    padded = np.concatenate([bits.astype(np.int64), np.zeros(_CONSTRAINT - 1, dtype=np.int64)])
    register = np.zeros(len(padded), dtype=np.int64)
    state = 0
    for index, bit in enumerate(padded):
        state = ((state << 1) | int(bit)) & ((1 << _CONSTRAINT) - 1)
        register[index] = state
    outputs = [_parity(register & g) for g in _GENERATORS]
    return np.stack(outputs, axis=1).reshape(-1).astype(np.uint8)


def _trellis() -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]:
    """For each next state and each of its two predecessors: the predecessor and the ±1 outputs."""
    next_states = np.arange(_STATES)
    predecessors = np.stack([next_states >> 1, (next_states >> 1) | (_STATES >> 1)], axis=1)
    registers = (predecessors << 1 | (next_states[:, None] & 1)) & ((1 << _CONSTRAINT) - 1)
    signs = np.stack([2.0 * _parity(registers & g) - 1.0 for g in _GENERATORS], axis=-1)
    return predecessors, signs


def _viterbi(soft: npt.NDArray[np.float64]) -> npt.NDArray[np.uint8]:
    predecessors, signs = _trellis()
    steps = len(soft) // len(_GENERATORS)
    pairs = soft[: steps * len(_GENERATORS)].reshape(steps, len(_GENERATORS))
    metric = np.full(_STATES, -np.inf)
    metric[0] = 0.0
    choices = np.zeros((steps, _STATES), dtype=np.int8)
    for step in range(steps):
        branch = signs @ pairs[step]  # (states, 2)
        candidates = metric[predecessors] + branch
        best = np.argmax(candidates, axis=1)
        choices[step] = best
        metric = candidates[np.arange(_STATES), best]
    state = 0  # terminated code: the encoder ends in state 0
    bits = np.zeros(steps, dtype=np.uint8)
    for step in range(steps - 1, -1, -1):
        bits[step] = state & 1
        state = int(predecessors[state, choices[step, state]])
    return bits[: steps - (_CONSTRAINT - 1)]
