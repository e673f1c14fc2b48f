"""Helpers shared by test modules (import this, not conftest: there is more than one conftest)."""

from __future__ import annotations

import socket
from pathlib import Path

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
