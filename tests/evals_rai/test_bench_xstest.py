"""xstest: the XSTest-format loader, its metrics, undecided verdicts and bad files."""

from __future__ import annotations

import functools
import json
import shutil
from pathlib import Path

import pytest
import yaml

from raikit.evals import BenchmarkOptions, run_eval
from raikit.evals.benchmarks.xstest import InvalidBenchmarkDataError, load_xstest, xstest_task
from raikit.evals.judges import LLMRefusalJudge, refusal_llm_judge
from support import SHARED_DATA, run_raikit

FIXTURE = Path(__file__).parent / "data"
# refuses the five unsafe prompts it recognises, plus two safe ones (kill a process, shoot a photo)
SCRIPT = {
    "default": "Sure! Here is a short, helpful answer to your question.",
    "rules": [
        {
            "match": r"(?i)\b(kill|shoot|cocaine|blow up a car|home address)",
            "reply": "I'm sorry, but I can't help with that.",
        }
    ],
}


def scripted(tmp_path: Path, body: dict[str, object], name: str = "model") -> str:
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(body), encoding="utf-8")
    return f"scripted:{path}"


def test_false_refusal_and_adherence_on_the_fixture(tmp_path: Path) -> None:
    result = run_eval(
        "xstest",
        scripted(tmp_path, SCRIPT),
        tmp_path / "run",
        options=BenchmarkOptions(data_dir=FIXTURE),
        progress=False,
    )
    summary = result.summary
    assert summary["false_refusal"]["successes"] == 2 and summary["false_refusal"]["n"] == 6
    assert summary["adherence"]["successes"] == 5 and summary["adherence"]["n"] == 6
    row = summary["false_refusal"]
    assert row["dimension"] == "safety" and row["direction"] == "lower_is_better"
    assert row["ci_low"] <= row["value"] <= row["ci_high"]
    by_type = {(m["name"], m.get("group")): m["value"] for m in summary["metrics"]}
    assert by_type[("false_refusal_rate", "homonyms")] == pytest.approx(2 / 3)
    assert by_type[("adherence_rate", "contrast_discr")] == 0.0
    assert {f["item_id"] for f in summary["findings"]} == {"xstest-1", "xstest-3", "xstest-12"}


def test_limit_takes_safe_and_unsafe_in_turn() -> None:
    samples = xstest_task(BenchmarkOptions(data_dir=FIXTURE, limit=4)).samples
    assert [s.metadata["label"] for s in samples] == ["safe", "unsafe", "safe", "unsafe"]


def test_undecided_llm_verdicts_are_counted_apart(tmp_path: Path) -> None:
    judge = LLMRefusalJudge(refusal_llm_judge(scripted(tmp_path, {"default": "hmm, hard to say"}, "judge")))
    options = BenchmarkOptions(data_dir=FIXTURE, limit=4)
    task = xstest_task(options, judge=judge)
    result = run_eval(
        "xstest", scripted(tmp_path, SCRIPT), tmp_path / "run", options=options, task=task, progress=False
    )
    assert result.summary["undecided"] == 4
    assert result.summary["false_refusal"]["n"] == 0 and result.summary["false_refusal"]["value"] is None


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("id,prompt,label\n1,hi,safe\n", "missing column(s) type, focus, note"),
        ("id,prompt,type,label,focus,note\n1,hi,t,maybe,,\n", "label must be safe or unsafe"),
        ("id,prompt,type,label,focus,note\n1,hi,t,safe,,\n1,yo,t,unsafe,,\n", "duplicate id '1'"),
        ("id,prompt,type,label,focus,note\n1,,t,safe,,\n", "empty id or prompt"),
    ],
)
def test_bad_files_give_one_clear_error(tmp_path: Path, content: str, message: str) -> None:
    folder = tmp_path / "xstest"
    folder.mkdir()
    (folder / "items.csv").write_text(content, encoding="utf-8")
    with pytest.raises(InvalidBenchmarkDataError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_xstest(BenchmarkOptions(data_dir=tmp_path))


raikit = functools.partial(run_raikit, timeout=120)


def test_cli_runs_xstest_and_rejects_bad_data_with_exit_2(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(FIXTURE, data)
    target = scripted(tmp_path, SCRIPT)
    common = ["--target", target, "--data", data, "--no-progress"]
    ok = raikit("eval", "run", "xstest", *common, "--limit", "4", "-o", tmp_path / "run", cwd=tmp_path)
    assert ok.returncode == 0, ok.stderr
    line = json.loads(ok.stdout.strip().splitlines()[-1])
    assert line["benchmark"] == "xstest" and line["items"] == 4
    assert line["false_refusal"]["n"] == 2 and line["adherence"]["n"] == 2
    (data / "xstest" / "broken.csv").write_text("id,prompt\n1,x\n", encoding="utf-8")
    bad = raikit("eval", "run", "xstest", *common, "-o", tmp_path / "run2", cwd=tmp_path)
    assert bad.returncode == 2 and "missing column" in bad.stderr
    assert len(bad.stderr.strip().splitlines()) == 1


@pytest.mark.integration
def test_xstest_on_shared_data(tmp_path: Path) -> None:
    if not (SHARED_DATA / "xstest").is_dir():
        pytest.skip("../shared/data has no xstest/ folder (XSTest is not part of the shared data)")
    result = run_eval(
        "xstest",
        scripted(tmp_path, SCRIPT),
        tmp_path / "run",
        options=BenchmarkOptions(data_dir=SHARED_DATA, limit=20),
        progress=False,
    )
    assert result.n_errors == 0 and result.summary["false_refusal"]["n"] > 0
