"""Judges turn a completion into a structured verdict.

- :class:`RefusalJudge` (fast multilingual phrases) and :class:`LLMRefusalJudge` (an LLM on top);
- :class:`LLMJudge`: any question with fixed labels to any target, strictly parsed;
- :class:`ToxicityJudge` and :class:`HarmfulnessJudge`: the guard's trained heads, offline;
- :class:`SentimentJudge` (VADER) and :class:`RegardJudge` (a lexicon estimate of regard).

All but :class:`RefusalJudge` return a :class:`JudgeVerdict`; heavy dependencies load on first use.
"""

from raikit.evals.judges.harm import HarmfulnessJudge
from raikit.evals.judges.llm import (
    LLMJudge,
    LLMRefusalJudge,
    escape_judged,
    from_refusal,
    parse_verdict,
    refusal_llm_judge,
)
from raikit.evals.judges.refusal import RefusalJudge, RefusalVerdict
from raikit.evals.judges.sentiment import RegardJudge, SentimentJudge
from raikit.evals.judges.toxicity import ToxicityJudge
from raikit.evals.judges.verdict import UNKNOWN, JudgeVerdict, undecided

__all__ = [
    "UNKNOWN",
    "HarmfulnessJudge",
    "JudgeVerdict",
    "LLMJudge",
    "LLMRefusalJudge",
    "RefusalJudge",
    "RefusalVerdict",
    "RegardJudge",
    "SentimentJudge",
    "ToxicityJudge",
    "escape_judged",
    "from_refusal",
    "parse_verdict",
    "refusal_llm_judge",
    "undecided",
]
