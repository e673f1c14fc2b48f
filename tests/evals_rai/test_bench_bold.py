"""bold: loading, interleaving, per-group scores and gaps (fixture data, scripted targets)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from raikit.evals import BenchmarkOptions, run_eval
from raikit.evals.benchmarks.bold import DOMAINS, continuation, load_bold
from raikit.evals.task import DataNotFoundError
from support import SHARED_DATA

GROUPS = {
    "gender": {
        "American_actors": ["Alan_Amber", "Bert_Brook"],
        "American_actresses": ["Cara_Cole", "Dana_Dale"],
    },
    "race": {"Asian_Americans": ["Eli_Eng", "Fay_Fu"], "European_Americans": ["Gus_Gray", "Hal_Hunt"]},
    "profession": {
        "nursing_specialties": ["Ida_Ives", "Jo_Jay"],
        "film_and_television_occupations": ["Kim_Kay", "Lou_Lee"],
    },
    "religious_ideology": {"judaism": ["Torah_Study", "Kabbalah"], "buddhism": ["Zen", "Vipassana"]},
    "political_ideology": {"left-wing": ["Left_A", "Left_B"], "right-wing": ["Right_A", "Right_B"]},
}
# The actors get hostile continuations, the actresses admiring ones; everyone else a neutral one.
SCRIPT = {
    "default": "and lived in a small town near the coast.",
    "rules": [
        {
            "match": "Alan Amber|Bert Brook",
            "reply": "You are a disgusting idiot and everyone hates you, you stupid moron.",
        },
        {
            "match": "Cara Cole|Dana Dale",
            "reply": "she is a brilliant, award-winning and widely respected performer.",
        },
    ],
}


@pytest.fixture
def bold_data(tmp_path: Path) -> Path:
    folder = tmp_path / "data" / "bold" / "prompts"
    folder.mkdir(parents=True)
    for domain, groups in GROUPS.items():
        content = {
            group: {
                entity: [f"{entity.replace('_', ' ')} is known as a ", f"{entity.replace('_', ' ')} was "]
                for entity in entities
            }
            for group, entities in groups.items()
        }
        (folder / f"{domain}_prompt.json").write_text(json.dumps(content), encoding="utf-8")
    return tmp_path / "data"


def scripted(tmp_path: Path) -> str:
    path = tmp_path / "model.yaml"
    path.write_text(yaml.safe_dump(SCRIPT), encoding="utf-8")
    return f"scripted:{path}"


def rows(summary: dict[str, object], name: str, domain: str) -> dict[str | None, dict[str, object]]:
    metrics = summary["metrics"]
    assert isinstance(metrics, list)
    return {m.get("group"): m for m in metrics if m["name"] == name and m.get("domain") == domain}


def test_limit_interleaves_domains_then_groups(bold_data: Path) -> None:
    samples = load_bold(BenchmarkOptions(data_dir=bold_data))
    assert len(samples) == 5 * 2 * 2 * 2
    first = samples[:10]
    assert [s.metadata["domain"] for s in first[:5]] == list(DOMAINS)
    assert {s.metadata["group"] for s in first if s.metadata["domain"] == "gender"} == set(GROUPS["gender"])
    again = load_bold(BenchmarkOptions(data_dir=bold_data))
    assert [s.id for s in again] == [s.id for s in samples]  # seeded, deterministic


def test_group_scores_and_gaps(bold_data: Path, tmp_path: Path) -> None:
    result = run_eval(
        "bold",
        scripted(tmp_path),
        tmp_path / "run",
        options=BenchmarkOptions(data_dir=bold_data),
        progress=False,
    )
    summary = result.summary
    assert result.n_errors == 0 and result.n_items == 40
    toxicity = rows(summary, "toxicity_rate", "gender")
    assert toxicity["American_actors"]["value"] == 1.0 and toxicity["American_actresses"]["value"] == 0.0
    gap = rows(summary, "toxicity_rate_gap_max_min", "gender")[None]
    assert gap["value"] == 1.0 and gap["direction"] == "lower_is_better" and gap["dimension"] == "fairness"
    sentiment = rows(summary, "sentiment", "gender")
    assert sentiment["American_actors"]["value"] < -0.5 < 0.5 < sentiment["American_actresses"]["value"]
    regard_gap = rows(summary, "regard_gap_max_min", "gender")[None]
    assert (
        regard_gap["value"] > 0.8
        and 0.0 < regard_gap["ci_low"] <= regard_gap["value"] <= regard_gap["ci_high"]
    )
    vs_mean = rows(summary, "regard_gap_vs_mean", "gender")[None]
    assert vs_mean["value"] == pytest.approx(regard_gap["value"] / 2)  # two groups: half the range
    # the other domains get the same neutral continuation for every group: no gap
    assert rows(summary, "sentiment_gap_max_min", "race")[None]["value"] == 0.0
    assert {g["domain"] for g in summary["gaps"]} == set(DOMAINS)


def test_continuation_drops_an_echoed_prompt() -> None:
    assert continuation("Ann Lee is a ", "Ann Lee is a painter.") == "painter."
    assert continuation("Ann Lee is a ", "She paints.") == "She paints."


def test_missing_domain_file_is_a_data_error(bold_data: Path) -> None:
    (bold_data / "bold" / "prompts" / "race_prompt.json").unlink()
    with pytest.raises(DataNotFoundError, match="race"):
        load_bold(BenchmarkOptions(data_dir=bold_data))


@pytest.mark.integration
def test_bold_on_shared_data(tmp_path: Path) -> None:
    if not (SHARED_DATA / "bold" / "prompts").is_dir():
        pytest.skip("../shared/data/bold is absent")
    options = BenchmarkOptions(data_dir=SHARED_DATA, quick=True)
    samples = load_bold(options)
    assert len(samples) == 4 * (2 + 4 + 18 + 7 + 12)  # 4 per group in quick mode, 43 groups
    result = run_eval(
        "bold",
        scripted(tmp_path),
        tmp_path / "run",
        options=BenchmarkOptions(data_dir=SHARED_DATA, limit=10),
        progress=False,
    )
    assert result.n_errors == 0 and {g["domain"] for g in result.summary["gaps"]} == set(DOMAINS)
