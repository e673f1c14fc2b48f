"""BaseTarget machinery: retries with backoff, timeouts, batching under a concurrency limit, usage."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from raikit.core.types import Completion, Message, StreamEvent, Usage
from raikit.models import (
    BaseTarget,
    GenerateConfig,
    RetryPolicy,
    TargetError,
    TargetResponseError,
    TargetTimeoutError,
    TargetUnavailableError,
    TargetUnreachableError,
    get_target,
)

FAST = RetryPolicy(attempts=4, initial_backoff_s=0.01, max_backoff_s=0.05, jitter_s=0.0)


class Flaky(BaseTarget):
    """Fails ``failures`` times with ``error`` and then answers; records concurrency."""

    def __init__(self, failures: int = 0, error: TargetError | None = None, delay: float = 0.0) -> None:
        super().__init__("test:flaky", retry=FAST)
        self.failures = failures
        self.error = error or TargetUnavailableError("temporarily down")
        self.delay = delay
        self.calls = 0
        self.in_flight = 0
        self.peak = 0
        self.lock = threading.Lock()

    def _fail_or_pass(self) -> None:
        with self.lock:
            self.calls += 1
            if self.calls <= self.failures:
                raise self.error

    def _complete(self, messages: list[Message], config: GenerateConfig) -> Completion:
        self._fail_or_pass()
        with self.lock:
            self.in_flight += 1
            self.peak = max(self.peak, self.in_flight)
        time.sleep(self.delay)
        with self.lock:
            self.in_flight -= 1
        return Completion(
            text=f"echo:{messages[-1].content}", usage=Usage(prompt_tokens=2, completion_tokens=3)
        )

    def _stream(self, messages: list[Message], config: GenerateConfig) -> Iterator[StreamEvent]:
        self._fail_or_pass()
        yield StreamEvent(delta="a")
        yield StreamEvent(delta="b")
        yield StreamEvent(finish_reason="stop", usage=Usage(prompt_tokens=1, completion_tokens=2))


class BreaksMidStream(Flaky):
    def _stream(self, messages: list[Message], config: GenerateConfig) -> Iterator[StreamEvent]:
        self.calls += 1
        yield StreamEvent(delta="partial")
        raise TargetUnavailableError("connection dropped")


def test_transient_errors_are_retried() -> None:
    target = Flaky(failures=2)
    completion = target.generate("hi")
    assert completion.text == "echo:hi"
    assert completion.attempts == 3
    assert target.calls == 3


def test_permanent_errors_are_not_retried() -> None:
    target = Flaky(failures=5, error=TargetResponseError("bad request"))
    with pytest.raises(TargetResponseError, match="bad request"):
        target.generate("hi")
    assert target.calls == 1


def test_giving_up_names_the_number_of_attempts() -> None:
    target = Flaky(failures=100)
    with pytest.raises(TargetUnreachableError, match="after 4 attempts"):
        target.generate("hi")
    assert target.calls == 4


def test_backoff_grows_exponentially() -> None:
    target = Flaky(failures=3)
    target.retry = RetryPolicy(attempts=4, initial_backoff_s=0.05, max_backoff_s=1.0, jitter_s=0.0)
    start = time.perf_counter()
    target.generate("hi")
    # waits of 0.05, 0.1, 0.2 s (tenacity: multiplier * 2**n, capped)
    assert time.perf_counter() - start >= 0.3


def test_async_retries_too() -> None:
    target = Flaky(failures=1)
    completion = asyncio.run(target.agenerate("hi"))
    assert completion.text == "echo:hi" and completion.attempts == 2


def test_async_timeout_is_enforced_even_if_the_adapter_hangs() -> None:
    target = Flaky(delay=2.0)

    async def timed() -> float:
        start = time.perf_counter()
        with pytest.raises(TargetTimeoutError):
            await target.agenerate("hi", GenerateConfig(timeout_s=0.2))
        return time.perf_counter() - start

    # the hard ceiling is 1.5 x timeout + 1 s; asyncio.run itself still waits for the worker thread
    assert asyncio.run(timed()) < 1.9


def test_stream_retries_only_before_the_first_delta() -> None:
    target = Flaky(failures=1)
    assert "".join(e.delta for e in target.stream("hi")) == "ab"
    assert target.calls == 2
    broken = BreaksMidStream()
    with pytest.raises(TargetUnreachableError):
        list(broken.stream("hi"))
    assert broken.calls == 1, "a stream that already produced text must not be restarted"


def test_async_stream() -> None:
    async def collect() -> list[StreamEvent]:
        return [e async for e in Flaky(failures=1).astream("hi")]

    events = asyncio.run(collect())
    assert [e.delta for e in events if e.delta] == ["a", "b"]
    assert events[-1].done


@pytest.mark.parametrize("concurrency", [1, 3])
def test_batch_keeps_order_and_respects_the_concurrency_limit(concurrency: int) -> None:
    target = Flaky(delay=0.05)
    prompts = [f"p{i}" for i in range(9)]
    seen: list[int] = []
    results = target.batch(prompts, concurrency=concurrency, on_result=lambda i, _: seen.append(i))
    assert [r.text for r in results if isinstance(r, Completion)] == [f"echo:p{i}" for i in range(9)]
    assert sorted(seen) == list(range(9))
    assert target.peak <= concurrency
    if concurrency > 1:
        assert target.peak > 1, "batch should run requests in parallel"


def test_async_batch_returns_errors_in_place() -> None:
    target = Flaky(failures=100, error=TargetResponseError("nope"))
    results = asyncio.run(target.abatch(["a", "b"], concurrency=2))
    assert all(isinstance(r, TargetResponseError) for r in results)


def test_async_batch_limits_concurrency() -> None:
    target = Flaky(delay=0.05)
    results = asyncio.run(target.abatch([str(i) for i in range(8)], concurrency=2))
    assert len(results) == 8 and target.peak <= 2


def test_usage_accumulates_across_calls() -> None:
    target = Flaky()
    target.generate("a")
    target.generate("b")
    list(target.stream("c"))
    assert target.usage == Usage(prompt_tokens=5, completion_tokens=8)


def test_scripted_rules_sequence_and_simulated_errors(tmp_path: Path) -> None:
    script = tmp_path / "s.yaml"
    script.write_text(
        "rules:\n"
        "  - match: '(?i)hello'\n    reply: 'Hi! You said: {prompt}'\n"
        "  - contains: flaky\n    error: unavailable\n    times: 2\n    reply: recovered\n"
        "sequence: [one, two]\ndefault: fallback\n"
    )
    target = get_target(f"scripted:{script}")
    assert isinstance(target, BaseTarget)
    target.retry = FAST
    assert target.generate("HELLO there").text == "Hi! You said: HELLO there"
    assert [target.generate("x").text for _ in range(3)] == ["one", "two", "fallback"]
    completion = target.generate("flaky call")
    assert completion.text == "recovered" and completion.attempts == 3
    assert target.generate("hello", GenerateConfig(max_tokens=1)).finish_reason == "length"
