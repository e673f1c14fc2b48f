"""Tests of the in-process Hugging Face transformers target, on a tiny model built offline here.

The model is a randomly initialised 2-layer Llama (hidden size 32) with a word-level tokenizer
trained on the text below; nothing is downloaded. Its output is gibberish, but deterministic.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"

torch = pytest.importorskip("torch", reason="the transformers target needs torch")
transformers = pytest.importorskip("transformers", reason="the transformers target needs transformers")
tokenizers = pytest.importorskip("tokenizers", reason="building the test tokenizer needs tokenizers")

from raikit.core.types import Message  # noqa: E402
from raikit.models.config import GenerateConfig  # noqa: E402
from raikit.models.errors import TargetConfigError, TargetTimeoutError  # noqa: E402
from raikit.models.hf_transformers import (  # noqa: E402
    DECODE,
    TransformersTarget,
    cut_at_stop,
    fallback_prompt,
    transformers_target,
)
from raikit.models.registry import get_target  # noqa: E402
from tiny_hf_model import TEMPLATE, build_tiny_llama  # noqa: E402

PROMPT = "hello how are you today ?"


@pytest.fixture(scope="session")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("tiny-llama")
    build_tiny_llama(folder, chat_template=TEMPLATE)
    return folder


@pytest.fixture(scope="session")
def plain_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("tiny-llama-plain")
    build_tiny_llama(folder, chat_template=None)
    return folder


@pytest.fixture(scope="module")
def target(model_dir: Path) -> TransformersTarget:
    return transformers_target(str(model_dir), {"device": "cpu"})


def reference(
    folder: Path, prompt_text: str, max_new_tokens: int, *, special: bool
) -> tuple[int, list[int], str]:
    """Greedy generation straight through transformers: prompt length, new token ids, text."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(folder, local_files_only=True)
    model = AutoModelForCausalLM.from_pretrained(folder, local_files_only=True)
    inputs = tokenizer(prompt_text, return_tensors="pt", add_special_tokens=special)
    out = model.generate(
        **inputs, max_new_tokens=max_new_tokens, do_sample=False, pad_token_id=tokenizer.pad_token_id
    )
    n = inputs["input_ids"].shape[1]
    new = out[0, n:].tolist()
    return n, new, tokenizer.decode(new, **DECODE)


# -- target string -------------------------------------------------------------------------------
def test_module_import_is_lazy() -> None:
    code = (
        "import sys, raikit.models.hf_transformers; assert not {'torch', 'transformers'} & set(sys.modules)"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_factory_and_registry(model_dir: Path) -> None:
    target = get_target(f"transformers:{model_dir}#dtype=float32&device=cpu")
    assert isinstance(target, TransformersTarget)
    assert target.name == f"transformers:{model_dir}#device=cpu&dtype=float32"
    assert (target.device, target.dtype) == ("cpu", "float32")
    assert target.max_concurrency == 1
    assert target._model is None  # loaded on first use


def test_missing_path_names_it(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-model"
    with pytest.raises(TargetConfigError, match="no-such-model"):
        transformers_target(str(missing), {})
    with pytest.raises(TargetConfigError, match=r"no config\.json"):
        transformers_target(str(tmp_path), {})


@pytest.mark.parametrize(
    ("options", "message"),
    [({"device": "tpu"}, "device must be"), ({"dtype": "int8"}, "dtype must be"), ({"gpu": "1"}, "unknown")],
)
def test_bad_options(model_dir: Path, options: dict[str, str], message: str) -> None:
    with pytest.raises(TargetConfigError, match=message):
        transformers_target(str(model_dir), options)


def test_dtype_option(model_dir: Path) -> None:
    target = transformers_target(str(model_dir), {"device": "cpu", "dtype": "bfloat16"})
    _, model = target.load()
    assert model.dtype == torch.bfloat16
    assert target.generate(PROMPT, GenerateConfig(max_tokens=3)).usage.completion_tokens <= 3
    target.close()
    assert target._model is None


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the error on machines without CUDA")
def test_cuda_requested_without_cuda(model_dir: Path) -> None:
    target = transformers_target(str(model_dir), {"device": "cuda"})
    with pytest.raises(TargetConfigError, match="CUDA is not available"):
        target.generate(PROMPT)


# -- generation ----------------------------------------------------------------------------------
def test_generate_text_and_usage_match_transformers(target: TransformersTarget, model_dir: Path) -> None:
    completion = target.generate(PROMPT, GenerateConfig(max_tokens=12))
    tokenizer, _ = target.load()
    prompt_text = tokenizer.apply_chat_template(
        [{"role": "user", "content": PROMPT}], add_generation_prompt=True, tokenize=False
    )
    assert prompt_text == f"user : {PROMPT} . assistant : "
    n_prompt, new_ids, text = reference(model_dir, prompt_text, 12, special=False)
    assert completion.usage.prompt_tokens == n_prompt == len(tokenizer(prompt_text)["input_ids"])
    assert completion.usage.completion_tokens == len(new_ids)
    assert completion.text == text
    assert completion.text.strip()
    assert completion.model == model_dir.name
    ended = new_ids[-1] == tokenizer.eos_token_id
    assert completion.finish_reason == ("stop" if ended or len(new_ids) < 12 else "length")


def test_greedy_is_deterministic(target: TransformersTarget) -> None:
    cfg = GenerateConfig(max_tokens=10, temperature=0.0)
    assert target.generate(PROMPT, cfg).text == target.generate(PROMPT, cfg).text


def test_sampling_is_seeded(target: TransformersTarget) -> None:
    cfg = GenerateConfig(max_tokens=10, temperature=1.0, top_p=0.9, seed=7)
    assert target.generate(PROMPT, cfg).text == target.generate(PROMPT, cfg).text


def test_max_tokens_respected(target: TransformersTarget) -> None:
    full = target.generate(PROMPT, GenerateConfig(max_tokens=20))
    assert full.usage.completion_tokens > 3, full.text
    short = target.generate(PROMPT, GenerateConfig(max_tokens=3))
    assert short.usage.completion_tokens == 3
    assert short.finish_reason == "length"
    assert full.text.startswith(short.text)


def test_stream_matches_generate(target: TransformersTarget) -> None:
    cfg = GenerateConfig(max_tokens=15)
    completion = target.generate(PROMPT, cfg)
    events = list(target.stream(PROMPT, cfg))
    assert all(not e.done for e in events[:-1]) and events[-1].done
    assert len([e for e in events if e.delta]) > 1
    assert "".join(e.delta for e in events) == completion.text
    assert events[-1].usage == completion.usage
    assert events[-1].finish_reason == completion.finish_reason


def _stops(full: str) -> list[str]:
    words = full.split(" ")
    boundary = len(words[0]) + 1 + len(words[1])  # the space after the second word
    return [words[2], full[boundary - 2 : boundary + 2]]  # a word, and one spanning two words


def test_stop_sequences_cut_output(target: TransformersTarget) -> None:
    full = target.generate(PROMPT, GenerateConfig(max_tokens=20))
    assert len(full.text.split(" ")) >= 4, full.text
    for stop in _stops(full.text):
        cfg = GenerateConfig(max_tokens=20, stop=(stop, "never-produced"))
        expected = full.text[: full.text.find(stop)]
        completion = target.generate(PROMPT, cfg)
        assert completion.text == expected
        assert completion.finish_reason == "stop"
        assert completion.usage.completion_tokens < full.usage.completion_tokens  # generation ended early
        events = list(target.stream(PROMPT, cfg))
        assert "".join(e.delta for e in events) == expected
        assert events[-1].finish_reason == "stop"
        assert events[-1].usage == completion.usage


def test_cut_at_stop() -> None:
    assert cut_at_stop("abc END def STOP", ("STOP", "END")) == ("abc ", True)
    assert cut_at_stop("abc", ("x",)) == ("abc", False)


def test_timeout(target: TransformersTarget) -> None:
    cfg = GenerateConfig(max_tokens=50, timeout_s=1e-6)
    with pytest.raises(TargetTimeoutError, match="timeout"):
        target.generate(PROMPT, cfg)
    with pytest.raises(TargetTimeoutError):
        list(target.stream(PROMPT, cfg))


def test_abandoned_stream_releases_the_model(target: TransformersTarget) -> None:
    stream = target.stream(PROMPT, GenerateConfig(max_tokens=40))
    first = next(stream)
    assert first.delta
    stream.close()
    assert target.generate(PROMPT, GenerateConfig(max_tokens=2)).usage.completion_tokens <= 2


def test_batch_is_serialised_and_matches_generate(target: TransformersTarget) -> None:
    cfg = GenerateConfig(max_tokens=6)
    prompts = [PROMPT, "tell me a story", "what is the capital of france ?"]
    results = target.batch(prompts, cfg, concurrency=3)
    assert [r.text for r in results] == [target.generate(p, cfg).text for p in prompts]  # type: ignore[union-attr]


async def test_async(target: TransformersTarget) -> None:
    cfg = GenerateConfig(max_tokens=8)
    completion = await target.agenerate(PROMPT, cfg)
    streamed = "".join([event.delta async for event in target.astream(PROMPT, cfg)])
    assert streamed == completion.text


def test_conversation_with_system_and_tool_turns(target: TransformersTarget) -> None:
    messages = [Message.system("be safe ."), Message.user("hello"), Message(role="tool", content="paris")]
    tokenizer, _ = target.load()
    expected = len(tokenizer("system : be safe . . user : hello . user : paris . assistant : ")["input_ids"])
    assert target.generate(messages, GenerateConfig(max_tokens=2)).usage.prompt_tokens == expected


# -- no chat template ---------------------------------------------------------------------------
def test_fallback_prompt_without_chat_template(plain_dir: Path) -> None:
    target = transformers_target(str(plain_dir), {"device": "cpu"})
    tokenizer, _ = target.load()
    assert not getattr(tokenizer, "chat_template", None)
    messages = [Message.system("be kind"), Message.user(PROMPT)]
    prompt_text = fallback_prompt(messages)
    assert prompt_text == f"system: be kind\nuser: {PROMPT}\nassistant:"
    completion = target.generate(messages, GenerateConfig(max_tokens=8))
    n_prompt, new_ids, text = reference(plain_dir, prompt_text, 8, special=True)
    assert completion.usage.prompt_tokens == n_prompt
    assert completion.usage.completion_tokens == len(new_ids)
    assert completion.text == text


def test_broken_model_folder(tmp_path: Path, model_dir: Path) -> None:
    broken = tmp_path / "broken"
    shutil.copytree(model_dir, broken)
    (broken / "model.safetensors").unlink()
    target = transformers_target(str(broken), {"device": "cpu"})
    with pytest.raises(TargetConfigError, match="cannot load"):
        target.generate(PROMPT)
