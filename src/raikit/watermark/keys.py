"""Watermark keys: secret bytes that never show up in ``repr``, logs or error messages.

Everything the watermark depends on (sync template, payload chips, message tags) is derived from
the key with HMAC-SHA256 under a purpose label, so one key file serves images and videos and an
observer without the key can neither find the template nor forge a tagged message.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import stat
from pathlib import Path

from raikit.watermark.errors import WatermarkInputError

KEY_BYTES = 32
_HEADER = "raikit-watermark-key v1"


class WatermarkKeyError(WatermarkInputError):
    """A key file is missing, unreadable or malformed, or a key is too short."""


class WatermarkKey:
    """A secret watermark key. ``repr``/``str`` show a short fingerprint, never the key itself."""

    __slots__ = ("_secret",)

    def __init__(self, secret: bytes) -> None:
        if not isinstance(secret, bytes | bytearray) or len(secret) < 16:
            raise WatermarkKeyError("a watermark key must be at least 16 bytes")
        self._secret = bytes(secret)

    @classmethod
    def generate(cls) -> WatermarkKey:
        return cls(secrets.token_bytes(KEY_BYTES))

    @property
    def fingerprint(self) -> str:
        """A public identifier of the key (a hash): safe to print and log."""
        return hashlib.sha256(b"raikit-watermark-fingerprint" + self._secret).hexdigest()[:16]

    def derive(self, purpose: str, length: int = 32) -> bytes:
        """Key material for one purpose (HMAC-SHA256 in counter mode)."""
        out = b""
        counter = 0
        while len(out) < length:
            out += hmac.new(self._secret, f"{purpose}|{counter}".encode(), hashlib.sha256).digest()
            counter += 1
        return out[:length]

    def seed(self, purpose: str) -> int:
        """A 128-bit integer seed for numpy's generator, derived for one purpose."""
        return int.from_bytes(self.derive(purpose, 16), "big")

    def tag(self, data: bytes, length: int) -> bytes:
        """A keyed authentication tag of ``data`` (truncated HMAC)."""
        return hmac.new(self._secret, b"tag|" + data, hashlib.sha256).digest()[:length]

    def __repr__(self) -> str:
        return f"WatermarkKey(fingerprint={self.fingerprint})"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, WatermarkKey) and hmac.compare_digest(self._secret, other._secret)

    def __hash__(self) -> int:
        return hash(self.fingerprint)

    def __reduce__(self) -> tuple[object, ...]:  # pickling would be a way to leak it into logs/caches
        raise TypeError("watermark keys cannot be pickled")


def as_key(key: WatermarkKey | bytes | str | os.PathLike[str]) -> WatermarkKey:
    """Accept a key object, raw bytes, or the path of a key file."""
    if isinstance(key, WatermarkKey):
        return key
    if isinstance(key, bytes | bytearray):
        return WatermarkKey(bytes(key))
    return load_key(Path(key))


def write_key(path: Path, key: WatermarkKey | None = None, *, overwrite: bool = False) -> WatermarkKey:
    """Write a (new) key to ``path`` with mode 0600, refusing to replace an existing file."""
    key = key or WatermarkKey.generate()
    if path.exists() and not overwrite:
        raise WatermarkKeyError(f"{path} already exists; pass --force to replace it")
    path.parent.mkdir(parents=True, exist_ok=True)
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
    fd = os.open(path, flags, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(f"{_HEADER}\n{key._secret.hex()}\n")
    path.chmod(stat.S_IRUSR | stat.S_IWUSR)
    return key


def load_key(path: Path) -> WatermarkKey:
    try:
        lines = path.read_text(encoding="ascii").split()
    except FileNotFoundError:
        raise WatermarkKeyError(
            f"key file {path} does not exist (create one: raikit watermark keygen)"
        ) from None
    except (OSError, UnicodeDecodeError):
        raise WatermarkKeyError(f"key file {path} cannot be read as a raikit watermark key") from None
    header = _HEADER.split()
    if len(lines) != len(header) + 1 or lines[: len(header)] != header:
        raise WatermarkKeyError(f"{path} is not a raikit watermark key file")
    try:
        secret = bytes.fromhex(lines[-1])
    except ValueError:
        raise WatermarkKeyError(f"{path} is not a raikit watermark key file") from None
    return WatermarkKey(secret)
