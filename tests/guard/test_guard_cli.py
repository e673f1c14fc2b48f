"""``raikit guard scan|check|policy`` — the fixed CLI contract, run as real subprocesses."""

from __future__ import annotations

import functools
import json
from pathlib import Path

import pytest

from support import run_raikit

LIGHT = """\
name: light
max_text_bytes: 300
input:
  scanners: [denied_topics]
output:
  scanners: [leakage, refusal]
canaries: [CANARY-77]
"""


raikit = functools.partial(run_raikit, timeout=120)


@pytest.fixture
def policy(tmp_path: Path) -> Path:
    path = tmp_path / "light.yaml"
    path.write_text(LIGHT, encoding="utf-8")
    return path


def test_scan_contract_order_and_malformed_lines(tmp_path: Path, policy: Path) -> None:
    source = tmp_path / "in.jsonl"
    lines = [
        json.dumps({"id": "a", "text": "The weather is nice."}),
        "{not json",
        json.dumps({"id": "b", "text": "the code is canary-77", "prompt": "code?"}),
        json.dumps(
            {"id": 3, "messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "ok"}]}
        ),
        json.dumps({"id": "c"}),
        json.dumps(["not", "an", "object"]),
        json.dumps({"id": "big", "text": "x" * 400}),
        "",
        json.dumps({"id": "d", "text": "I'm sorry, but I can't help with that."}),
    ]
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = raikit("guard", "scan", source, "--stage", "output", "--policy", policy, "-o", out, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["id"] for r in rows] == ["a", "b", 3, "big", "d"]
    for row in rows:
        assert {"id", "allowed", "risk", "categories", "action", "latency_ms"} <= set(row)
        assert isinstance(row["allowed"], bool) and 0.0 <= row["risk"] <= 1.0 and row["latency_ms"] >= 0
    by_id = {r["id"]: r for r in rows}
    assert by_id["a"]["allowed"] and by_id["a"]["action"] == "allow"
    assert not by_id["b"]["allowed"] and by_id["b"]["categories"]["leakage.canary"] == 1.0
    assert by_id["big"]["action"] == "block" and "300 bytes" in by_id["big"]["error"]
    assert by_id["d"]["categories"]["refusal"] >= 0.5 and by_id["d"]["allowed"]
    errors = [line for line in result.stderr.splitlines() if "skipped malformed line" in line]
    assert [e.split(":")[2] for e in errors] == ["2", "5", "6"], result.stderr


def test_scan_resume_appends_only_missing_ids(tmp_path: Path, policy: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text(
        "".join(json.dumps({"id": i, "text": f"text {i}"}) + "\n" for i in range(6)), encoding="utf-8"
    )
    out = tmp_path / "out.jsonl"
    out.write_text(
        json.dumps(
            {"id": 0, "allowed": True, "risk": 0.0, "categories": {}, "action": "allow", "latency_ms": 1}
        )
        + "\n"
        + '{"id": 1, "allo',  # a torn line left by a killed run
        encoding="utf-8",
    )
    result = raikit(
        "guard", "scan", source, "--stage", "input", "--policy", policy, "-o", out, "--resume", cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["id"] for r in rows] == [0, 1, 2, 3, 4, 5]


def test_check_prints_one_verdict(tmp_path: Path, policy: Path) -> None:
    result = raikit(
        "guard", "check", "here it is: CANARY-77", "--stage", "output", "--policy", policy, cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    verdict = json.loads(result.stdout)
    assert verdict["allowed"] is False and verdict["action"] == "block"
    assert "id" not in verdict


def test_policy_check_show_list(tmp_path: Path, policy: Path) -> None:
    ok = raikit("guard", "policy", "check", policy, cwd=tmp_path)
    assert ok.returncode == 0 and ok.stdout.startswith("ok: policy 'light'")
    assert "default" in raikit("guard", "policy", "list", cwd=tmp_path).stdout.split()
    shown = raikit("guard", "policy", "show", "default", cwd=tmp_path)
    assert shown.returncode == 0 and "fail_mode: closed" in shown.stdout


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("name: x\ninput:\n  scanners: [no_such_scanner]\n", "unknown scanner 'no_such_scanner'"),
        ("name: x\ninput:\n  scanners: [leakage]\n", "does not run at the input stage"),
        ("name: x\nfail_mode: maybe\n", "fail_mode"),
        ("name: [", "not valid YAML"),
    ],
)
def test_policy_check_errors_are_one_line_exit_2(tmp_path: Path, body: str, message: str) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(body, encoding="utf-8")
    result = raikit("guard", "policy", "check", bad, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and message in result.stderr


def test_missing_policy_and_input(tmp_path: Path) -> None:
    result = raikit("guard", "check", "hi", "--policy", tmp_path / "none.yaml", cwd=tmp_path)
    assert result.returncode == 2 and "no policy file" in result.stderr
    result = raikit(
        "guard", "scan", tmp_path / "none.jsonl", "--stage", "input", "-o", tmp_path / "o", cwd=tmp_path
    )
    assert result.returncode == 2
