"""Scorecards for people: JSON, Markdown and a self-contained HTML page."""

from raikit.report.scorecard import write_scorecard

__all__ = ["write_scorecard"]
