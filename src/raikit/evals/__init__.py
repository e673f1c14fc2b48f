"""RAI evaluation: suites of samples, judges, metrics with confidence intervals, and the audit."""

from raikit.evals.audit import AuditResult, run_audit
from raikit.evals.dataset import Sample, Suite, load_builtin_suite
from raikit.evals.judges import RefusalJudge, RefusalVerdict
from raikit.evals.metrics import Rate, bootstrap_rate

__all__ = [
    "AuditResult",
    "Rate",
    "RefusalJudge",
    "RefusalVerdict",
    "Sample",
    "Suite",
    "bootstrap_rate",
    "load_builtin_suite",
    "run_audit",
]
