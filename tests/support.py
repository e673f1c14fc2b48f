"""Helpers shared by test modules (import this, not conftest: there is more than one conftest)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def run_raikit(
    *args: str | Path,
    cwd: Path | None = None,
    timeout: float = 120,
    env: Mapping[str, str] | None = None,
    stdin: str | None = None,
) -> subprocess.CompletedProcess[str]:
    """``python -m raikit.cli ARGS`` in a subprocess, output captured as UTF-8 text, never raising
    on a non-zero exit. ``env`` replaces the environment (default: this process's)."""
    return subprocess.run(
        [sys.executable, "-m", "raikit.cli", *map(str, args)],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=timeout,
        check=False,
        env=dict(os.environ if env is None else env),
    )
