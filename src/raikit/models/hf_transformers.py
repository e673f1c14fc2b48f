"""``transformers:PATH`` — a local Hugging Face causal language model, run in-process.

``PATH`` is a model folder as written by ``save_pretrained`` (``config.json``, weights and
tokenizer files); nothing is ever downloaded (``local_files_only=True``). Options:
``device`` (``auto``: CUDA when available, else CPU; ``cpu``; ``cuda``) and ``dtype``
(``auto``: as stored; ``float32``; ``bfloat16``; ``float16``), e.g.
``transformers:/models/SmolLM2-135M-Instruct#device=cpu&dtype=float32``.

The prompt is built with the tokenizer's chat template (``tool`` turns are sent as ``user``
turns), or as ``role: content`` lines ending in ``assistant:`` when the tokenizer has none.
Decoding is greedy at temperature 0, else sampled after ``torch.manual_seed(config.seed)``.
The output is cut at the first stop string, and generation ends there too. ``timeout_s`` counts
from the start of generation (not model loading); when it runs out, TargetTimeoutError is raised.
One model runs one request at a time: calls are serialised (``max_concurrency = 1``).
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from raikit.core.types import Completion, FinishReason, Message, StreamEvent, Usage
from raikit.models.base import BaseTarget
from raikit.models.config import GenerateConfig
from raikit.models.errors import TargetConfigError, TargetError, TargetResponseError, TargetTimeoutError
from raikit.models.registry import require_extra, target_factory

DEVICES = ("auto", "cpu", "cuda")
DTYPES = ("auto", "float32", "bfloat16", "float16")
# The same decoding everywhere, so that streamed deltas add up to the non-streamed text.
DECODE: dict[str, Any] = {"skip_special_tokens": True, "clean_up_tokenization_spaces": False}


def resolve_model_dir(location: str) -> Path:
    path = Path(location).expanduser()
    if not path.is_dir():
        raise TargetConfigError(f"transformers: no model folder at {path}")
    if not (path / "config.json").is_file():
        raise TargetConfigError(f"transformers: {path} is not a Hugging Face model folder (no config.json)")
    return path


def fallback_prompt(messages: list[Message]) -> str:
    """The prompt used when the tokenizer has no chat template."""
    return "".join(f"{m.role}: {m.content}\n" for m in messages) + "assistant:"


def cut_at_stop(text: str, stops: tuple[str, ...]) -> tuple[str, bool]:
    """``text`` up to the first stop string, and whether one was found."""
    hits = [index for stop in stops if stop and (index := text.find(stop)) >= 0]
    return (text[: min(hits)], True) if hits else (text, False)


def _held_back(text: str, stops: tuple[str, ...]) -> int:
    """Length of the longest end of ``text`` that may still grow into a stop string."""
    return max(
        (n for stop in stops for n in range(1, len(stop)) if text.endswith(stop[:n])),
        default=0,
    )


class _Criterion:
    """A stopping criterion: the deadline, a stop string, or a consumer that went away."""

    def __init__(self, config: GenerateConfig, tokenizer: Any, prompt_len: int) -> None:
        self.expires = None if config.timeout_s is None else time.monotonic() + config.timeout_s
        self.stops = config.stop
        self.tokenizer = tokenizer
        self.prompt_len = prompt_len
        self.timed_out = False
        self.cancelled = False

    def __call__(self, input_ids: Any, scores: Any, **kwargs: Any) -> Any:
        import torch

        done = self.cancelled
        if self.expires is not None and time.monotonic() > self.expires:
            self.timed_out = done = True
        if not done and self.stops:
            text = self.tokenizer.decode(input_ids[0, self.prompt_len :], **DECODE)
            done = cut_at_stop(text, self.stops)[1]
        return torch.full((input_ids.shape[0],), done, dtype=torch.bool, device=input_ids.device)


class TransformersTarget(BaseTarget):
    """A causal LM loaded with ``AutoModelForCausalLM`` on first use; calls are serialised."""

    max_concurrency = 1

    def __init__(self, name: str, model_dir: Path, *, device: str = "auto", dtype: str = "auto") -> None:
        super().__init__(name)
        self.model_dir = model_dir
        self.device = device
        self.dtype = dtype
        self._model: Any = None
        self._tokenizer: Any = None
        self._load_lock = threading.Lock()
        # A plain Lock (not RLock): an abandoned stream may be finalised on another thread.
        self._run_lock = threading.Lock()

    # -- loading -----------------------------------------------------------------------------
    def load(self) -> tuple[Any, Any]:
        """The tokenizer and the model, loaded on first use."""
        with self._load_lock:
            if self._model is None:
                import torch
                import transformers

                if self.device == "cuda" and not torch.cuda.is_available():
                    raise TargetConfigError(f"{self.name}: device=cuda but CUDA is not available")
                device = (
                    self.device if self.device != "auto" else "cuda" if torch.cuda.is_available() else "cpu"
                )
                dtype = "auto" if self.dtype == "auto" else getattr(torch, self.dtype)
                major_minor = tuple(int(p) for p in re.findall(r"\d+", transformers.__version__)[:2])
                dtype_arg = "dtype" if major_minor >= (4, 56) else "torch_dtype"
                where = str(self.model_dir)
                try:
                    tokenizer = transformers.AutoTokenizer.from_pretrained(where, local_files_only=True)
                    model: Any = transformers.AutoModelForCausalLM.from_pretrained(
                        where, local_files_only=True, **{dtype_arg: dtype}
                    )
                except (OSError, ValueError, KeyError) as exc:
                    raise TargetConfigError(f"{self.name}: cannot load the model in {where}: {exc}") from exc
                self._tokenizer, self._model = tokenizer, model.to(device).eval()
            return self._tokenizer, self._model

    # -- one request -------------------------------------------------------------------------
    def _inputs(self, tokenizer: Any, model: Any, messages: list[Message]) -> Any:
        if getattr(tokenizer, "chat_template", None):
            from jinja2 import TemplateError

            turns = [{"role": "user" if m.role == "tool" else m.role, "content": m.content} for m in messages]
            try:
                text = tokenizer.apply_chat_template(turns, add_generation_prompt=True, tokenize=False)
            except (TemplateError, ValueError) as exc:
                raise TargetResponseError(
                    f"{self.name}: the chat template rejected the prompt: {exc}"
                ) from exc
            inputs = tokenizer(text, return_tensors="pt", add_special_tokens=False)
        else:
            inputs = tokenizer(fallback_prompt(messages), return_tensors="pt")
        return inputs.to(model.device)

    def _generate_kwargs(
        self, tokenizer: Any, model: Any, inputs: Any, config: GenerateConfig, criterion: _Criterion
    ) -> dict[str, Any]:
        import torch
        from transformers import StoppingCriteriaList

        pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
        kwargs: dict[str, Any] = {
            "input_ids": inputs["input_ids"],
            "attention_mask": inputs.get("attention_mask"),
            "max_new_tokens": config.max_tokens,
            "stopping_criteria": StoppingCriteriaList([criterion]),
            "pad_token_id": pad,
        }
        if config.temperature > 0:
            kwargs.update(do_sample=True, temperature=config.temperature, top_p=config.top_p or 1.0)
            if config.seed is not None:
                torch.manual_seed(config.seed)
        else:
            kwargs.update(do_sample=False, temperature=None, top_p=None, top_k=None)
        return kwargs

    def _finish(
        self, model: Any, tokenizer: Any, generated: Any, config: GenerateConfig, stopped: bool
    ) -> FinishReason:
        eos = model.generation_config.eos_token_id
        eos_ids = set(eos if isinstance(eos, list) else [eos]) | {tokenizer.eos_token_id}
        ended = len(generated) > 0 and int(generated[-1]) in eos_ids
        return "length" if len(generated) >= config.max_tokens and not (stopped or ended) else "stop"

    def _raise_failed(self, exc: BaseException) -> None:
        """Re-raise an error from ``generate``; torch's RuntimeErrors become TargetResponseError."""
        if isinstance(exc, RuntimeError | ValueError) and not isinstance(exc, TargetError):
            raise TargetResponseError(f"{self.name}: generation failed: {exc}") from exc
        raise exc

    def _timeout(self, config: GenerateConfig) -> TargetTimeoutError:
        return TargetTimeoutError(f"{self.name}: generation stopped at the {config.timeout_s} s timeout")

    def _complete(self, messages: list[Message], config: GenerateConfig) -> Completion:
        tokenizer, model = self.load()
        with self._run_lock:
            inputs = self._inputs(tokenizer, model, messages)
            prompt_len = int(inputs["input_ids"].shape[1])
            criterion = _Criterion(config, tokenizer, prompt_len)
            try:
                output = model.generate(**self._generate_kwargs(tokenizer, model, inputs, config, criterion))
            except Exception as exc:
                self._raise_failed(exc)
        if criterion.timed_out:
            raise self._timeout(config)
        generated = output[0, prompt_len:]
        text, stopped = cut_at_stop(tokenizer.decode(generated, **DECODE), config.stop)
        return Completion(
            text=text,
            finish_reason=self._finish(model, tokenizer, generated, config, stopped),
            usage=Usage(prompt_tokens=prompt_len, completion_tokens=len(generated)),
            model=self.model_dir.name,
        )

    def _stream(self, messages: list[Message], config: GenerateConfig) -> Iterator[StreamEvent]:
        from transformers import TextIteratorStreamer

        tokenizer, model = self.load()
        with self._run_lock:
            inputs = self._inputs(tokenizer, model, messages)
            prompt_len = int(inputs["input_ids"].shape[1])
            criterion = _Criterion(config, tokenizer, prompt_len)
            streamer: Any = TextIteratorStreamer(tokenizer, skip_prompt=True, **DECODE)
            kwargs = self._generate_kwargs(tokenizer, model, inputs, config, criterion)
            result: dict[str, Any] = {}

            def run() -> None:
                try:
                    result["output"] = model.generate(**kwargs, streamer=streamer)
                except BaseException as exc:
                    result["error"] = exc
                    streamer.end()

            worker = threading.Thread(target=run, name="raikit-transformers-generate", daemon=True)
            worker.start()
            text, sent, stopped = "", 0, False
            try:
                for piece in streamer:
                    if stopped:
                        continue  # drain what the worker flushes after the stop string
                    text += piece
                    cut, stopped = cut_at_stop(text, config.stop)
                    ready = len(cut) if stopped else len(text) - _held_back(text, config.stop)
                    if ready > sent:
                        yield StreamEvent(delta=text[sent:ready])
                        sent = ready
            finally:
                criterion.cancelled = True  # ends generation early if the consumer went away
                worker.join()
        if "error" in result:
            self._raise_failed(result["error"])
        if criterion.timed_out:
            raise self._timeout(config)
        if not stopped and len(text) > sent:
            yield StreamEvent(delta=text[sent:])
        generated = result["output"][0, prompt_len:]
        yield StreamEvent(
            finish_reason=self._finish(model, tokenizer, generated, config, stopped),
            usage=Usage(prompt_tokens=prompt_len, completion_tokens=len(generated)),
        )

    def close(self) -> None:
        with self._run_lock, self._load_lock:
            if self._model is not None:
                self._model = self._tokenizer = None
                import torch

                if torch.cuda.is_available():
                    torch.cuda.empty_cache()


@target_factory(
    "transformers",
    description="A local Hugging Face causal LM folder run in-process with transformers (offline)",
    example="transformers:/models/SmolLM2-135M-Instruct#device=cpu",
    extra="transformers",
)
def transformers_target(location: str, options: Mapping[str, str]) -> TransformersTarget:
    require_extra("transformers", scheme="transformers", extra="transformers")
    require_extra("torch", scheme="transformers", extra="transformers")
    unknown = set(options) - {"device", "dtype"}
    if unknown:
        raise TargetConfigError(f"transformers: unknown option(s) {', '.join(sorted(unknown))}")
    device = options.get("device", "auto").lower()
    dtype = options.get("dtype", "auto").lower()
    if device not in DEVICES:
        raise TargetConfigError(f"transformers: device must be one of {', '.join(DEVICES)}, got {device!r}")
    if dtype not in DTYPES:
        raise TargetConfigError(f"transformers: dtype must be one of {', '.join(DTYPES)}, got {dtype!r}")
    path = resolve_model_dir(location)
    fragment = "&".join(f"{k}={options[k]}" for k in sorted(options))
    name = f"transformers:{location}" + (f"#{fragment}" if fragment else "")
    return TransformersTarget(name, path, device=device, dtype=dtype)
