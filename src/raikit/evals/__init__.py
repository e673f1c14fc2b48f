"""RAI evaluation: suites of samples, judges, metrics with confidence intervals, and the audit."""

from raikit.evals.audit import AuditOptions, AuditResult, run_audit
from raikit.evals.dataset import Sample, Suite, load_builtin_suite
from raikit.evals.hub import HubSource, HubUnavailableError
from raikit.evals.judges import RefusalJudge, RefusalVerdict
from raikit.evals.judging import make_refusal_judge, refusal_judge
from raikit.evals.metrics import Rate, bootstrap_rate
from raikit.evals.run import EvalResult, run_eval
from raikit.evals.task import (
    BenchmarkOptions,
    EvalSample,
    SolverOutput,
    Task,
    benchmark,
    default_benchmark_registry,
)

__all__ = [
    "AuditOptions",
    "AuditResult",
    "BenchmarkOptions",
    "EvalResult",
    "EvalSample",
    "HubSource",
    "HubUnavailableError",
    "Rate",
    "RefusalJudge",
    "RefusalVerdict",
    "Sample",
    "SolverOutput",
    "Suite",
    "Task",
    "benchmark",
    "bootstrap_rate",
    "default_benchmark_registry",
    "load_builtin_suite",
    "make_refusal_judge",
    "refusal_judge",
    "run_audit",
    "run_eval",
]
