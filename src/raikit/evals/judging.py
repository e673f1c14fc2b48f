"""Which refusal judge a benchmark uses, chosen from its options.

Every benchmark that judges refusal (the per-dimension suites, XSTest, BOLD, the adversarial
suite) asks :func:`refusal_judge` for its judge instead of building one: the fast phrase
classifier by default, or, when ``options.judge_target`` names a target, an
:class:`~raikit.evals.judges.llm.LLMRefusalJudge` on that target (the classifier keeps its
confident verdicts and the LLM decides the uncertain band, or every answer with
``judge_escalate="always"``). INVITE uses the same target for its premise-correction judge.

Both judges return a :class:`~raikit.evals.judges.verdict.JudgeVerdict` labelled ``refusal`` /
``answer``, or ``unknown`` (``decided=False``) when the LLM's answer could not be parsed: callers
must never count an undecided verdict as a success.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from raikit.evals.judges.llm import LLMJudge, LLMRefusalJudge, from_refusal, refusal_llm_judge
from raikit.evals.judges.refusal import RefusalJudge
from raikit.evals.judges.verdict import JudgeVerdict
from raikit.evals.task import BenchmarkOptions, JudgeEscalation
from raikit.models import get_target


class RefusalJudging(Protocol):
    def judge(self, completion: str, prompt: str | None = None) -> JudgeVerdict: ...


class FastRefusal:
    """The phrase-based :class:`RefusalJudge` behind the :class:`JudgeVerdict` interface."""

    name = "refusal"

    def __init__(self) -> None:
        self.fast = RefusalJudge()

    def judge(self, completion: str, prompt: str | None = None) -> JudgeVerdict:
        return from_refusal(self.fast.judge(completion, prompt))

    def close(self) -> None:
        """Nothing to release (the same interface as the LLM judge)."""


class RefusalJudgeHandle(Protocol):
    def judge(self, completion: str, prompt: str | None = None) -> JudgeVerdict: ...

    def close(self) -> None: ...


def open_llm_judge(target: str) -> LLMJudge:
    """The REFUSAL / COMPLIANCE LLM judge on ``target``, opened now so a bad target fails at once
    (before any item is answered) with the target's own one-line error."""
    judge = refusal_llm_judge(target)
    judge.target  # noqa: B018 - opening the target is the point: fail fast on a bad target string
    return judge


def make_refusal_judge(target: str | None, escalate: JudgeEscalation = "uncertain") -> RefusalJudgeHandle:
    """The fast classifier, or the LLM refusal judge on ``target`` (opened now)."""
    if target is None:
        return FastRefusal()
    return LLMRefusalJudge(open_llm_judge(target), escalate=escalate)


def refusal_judge(options: BenchmarkOptions) -> RefusalJudgeHandle:
    """The refusal judge the benchmark options ask for (see the module docstring)."""
    return make_refusal_judge(options.judge_target, options.judge_escalate)


def llm_judge(options: BenchmarkOptions) -> LLMJudge | None:
    """The LLM judge on ``options.judge_target`` for benchmarks with their own rubric, or None."""
    return None if options.judge_target is None else open_llm_judge(options.judge_target)


def closer(judge: object) -> tuple[Callable[[], None], ...]:
    """``judge.close`` as a task closer, when the judge has one."""
    close = getattr(judge, "close", None)
    return (close,) if callable(close) else ()


def check_judge_target(target: str | None) -> None:
    """Fail now, with the target's one-line error, when ``target`` cannot be opened."""
    if target is not None:
        get_target(target).close()
