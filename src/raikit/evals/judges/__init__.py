"""Judges turn a completion into a structured verdict."""

from raikit.evals.judges.refusal import RefusalJudge, RefusalVerdict

__all__ = ["RefusalJudge", "RefusalVerdict"]
