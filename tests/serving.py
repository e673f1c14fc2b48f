"""Start `raikit serve` as a real process on a free loopback port and wait until it answers."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path

import httpx

from support import free_port


def launch(
    args: list[str], log_dir: Path, timeout_s: float = 90.0, env: Mapping[str, str] | None = None
) -> tuple[subprocess.Popen[bytes], str, Path]:
    """`python -m raikit.cli serve --port P *args` with its output in a log file under ``log_dir``
    (and ``env`` as its environment, when given); returns the process, its base URL and the log's
    path once /healthz answers."""
    port = free_port()
    log_path = log_dir / f"server-{port}.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "raikit.cli", "serve", "--port", str(port), *args],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
        )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(log_path.read_text())
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return proc, base, log_path
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("server did not start")
