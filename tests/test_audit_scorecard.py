"""The scorecard: pooling rules, risk categories, gaps, deltas, skipped benchmarks, and the files."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from audit_support import synthetic_audit
from raikit.core.taxonomy import DIMENSION_IDS, load_taxonomy
from raikit.evals.audit import AuditOptions, run_audit
from raikit.evals.profiles import ProfileError, load_profile
from raikit.report import SCHEMA_VERSION, build_scorecard, write_scorecard
from raikit.report.aggregate import pooled_rate, rate_delta


@pytest.fixture(scope="module")
def card() -> dict:
    return build_scorecard(synthetic_audit())


def test_every_dimension_under_its_taxonomy_id(card: dict) -> None:
    assert card["schema_version"] == SCHEMA_VERSION == 1
    assert list(card["dimensions"]) == list(DIMENSION_IDS)
    for dim_id, dim in card["dimensions"].items():
        assert dim["name"] == load_taxonomy().dimension(dim_id).name
        for pass_name in ("off", "on"):
            assert set(dim[pass_name]) >= {"adherence", "false_refusal", "sources"}
    json.dumps(card)  # JSON-ready


def test_pooling_counts_each_item_once(card: dict) -> None:
    safety = card["dimensions"]["safety"]
    # quick 3/5 + xstest 6/10 (the per-type row is not counted again) + adversarial 1 - 6/10
    assert (safety["off"]["adherence"]["successes"], safety["off"]["adherence"]["n"]) == (13, 25)
    assert (safety["off"]["false_refusal"]["successes"], safety["off"]["false_refusal"]["n"]) == (3, 14)
    assert (safety["on"]["adherence"]["successes"], safety["on"]["adherence"]["n"]) == (22, 25)
    sources = {(s["benchmark"], s["kind"]) for s in safety["off"]["sources"]}
    assert sources == {("quick", "adherence"), ("quick", "false_refusal"), ("xstest", "adherence"),
                       ("xstest", "false_refusal"), ("adversarial", "adherence")}  # fmt: skip
    rate = safety["off"]["adherence"]
    assert rate["value"] == pytest.approx(13 / 25)
    assert rate["ci_low"] <= rate["value"] <= rate["ci_high"]
    assert safety["delta"]["adherence"]["value"] == pytest.approx(22 / 25 - 13 / 25)
    privacy = card["dimensions"]["privacy_security"]["off"]["adherence"]
    # quick 3/5, adversarial exfiltration 1 - 6/10, pieval's indirect injection 1 - 5/10
    assert (privacy["successes"], privacy["n"]) == (3 + 4 + 5, 25)
    overall = card["overall"]["off"]
    assert (overall["adherence"]["successes"], overall["adherence"]["n"]) == (24 + 6 + 16 + 5, 100)
    assert (overall["false_refusal"]["successes"], overall["false_refusal"]["n"]) == (8 + 2, 42)


def test_risk_categories_gaps_and_benchmark_status(card: dict) -> None:
    assert set(card["risk_categories"]) == {r.id for r in load_taxonomy().risk_categories}
    exfil = card["risk_categories"]["sensitive_data_exfiltration"]
    assert exfil["off"]["asr"]["value"] == pytest.approx(0.6)
    assert exfil["on"]["asr"]["value"] == pytest.approx(0.2)
    assert [r["benchmark"] for r in exfil["off"]["by_benchmark"]] == ["adversarial"]
    actions = card["risk_categories"]["unauthorized_actions"]["off"]
    assert (actions["asr"]["successes"], actions["asr"]["n"]) == (6 + 5, 20)  # adversarial + pieval pooled
    assert {r["benchmark"] for r in actions["by_benchmark"]} == {"adversarial", "pieval"}
    assert actions["customer_types"]["end_user"]["n"] == 5
    assert set(exfil["off"]["customer_types"]) == {"app_developer", "end_user"}
    gaps = {(g["name"], g["guard"]) for g in card["fairness_gaps"]}
    assert ("sentiment_gap_max_min", "off") in gaps and ("sentiment_gap_max_min", "on") in gaps
    status = {b["name"]: (b["off"]["status"], b["off"]["reason"]) for b in card["benchmarks"]}
    assert status["tango"] == ("skipped", "benchmark 'tango' is not installed")
    assert status["broken"][0] == "failed"
    assert any("tango" in c for c in card["caveats"])
    assert card["dimensions"]["governance"]["caveats"]  # n=5: flagged as a rough hint
    assert "adherence" in card["glossary"] and "ci" in card["glossary"]


def test_pooled_rate_and_delta_edges() -> None:
    assert pooled_rate([]) is None
    assert rate_delta(None, {"value": 1.0, "n": 3}) is None
    delta = rate_delta({"value": 0.2, "n": 50}, {"value": 0.8, "n": 50})
    assert delta is not None
    assert delta["value"] == pytest.approx(0.6)
    assert delta["ci_low"] < delta["value"] < delta["ci_high"]


def test_files_are_self_contained_and_escaped(tmp_path: Path) -> None:
    paths = write_scorecard(synthetic_audit(), tmp_path)
    assert {p.name for p in paths.values()} == {"scorecard.json", "report.md", "index.html"}
    page = paths["html"].read_text(encoding="utf-8")
    assert "<script" not in page.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    # nothing is loaded from elsewhere: no src/href attributes, no url(...), no @import
    assert not re.search(r"\b(src|href)\s*=", page, re.I)
    assert "url(" not in page and "@import" not in page
    for chart in ("plot-adherence", "plot-asr", "plot-gaps", "plot-deltas"):
        assert f'id="{chart}"' in page
    markdown = paths["markdown"].read_text(encoding="utf-8")
    assert "<script>" not in markdown
    assert "Privacy & Security" in markdown
    assert json.loads(paths["json"].read_text(encoding="utf-8"))["run"]["completion_cache"]["hits"] == 10


def test_profiles() -> None:
    quick, full = load_profile("quick"), load_profile("full")
    wanted = {"xstest", "bold", "tango", "invite", "adversarial", "pieval", "fever", "dialect", "slang"}
    for profile in (quick, full):
        assert wanted <= {e.name for e in profile.benchmarks}
    assert all(e.quick and e.limit for e in quick.benchmarks if e.name != "quick")
    assert quick.only(("quick",)).benchmarks[0].name == "quick"
    assert quick.benchmarks[1].options(None, 5).limit == 5  # --limit lowers a profile's limit
    with pytest.raises(ProfileError, match="no benchmark 'nope'"):
        quick.only(("nope",))
    with pytest.raises(ProfileError, match="no audit profile"):
        load_profile("nonexistent-profile")


def test_profile_file_validation(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nversion: 1\nbenchmarks:\n  - {name: quick, limt: 3}\n", encoding="utf-8")
    with pytest.raises(ProfileError, match="limt"):
        load_profile(bad)
    bad.write_text("name: [unclosed\n", encoding="utf-8")
    with pytest.raises(ProfileError, match="not valid YAML"):
        load_profile(bad)


def test_audit_skips_what_it_cannot_run(tmp_path: Path) -> None:
    """Unknown benchmarks and missing data are listed as skipped; the rest still runs."""
    profile = tmp_path / "p.yaml"
    profile.write_text(
        "name: mixed\nversion: 1\nbenchmarks:\n  - {name: quick, limit: 3}\n  - {name: not-a-benchmark}\n"
        "  - {name: bold, limit: 2}\n",
        encoding="utf-8",
    )
    script = tmp_path / "t.yaml"
    script.write_text('default: "I am sorry, I cannot help with that."\n', encoding="utf-8")
    options = AuditOptions(target=f"scripted:{script}", profile=load_profile(profile), guard=None)
    result = run_audit(options, tmp_path / "audit", progress=False)
    status = {r.benchmark: (r.status, r.reason) for r in result.runs}
    assert status["quick"] == ("completed", None)
    assert status["not-a-benchmark"] == ("skipped", "benchmark 'not-a-benchmark' is not installed")
    assert status["bold"][0] == "skipped" and "--data" in str(status["bold"][1])
    assert result.guard_status == "not requested"
    assert result.n_items == 3
    assert (tmp_path / "audit" / "quick.off" / "results.sqlite").is_file()
