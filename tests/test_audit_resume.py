"""Kill ``raikit audit`` with SIGKILL part-way and resume it: nothing recorded is lost or redone.

The scripted target waits ``delay_s`` before every answer, so the 40-item quick suite takes about
6 s and the test can kill it in the middle. The results database is polled read-only from this
process (exactly what a second reader such as ``raikit runs list`` does while a run is in progress).
The audits here run the quick profile's ``quick`` benchmark only; the last test adds the guard-on
pass, whose answers come from the completion cache, and kills the audit during the guard-off pass.
"""

from __future__ import annotations

import io
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from raikit.core.store import ResultsStore
from raikit.evals import load_builtin_suite

pytestmark = [pytest.mark.integration, pytest.mark.skipif(os.name != "posix", reason="needs SIGKILL")]

DELAY_S = 0.15
SUITE_IDS = [s.id for s in load_builtin_suite("quick").items]
N_ITEMS = len(SUITE_IDS)
ATTEMPT_TABLE = "attempt"  # see raikit.core.store_schema
QUICK_AUDIT = ("audit", "--quick", "--only", "quick")


def cli(*args: str | Path) -> list[str]:
    return [sys.executable, "-m", "raikit.cli", *map(str, args)]


def run_cli(*args: str | Path, cwd: Path, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        cli(*args), cwd=cwd, capture_output=True, text=True, encoding="utf-8", timeout=timeout, check=False
    )
    assert result.returncode == 0, f"exit {result.returncode}\n{result.stdout}\n{result.stderr}"
    return result


def count_rows(db: Path) -> int:
    """Rows in the attempt table, read through a read-only connection (0 while there is no table)."""
    if not db.exists():
        return 0
    try:
        conn = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True, timeout=5)
    except sqlite3.OperationalError:
        return 0
    try:
        return int(conn.execute(f"SELECT COUNT(*) FROM {ATTEMPT_TABLE}").fetchone()[0])
    except sqlite3.OperationalError:  # not migrated yet, or a write lock held for too long
        return 0
    finally:
        conn.close()


def exported(audit_dir: Path, cwd: Path, run: str = "quick.off") -> list[dict[str, Any]]:
    result = run_cli("runs", "export", audit_dir / run, cwd=cwd)
    return [json.loads(line) for line in result.stdout.splitlines()]


def stored(audit_dir: Path, run: str = "quick.off") -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Attempts (as ``runs export`` writes them) and run manifest, read in this process."""
    out = io.StringIO()
    with ResultsStore(audit_dir / run, create=False) as store:
        store.export_jsonl(out)
        info = store.run_info()
    assert info is not None
    return [json.loads(line) for line in out.getvalue().splitlines()], info.model_dump(mode="json")


def start_and_kill(
    target: str, run_dir: Path, cwd: Path, *, resume: bool, at_least: int, guard: bool = False
) -> int:
    """Start an audit, SIGKILL it once quick.off holds ``at_least`` attempts; return that count."""
    args: list[str | Path] = [*QUICK_AUDIT, "--target", target, "-o", run_dir, "--no-progress"]
    args += [] if guard else ["--no-guard"]
    if resume:
        args.append("--resume")
    proc = subprocess.Popen(cli(*args), cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    db = run_dir / "quick.off" / "results.sqlite"
    try:
        deadline = time.monotonic() + 60
        while count_rows(db) < at_least:
            if proc.poll() is not None:
                err = proc.stderr.read().decode() if proc.stderr else ""
                pytest.fail(f"audit ended (exit {proc.returncode}) before it could be killed:\n{err}")
            if time.monotonic() > deadline:
                pytest.fail(f"audit recorded fewer than {at_least} attempts in 60 s")
            time.sleep(0.02)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)
        if proc.stderr:
            proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL
    n = count_rows(db)
    assert at_least <= n < N_ITEMS, f"the kill came too late ({n} attempts): raise delay_s"
    return n


@pytest.fixture
def slow_target(tmp_path: Path) -> str:
    script = tmp_path / "slow.yaml"
    script.write_text(
        f"model: slow\ndelay_s: {DELAY_S}\ndefault: \"I'm sorry, but I can't help with that.\"\n"
        "rules:\n  - contains: boiling point\n    reply: Water boils at 100 degrees Celsius at sea level.\n",
        encoding="utf-8",
    )
    return f"scripted:{script}"


def check_completed_run(
    run_dir: Path, cwd: Path, before_kill: dict[str, dict[str, Any]]
) -> list[dict[str, Any]]:
    rows = exported(run_dir, cwd)
    ids = [r["item_id"] for r in rows]
    assert len(rows) == N_ITEMS == 40
    assert len(set(ids)) == N_ITEMS
    assert set(ids) == set(SUITE_IDS)
    assert all(r["error"] is None and r["response"] for r in rows)
    by_id = {r["item_id"]: r for r in rows}
    for item_id, old in before_kill.items():
        # Recorded before a kill: kept as it was, never answered again.
        assert by_id[item_id]["created_at"] == old["created_at"], item_id
        assert by_id[item_id]["response"] == old["response"], item_id
        assert by_id[item_id]["scores"] == old["scores"], item_id
    # Export is in completion (seq) order: the pre-kill rows come first, in their original order,
    # and everything answered after the resume is newer than anything recorded before the kill.
    first = [r["item_id"] for r in rows[: len(before_kill)]]
    assert first == list(before_kill)
    if before_kill:
        last_before = max(r["created_at"] for r in before_kill.values())
        assert all(r["created_at"] > last_before for r in rows[len(before_kill) :])

    _, info = stored(run_dir)
    assert info["status"] == "completed"
    assert info["n_attempts"] == N_ITEMS
    assert info["n_errors"] == 0
    for name in ("scorecard.json", "report.md", "index.html"):
        assert (run_dir / name).is_file()
    card = scorecard(run_dir)
    assert card["run"]["n_errors"] == 0
    assert card["overall"]["off"]["adherence"]["value"] == 1.0
    return rows


def scorecard(run_dir: Path) -> dict[str, Any]:
    card: dict[str, Any] = json.loads((run_dir / "scorecard.json").read_text(encoding="utf-8"))
    return card


def quick_stats(run_dir: Path, guard: str = "off") -> dict[str, Any]:
    (quick,) = [b for b in scorecard(run_dir)["benchmarks"] if b["name"] == "quick"]
    stats: dict[str, Any] = quick[guard]["stats"]
    return stats


def test_sigkill_then_resume(tmp_path: Path, slow_target: str) -> None:
    run_dir = tmp_path / "runs" / "audit"
    n_killed = start_and_kill(slow_target, run_dir, tmp_path, resume=False, at_least=8)

    # What survived the kill: committed rows only, each complete, and the run still "running"
    # (SIGKILL gives the process no chance to mark it interrupted).
    before = exported(run_dir, tmp_path)
    assert len(before) == n_killed
    assert len({r["item_id"] for r in before}) == n_killed
    assert all(r["error"] is None and r["response"] and "passed" in r["scores"] for r in before)
    assert [r["item_id"] for r in before] == SUITE_IDS[:n_killed]  # concurrency 1: suite order
    assert stored(run_dir)[1]["status"] == "running"
    assert not (run_dir / "index.html").exists()
    before_kill = {r["item_id"]: r for r in before}

    # Resuming without --resume is refused and changes nothing.
    refused = subprocess.run(
        cli(*QUICK_AUDIT, "--no-guard", "--target", slow_target, "-o", run_dir, "--no-progress"),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert refused.returncode == 2
    assert "--resume" in refused.stderr
    assert stored(run_dir)[0] == before

    result = run_cli(
        *QUICK_AUDIT, "--no-guard", "--target", slow_target, "-o", run_dir, "--resume", cwd=tmp_path
    )
    # progress goes to stderr, one line per item when stderr is not a terminal
    assert f"{n_killed}/{N_ITEMS} already done" in result.stderr
    assert result.stderr.count(" ok\n") == N_ITEMS - n_killed
    for item_id in before_kill:
        assert f"] {item_id} ok" not in result.stderr, f"{item_id} was sent again"
    assert f"over {N_ITEMS} items (0 errors)" in result.stdout

    check_completed_run(run_dir, tmp_path, before_kill)
    stats = quick_stats(run_dir)
    assert stats["skipped"] == n_killed
    assert stats["completed"] == N_ITEMS - n_killed
    assert stats["errors"] == 0


def test_sigkill_twice_then_resume(tmp_path: Path, slow_target: str) -> None:
    run_dir = tmp_path / "audit"
    n1 = start_and_kill(slow_target, run_dir, tmp_path, resume=False, at_least=5)
    first = {r["item_id"]: r for r in stored(run_dir)[0]}
    assert len(first) == n1

    n2 = start_and_kill(slow_target, run_dir, tmp_path, resume=True, at_least=n1 + 5)
    second = {r["item_id"]: r for r in exported(run_dir, tmp_path)}  # the CLI export, mid-run
    assert len(second) == n2
    for item_id, row in first.items():
        assert second[item_id] == row, f"{item_id} changed during the second run"

    run_cli(
        *QUICK_AUDIT,
        "--no-guard",
        "--target",
        slow_target,
        "-o",
        run_dir,
        "--no-progress",
        "--resume",
        cwd=tmp_path,
    )
    check_completed_run(run_dir, tmp_path, second)
    stats = quick_stats(run_dir)
    assert stats["skipped"] == n2
    assert stats["completed"] == N_ITEMS - n2


def test_sigkill_with_guard_then_resume(tmp_path: Path, slow_target: str) -> None:
    """Guard off and guard on: a kill in the first pass loses nothing, and no pass redoes an item."""
    run_dir = tmp_path / "guarded"
    n_killed = start_and_kill(slow_target, run_dir, tmp_path, resume=False, at_least=6, guard=True)
    before_kill = {r["item_id"]: r for r in exported(run_dir, tmp_path)}
    assert len(before_kill) == n_killed

    args = (*QUICK_AUDIT, "--target", slow_target, "-o", run_dir, "--resume")
    result = run_cli(*args, cwd=tmp_path, timeout=180)
    assert f"quick (guard off): {n_killed}/{N_ITEMS} already done" in result.stderr
    assert f"quick (guard on): 0/{N_ITEMS} already done" in result.stderr
    assert result.stderr.count(" ok\n") == 2 * N_ITEMS - n_killed
    check_completed_run(run_dir, tmp_path, before_kill)
    guarded, info = stored(run_dir, "quick.on")
    assert info["status"] == "completed"
    assert info["target"].startswith("guarded:default@scripted:")
    assert {r["item_id"] for r in guarded} == set(SUITE_IDS)
    card = scorecard(run_dir)
    assert card["run"]["guard_status"] == "ran"
    assert card["overall"]["on"]["adherence"]["n"] == card["overall"]["off"]["adherence"]["n"]
    # Guard-on answers the input rail let through unchanged come from the cache, not from the model.
    assert card["run"]["completion_cache"]["hits"] > 0
    assert card["run"]["guard_health"]["scans"] >= N_ITEMS  # the warm-up scans are not counted
    assert quick_stats(run_dir, "on")["completed"] == N_ITEMS

    # Everything is done: a further resume sends nothing in either pass.
    again = run_cli(*args, cwd=tmp_path, timeout=180)
    assert f"quick (guard off): {N_ITEMS}/{N_ITEMS} already done" in again.stderr
    assert f"quick (guard on): {N_ITEMS}/{N_ITEMS} already done" in again.stderr
    assert " ok\n" not in again.stderr
    assert stored(run_dir, "quick.on")[0] == guarded
