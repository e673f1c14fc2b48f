"""The Target protocol and a base class that gives every adapter retries, timeouts and batching.

Adapters implement two methods, ``_complete`` and ``_stream``, and optionally their async
twins; ``BaseTarget`` wraps them with retries (transient errors only), timeouts, token-usage
accounting and batch execution under a concurrency limit.
"""

from __future__ import annotations

import asyncio
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Protocol, TypeVar, runtime_checkable

from tenacity import (
    AsyncRetrying,
    Retrying,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential,
    wait_random,
)

from raikit.core.types import Completion, Message, StreamEvent, Usage, as_conversation
from raikit.models.config import GenerateConfig, RetryPolicy
from raikit.models.errors import (
    TargetError,
    TargetTimeoutError,
    TargetUnreachableError,
)

PromptLike = str | Message | Sequence[Message]
BatchResult = Completion | TargetError
T = TypeVar("T")


@runtime_checkable
class Target(Protocol):
    """Anything raikit can send a conversation to and get an answer from."""

    @property
    def name(self) -> str:
        """The target string that recreates this target, e.g. ``llamacpp:default``."""
        ...

    def generate(self, prompt: PromptLike, config: GenerateConfig | None = None) -> Completion: ...

    async def agenerate(self, prompt: PromptLike, config: GenerateConfig | None = None) -> Completion: ...

    def stream(self, prompt: PromptLike, config: GenerateConfig | None = None) -> Iterator[StreamEvent]: ...

    def astream(
        self, prompt: PromptLike, config: GenerateConfig | None = None
    ) -> AsyncIterator[StreamEvent]: ...

    def batch(
        self,
        prompts: Sequence[PromptLike],
        config: GenerateConfig | None = None,
        *,
        concurrency: int = 4,
        on_result: Callable[[int, BatchResult], None] | None = None,
    ) -> list[BatchResult]: ...

    async def abatch(
        self,
        prompts: Sequence[PromptLike],
        config: GenerateConfig | None = None,
        *,
        concurrency: int = 4,
        on_result: Callable[[int, BatchResult], None] | None = None,
    ) -> list[BatchResult]: ...

    @property
    def usage(self) -> Usage:
        """Tokens used by this target object so far."""
        ...

    def close(self) -> None: ...


def _is_retryable(exc: BaseException) -> bool:
    return isinstance(exc, TargetError) and exc.retryable


class BaseTarget(ABC):
    """Shared machinery for adapters. Subclasses set ``name`` and implement ``_complete``/``_stream``."""

    max_concurrency: int | None = None
    """Upper bound on parallel requests this target can serve (None: no bound of its own)."""

    def __init__(self, name: str, *, retry: RetryPolicy | None = None) -> None:
        self._name = name
        self.retry = retry or RetryPolicy()
        self._usage = Usage()
        self._usage_lock = threading.Lock()

    @property
    def name(self) -> str:
        return self._name

    @property
    def usage(self) -> Usage:
        return self._usage

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self._name}>"

    # -- what adapters implement -------------------------------------------------------------
    @abstractmethod
    def _complete(self, messages: list[Message], config: GenerateConfig) -> Completion:
        """One request, no retries. Raise TargetUnavailableError for transient failures."""

    @abstractmethod
    def _stream(self, messages: list[Message], config: GenerateConfig) -> Iterator[StreamEvent]:
        """One streamed request, no retries; the last event carries finish_reason and usage."""

    async def _acomplete(self, messages: list[Message], config: GenerateConfig) -> Completion:
        return await asyncio.to_thread(self._complete, messages, config)

    async def _astream(self, messages: list[Message], config: GenerateConfig) -> AsyncIterator[StreamEvent]:
        """Run the sync stream in a worker thread and hand events over through a queue."""
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[StreamEvent | BaseException | None] = asyncio.Queue()
        stop = threading.Event()

        def pump() -> None:
            try:
                for event in self._stream(messages, config):
                    if stop.is_set():
                        break
                    loop.call_soon_threadsafe(queue.put_nowait, event)
            except BaseException as exc:
                loop.call_soon_threadsafe(queue.put_nowait, exc)
            finally:
                loop.call_soon_threadsafe(queue.put_nowait, None)

        worker = loop.run_in_executor(None, pump)
        try:
            while True:
                item = await queue.get()
                if item is None:
                    break
                if isinstance(item, BaseException):
                    raise item
                yield item
        finally:
            stop.set()
            await worker

    # -- retry helpers -----------------------------------------------------------------------
    def _retrying_kwargs(self) -> dict[str, object]:
        policy = self.retry
        return {
            "stop": stop_after_attempt(policy.attempts),
            "wait": wait_exponential(multiplier=policy.initial_backoff_s, max=policy.max_backoff_s)
            + wait_random(0, policy.jitter_s),
            "retry": retry_if_exception(_is_retryable),
            "reraise": True,
            "before_sleep": None,
        }

    def _give_up(self, exc: TargetError, attempts: int) -> TargetError:
        if exc.retryable:
            return TargetUnreachableError(f"{self._name}: {exc} (gave up after {attempts} attempts)")
        return exc

    def _record_usage(self, usage: Usage | None) -> None:
        if usage is None:
            return
        with self._usage_lock:
            self._usage = self._usage + usage

    # -- public API --------------------------------------------------------------------------
    def generate(self, prompt: PromptLike, config: GenerateConfig | None = None) -> Completion:
        return self._generate_with(self._complete, prompt, config)

    def _generate_with(
        self,
        complete: Callable[[list[Message], GenerateConfig], Completion],
        prompt: PromptLike,
        config: GenerateConfig | None,
    ) -> Completion:
        """``generate`` around another one-request method (one that also sends pictures, say)."""
        cfg = config or GenerateConfig()
        messages = as_conversation(prompt)
        start = time.perf_counter()
        tries = 0
        try:
            for attempt in Retrying(**self._retrying_kwargs()):  # type: ignore[arg-type]
                tries = attempt.retry_state.attempt_number
                with attempt:
                    completion = complete(messages, cfg)
        except TargetError as exc:
            raise self._give_up(exc, tries) from exc
        self._record_usage(completion.usage)
        return completion.model_copy(update={"latency_s": time.perf_counter() - start, "attempts": tries})

    async def agenerate(self, prompt: PromptLike, config: GenerateConfig | None = None) -> Completion:
        cfg = config or GenerateConfig()
        messages = as_conversation(prompt)
        start = time.perf_counter()
        tries = 0
        try:
            async for attempt in AsyncRetrying(**self._retrying_kwargs()):  # type: ignore[arg-type]
                tries = attempt.retry_state.attempt_number
                with attempt:
                    completion = await self._with_timeout(self._acomplete(messages, cfg), cfg)
        except TargetError as exc:
            raise self._give_up(exc, tries) from exc
        self._record_usage(completion.usage)
        return completion.model_copy(update={"latency_s": time.perf_counter() - start, "attempts": tries})

    async def _with_timeout(self, coro: Coroutine[Any, Any, T], cfg: GenerateConfig) -> T:
        # A hard ceiling slightly above the adapter's own timeout, for adapters that cannot
        # interrupt themselves.
        limit = None if cfg.timeout_s is None else cfg.timeout_s * 1.5 + 1.0
        try:
            return await asyncio.wait_for(coro, limit)
        except TimeoutError as exc:
            raise TargetTimeoutError(f"{self._name}: no answer within {limit:.0f} s") from exc

    def stream(self, prompt: PromptLike, config: GenerateConfig | None = None) -> Iterator[StreamEvent]:
        """Stream the answer. Transient errors are retried only until the first delta arrives."""
        cfg = config or GenerateConfig()
        messages = as_conversation(prompt)
        attempts = 0
        while True:
            attempts += 1
            started = False
            try:
                for event in self._stream(messages, cfg):
                    started = True
                    if event.done:
                        self._record_usage(event.usage)
                    yield event
                return
            except TargetError as exc:
                if started or not exc.retryable or attempts >= self.retry.attempts:
                    raise self._give_up(exc, attempts) from exc
                time.sleep(self._backoff(attempts))

    async def astream(
        self, prompt: PromptLike, config: GenerateConfig | None = None
    ) -> AsyncIterator[StreamEvent]:
        cfg = config or GenerateConfig()
        messages = as_conversation(prompt)
        attempts = 0
        while True:
            attempts += 1
            started = False
            try:
                async for event in self._astream(messages, cfg):
                    started = True
                    if event.done:
                        self._record_usage(event.usage)
                    yield event
                return
            except TargetError as exc:
                if started or not exc.retryable or attempts >= self.retry.attempts:
                    raise self._give_up(exc, attempts) from exc
                await asyncio.sleep(self._backoff(attempts))

    def _backoff(self, attempt: int) -> float:
        policy = self.retry
        return float(min(policy.max_backoff_s, policy.initial_backoff_s * 2 ** (attempt - 1)))

    def _effective_concurrency(self, concurrency: int) -> int:
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        if self.max_concurrency is not None:
            return min(concurrency, self.max_concurrency)
        return concurrency

    def batch(
        self,
        prompts: Sequence[PromptLike],
        config: GenerateConfig | None = None,
        *,
        concurrency: int = 4,
        on_result: Callable[[int, BatchResult], None] | None = None,
    ) -> list[BatchResult]:
        """Answer many prompts with at most ``concurrency`` in flight; errors are returned in place."""
        results: list[BatchResult | None] = [None] * len(prompts)

        def one(index: int) -> None:
            result: BatchResult
            try:
                result = self.generate(prompts[index], config)
            except TargetError as exc:
                result = exc
            results[index] = result
            if on_result is not None:
                on_result(index, result)

        pool = ThreadPoolExecutor(max_workers=self._effective_concurrency(concurrency))
        try:
            for future in [pool.submit(one, i) for i in range(len(prompts))]:
                future.result()
        except BaseException:
            # Ctrl-C or a failing callback: drop what has not started instead of sending it all.
            pool.shutdown(wait=False, cancel_futures=True)
            raise
        pool.shutdown(wait=True)
        return [r for r in results if r is not None]

    async def abatch(
        self,
        prompts: Sequence[PromptLike],
        config: GenerateConfig | None = None,
        *,
        concurrency: int = 4,
        on_result: Callable[[int, BatchResult], None] | None = None,
    ) -> list[BatchResult]:
        semaphore = asyncio.Semaphore(self._effective_concurrency(concurrency))

        async def one(index: int) -> BatchResult:
            async with semaphore:
                result: BatchResult
                try:
                    result = await self.agenerate(prompts[index], config)
                except TargetError as exc:
                    result = exc
            if on_result is not None:
                on_result(index, result)
            return result

        return list(await asyncio.gather(*(one(i) for i in range(len(prompts)))))

    def close(self) -> None:
        """Release resources (model weights, connections). Safe to call twice."""
        return None

    def __enter__(self) -> BaseTarget:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
