"""The audit scorecard: scorecard.json, report.md and a self-contained index.html."""

from raikit.report.scorecard import SCHEMA_VERSION, build_scorecard, write_scorecard

__all__ = ["SCHEMA_VERSION", "build_scorecard", "write_scorecard"]
