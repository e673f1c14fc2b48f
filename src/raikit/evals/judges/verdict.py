"""The structured verdict every raikit judge returns."""

from __future__ import annotations

from pydantic import Field

from raikit.core.types import Score, Verdict


class JudgeVerdict(Verdict):
    """A judge's decision about one text.

    On top of :class:`~raikit.core.types.Verdict` (``valid``: the text is acceptable, ``risk`` in
    [0, 1], per-category ``categories``, ``reason``) it says which judge spoke, the label it chose
    and whether it reached a decision at all. ``decided=False`` (label ``unknown``) means the
    judge could not decide: an LLM judge whose output was unparseable, ambiguous or missing, or a
    target error. Such a verdict is never a success: ``valid`` is False, and benchmark summaries
    count it apart from both outcomes.
    """

    judge: str
    label: str
    score: float = Field(description="the judge's number for its label, on the judge's own scale")
    decided: bool = True

    def as_score(self, name: str | None = None) -> Score:
        """The verdict as a results-store score (``label`` ``unknown`` when undecided)."""
        return Score(
            name=name or self.judge,
            value=self.score,
            label=self.label if self.decided else "unknown",
            explanation=self.reason,
        )


UNKNOWN = "unknown"


def undecided(judge: str, reason: str) -> JudgeVerdict:
    """The verdict of a judge that could not decide: never valid, never a success."""
    return JudgeVerdict(
        judge=judge, label=UNKNOWN, score=0.0, decided=False, valid=False, risk=1.0, reason=reason
    )


def relabel(
    verdict: JudgeVerdict,
    judge: str,
    labels: tuple[str, str],
    *,
    categories: dict[str, float] | None = None,
    note: str = "",
) -> JudgeVerdict:
    """An LLM judge's decided verdict (``labels[0]`` if it flagged, else ``labels[1]``) as ``judge``'s."""
    flagged = not verdict.valid
    return JudgeVerdict(
        judge=judge,
        label=labels[0] if flagged else labels[1],
        score=1.0 if flagged else 0.0,
        valid=not flagged,
        risk=1.0 if flagged else 0.0,
        categories=categories or {},
        reason=f"LLM judge: {verdict.label}{note}",
    )
