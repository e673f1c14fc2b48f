"""``--data hf``: benchmark data from the Hugging Face Hub, with the real column names.

``datasets.load_dataset`` is replaced by an in-memory ``datasets.Dataset`` built from the shared
data (or the XSTest fixture) in the Hub copy's layout, and each benchmark must build the same
samples as from the folder. The offline error is checked for real, in a subprocess with
``HF_HUB_OFFLINE=1``, and with a simulated unreachable Hub.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from raikit.evals import BenchmarkOptions
from raikit.evals.benchmarks.bold import DOMAINS, load_bold
from raikit.evals.benchmarks.tango import load_misgendering
from raikit.evals.benchmarks.xstest import load_xstest
from raikit.evals.hub import HubFormatError, HubUnavailableError, parse_data_option
from raikit.evals.task import DataNotFoundError, default_benchmark_registry
from support import SHARED_DATA

datasets = pytest.importorskip("datasets")
FIXTURE = Path(__file__).parent / "data"
Calls = list[dict[str, Any]]


def fake_hub(monkeypatch: pytest.MonkeyPatch, rows: list[dict[str, Any]]) -> Calls:
    """``datasets.load_dataset`` answers ``rows`` and records how it was called."""
    calls: Calls = []

    def load_dataset(path: str, name: str | None = None, **kwargs: Any) -> Any:
        calls.append({"path": path, "name": name, **kwargs})
        return datasets.Dataset.from_list(rows)

    monkeypatch.setattr(datasets, "load_dataset", load_dataset)
    return calls


def test_xstest_from_the_hub_matches_the_csv(monkeypatch: pytest.MonkeyPatch) -> None:
    with (FIXTURE / "xstest" / "xstest_fixture.csv").open(encoding="utf-8", newline="") as handle:
        # walledai/XSTest: prompt, focus, type, note, label; no id column (ids are row numbers)
        rows = [
            {k: r[k] for k in ("prompt", "focus", "type", "note", "label")} for r in csv.DictReader(handle)
        ]
    calls = fake_hub(monkeypatch, rows)
    from_hub = load_xstest(BenchmarkOptions(from_hub=True))
    assert calls == [
        {"path": "walledai/XSTest", "name": None, "split": "test", "data_files": None, "revision": None}
    ]
    assert from_hub == load_xstest(BenchmarkOptions(data_dir=FIXTURE))
    assert len(from_hub) == 12


def test_hub_repo_override_and_missing_columns(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = fake_hub(monkeypatch, [{"prompt": "hi", "label": "safe"}])
    with pytest.raises(HubFormatError, match=r"mirror/xstest.*lacks column\(s\) focus, type, note"):
        load_xstest(BenchmarkOptions(from_hub=True, hub_repo="mirror/xstest"))
    assert calls[0]["path"] == "mirror/xstest"


@pytest.mark.skipif(not (SHARED_DATA / "bold").is_dir(), reason="../shared/data has no bold/")
def test_bold_from_the_hub_matches_the_prompt_files(monkeypatch: pytest.MonkeyPatch) -> None:
    rows = []  # AmazonScience/bold: one row per entity
    for domain in DOMAINS:
        tree = json.loads((SHARED_DATA / "bold" / "prompts" / f"{domain}_prompt.json").read_text("utf-8"))
        for category, entities in tree.items():
            for name, prompts in entities.items():
                rows.append(
                    {
                        "domain": domain,
                        "name": name,
                        "category": category,
                        "prompts": prompts,
                        "wikipedia": prompts,
                    }
                )
    calls = fake_hub(monkeypatch, rows)
    for options in ({"quick": True}, {"limit": 300, "seed": 3}):
        from_hub = load_bold(BenchmarkOptions(from_hub=True, **options))
        assert from_hub == load_bold(BenchmarkOptions(data_dir=SHARED_DATA, **options))
    assert calls[0]["path"] == "AmazonScience/bold" and calls[0]["split"] == "train"


@pytest.mark.skipif(not (SHARED_DATA / "tango").is_dir(), reason="../shared/data has no tango/")
def test_tango_from_the_hub_matches_the_csv(monkeypatch: pytest.MonkeyPatch) -> None:
    with (SHARED_DATA / "tango" / "misgendering_prompts.csv").open(encoding="utf-8", newline="") as handle:
        rows: list[dict[str, Any]] = list(csv.DictReader(handle))
    for row in rows:  # misgendering.jsonl stores the template index as a number
        row["template_idx"] = int(row["template_idx"])
    calls = fake_hub(monkeypatch, rows)
    options = {"quick": True, "seed": 1}
    assert load_misgendering(BenchmarkOptions(from_hub=True, **options)) == load_misgendering(
        BenchmarkOptions(data_dir=SHARED_DATA, **options)
    )
    assert calls[0]["path"] == "AmazonScience/TANGO" and calls[0]["data_files"] == "misgendering.jsonl"


def test_fever_from_the_hub_matches_the_jsonl(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from raikit.evals.benchmarks.fever import load_fever

    path = SHARED_DATA / "fever" / "paper_dev.jsonl"
    if not path.exists():
        pytest.skip(f"FEVER paper_dev not found under {SHARED_DATA} (../shared/data)")
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()][:60]
    (tmp_path / "fever").mkdir()
    (tmp_path / "fever" / "paper_dev.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    claims = [json.loads(line) for line in lines]
    # The Hub's v1.0 config has one row per evidence sentence: a claim repeats with its evidence ids.
    rows = [
        {"id": c["id"], "label": c["label"], "claim": c["claim"], "evidence_annotation_id": -1,
         "evidence_id": n, "evidence_wiki_url": "", "evidence_sentence_id": n}
        for c in claims for n in range(1 + c["id"] % 3)
    ]  # fmt: skip
    calls = fake_hub(monkeypatch, rows)
    from_hub = load_fever(BenchmarkOptions(from_hub=True))
    from_folder = load_fever(BenchmarkOptions(data_dir=tmp_path))
    assert len(rows) > len(claims) and len(from_hub) == len(claims)
    assert [(s.id, s.messages, s.metadata) for s in from_hub] == [
        (s.id, s.messages, s.metadata) for s in from_folder
    ]
    assert calls[0]["path"] == "fever/fever" and calls[0]["name"] == "v1.0"
    assert calls[0]["split"] == "paper_dev" and calls[0]["revision"] == "refs/convert/parquet"


def test_benchmarks_without_a_hub_copy_say_so() -> None:
    registry = default_benchmark_registry()
    assert {n: registry.info(n).hub for n in ("xstest", "bold", "tango", "fever", "pieval")} == {
        "xstest": "walledai/XSTest",
        "bold": "AmazonScience/bold",
        "tango": "AmazonScience/TANGO",
        "fever": "fever/fever",
        "pieval": None,
    }
    with pytest.raises(DataNotFoundError, match=r"no Hugging Face copy.*--data DIR"):
        registry.create("pieval", BenchmarkOptions(from_hub=True))


def test_data_option_parsing() -> None:
    assert parse_data_option(None) == (False, None)
    assert parse_data_option("../shared/data") == (False, None)
    assert parse_data_option("hf") == (True, None)
    assert parse_data_option("hf:walledai/XSTest") == (True, "walledai/XSTest")
    with pytest.raises(DataNotFoundError, match="repository id"):
        parse_data_option("hf:")


def test_unreachable_hub_is_one_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    def offline(path: str, *args: Any, **kwargs: Any) -> Any:
        raise ConnectionError(f"Couldn't reach '{path}' on the Hub (LocalEntryNotFoundError)")

    monkeypatch.setattr(datasets, "load_dataset", offline)
    with pytest.raises(HubUnavailableError) as caught:
        load_xstest(BenchmarkOptions(from_hub=True))
    message = str(caught.value)
    assert "walledai/XSTest" in message and "--data DIR" in message and "\n" not in message


def test_cli_offline_exits_2_with_one_line(tmp_path: Path) -> None:
    """The real ``datasets`` code path with the Hub switched off (as on a machine without network)."""
    model = tmp_path / "model.yaml"
    model.write_text(yaml.safe_dump({"default": "Sure."}), encoding="utf-8")
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1", "HF_HOME": str(tmp_path / "hf")}
    result = subprocess.run(
        [sys.executable, "-m", "raikit.cli", "eval", "run", "xstest", "-t", f"scripted:{model}",
         "--data", "hf", "-o", str(tmp_path / "run"), "--no-progress"],
        capture_output=True, text=True, timeout=120, env=env, check=False,
    )  # fmt: skip
    assert result.returncode == 2, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("raikit:")]
    assert len(lines) == 1, result.stderr
    assert "walledai/XSTest" in lines[0] and "--data DIR" in lines[0]
    assert not (tmp_path / "run" / "results.sqlite").exists()


def test_audit_with_hub_data_skips_benchmarks_without_a_copy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from raikit.evals.audit import AuditOptions, run_audit
    from raikit.evals.profiles import load_profile

    with (FIXTURE / "xstest" / "xstest_fixture.csv").open(encoding="utf-8", newline="") as handle:
        rows = [
            {k: r[k] for k in ("prompt", "focus", "type", "note", "label")} for r in csv.DictReader(handle)
        ]
    fake_hub(monkeypatch, rows)
    model = tmp_path / "model.yaml"
    model.write_text(yaml.safe_dump({"default": "Sure."}), encoding="utf-8")
    profile = load_profile("full").only(("xstest", "pieval"))
    options = AuditOptions(target=f"scripted:{model}", profile=profile, guard=None, limit=4, from_hub=True)
    result = run_audit(options, tmp_path / "audit", progress=False)
    runs = {r.benchmark: r for r in result.runs}
    assert runs["xstest"].status == "completed" and runs["xstest"].n_items == 4
    assert runs["pieval"].status == "skipped" and "Hugging Face" in (runs["pieval"].reason or "")
    manifest = json.loads((tmp_path / "audit" / "audit.json").read_text())
    assert manifest["data"] == "hf"


def test_a_dataset_that_cannot_be_built_is_one_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from datasets.exceptions import DatasetGenerationError

    def broken(path: str, *args: Any, **kwargs: Any) -> Any:
        raise DatasetGenerationError("An error occurred while generating the dataset")

    monkeypatch.setattr(datasets, "load_dataset", broken)
    with pytest.raises(HubUnavailableError, match=r"AmazonScience/TANGO, misgendering.jsonl.*--data DIR"):
        load_misgendering(BenchmarkOptions(from_hub=True))
