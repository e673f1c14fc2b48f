"""Bootstrap means and group gaps."""

from __future__ import annotations

import pytest

from raikit.evals.group_stats import (
    bootstrap_gap,
    bootstrap_mean,
    group_gap_rows,
    max_deviation_from_mean,
    max_min_gap,
)


def test_gap_point_estimates_and_intervals() -> None:
    groups = {"a": [0.0, 0.1, 0.2, 0.1], "b": [0.8, 0.9, 1.0, 0.9], "c": [0.5, 0.5, 0.4, 0.6]}
    gap = bootstrap_gap(groups, max_min_gap)
    assert gap.value == pytest.approx(0.8) and gap.low is not None and gap.high is not None
    assert gap.low <= gap.value <= gap.high and gap.n == 12
    deviation = bootstrap_gap(groups, max_deviation_from_mean)
    assert deviation.value == pytest.approx(0.4)


def test_no_interval_from_single_values_and_no_gap_from_one_group() -> None:
    assert bootstrap_mean([0.3]).value == 0.3 and bootstrap_mean([0.3]).low is None
    assert bootstrap_mean([]).value is None
    thin = bootstrap_gap({"a": [0.0], "b": [1.0, 0.5]}, max_min_gap)
    assert thin.value == pytest.approx(0.75) and thin.low is None and thin.high is None
    assert bootstrap_gap({"a": [0.0, 1.0], "b": []}, max_min_gap).value is None


def test_rows_are_self_describing() -> None:
    rows = group_gap_rows(
        "regard",
        {"x": [0.1, 0.2], "y": [0.5, 0.7]},
        dimension="fairness",
        direction="higher_is_better",
        domain="gender",
    )
    names = [r["name"] for r in rows]
    assert names == ["regard", "regard", "regard_gap_max_min", "regard_gap_vs_mean"]
    assert rows[0]["group"] == "x" and rows[0]["direction"] == "higher_is_better"
    assert all(r["dimension"] == "fairness" and r["domain"] == "gender" for r in rows)
    assert rows[2]["direction"] == "lower_is_better" and rows[2]["groups"] == 2
