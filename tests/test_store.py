"""Tests of the resumable results store (raikit.core.store)."""

from __future__ import annotations

import hashlib
import io
import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from datetime import datetime
from pathlib import Path

import pytest

from raikit.core.errors import (
    DuplicateAttemptError,
    RaikitError,
    RunConfigMismatchError,
    RunExistsError,
    RunNotFoundError,
    StoreError,
)
from raikit.core.store import DB_FILENAME, ResultsStore, RunInfo, config_hash, list_runs
from raikit.core.store_schema import SCHEMA_VERSION, migrate
from raikit.core.types import Attempt, Message, Score, Usage

CONFIG = {"target": "scripted:echo", "suite": "quick", "seed": 7, "nested": {"b": [1, 2], "a": None}}
SRC_DIR = Path(__file__).resolve().parents[1] / "src"


def make_attempt(i: int | str, *, error: str | None = None, **overrides: object) -> Attempt:
    item_id = i if isinstance(i, str) else f"item-{i:05d}"
    fields: dict[str, object] = {
        "item_id": item_id,
        "prompt": f"prompt {item_id} — ünïcödé ✓\nsecond line",
        "transformed_prompt": f"base64({item_id})",
        "messages": [
            Message.system("be careful"),
            Message.user(f"prompt {item_id}"),
            Message(role="assistant", content="reply", name="bot"),
        ],
        "response": None if error else f"response to {item_id}",
        "scores": {
            "toxicity": Score(name="toxicity", value=0.125, label="safe", explanation="no slurs"),
            "refusal": Score(name="refusal", value=1.0),
        },
        "timings": {"latency_s": 0.25, "judge_s": 1.5},
        "usage": Usage(prompt_tokens=11, completion_tokens=22),
        "target": "scripted:echo",
        "config_hash": config_hash(CONFIG),
        "error": error,
        "metadata": {"category": "jailbreak", "tags": ["a", "b"], "depth": {"n": 3}, "flag": True},
    }
    fields.update(overrides)
    return Attempt.model_validate(fields)


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def store(tmp_path: Path):
    with ResultsStore(tmp_path / "run") as s:
        s.init_run("run-1", kind="audit", target="scripted:echo", config=CONFIG, resume=False)
        yield s


# --- basics -------------------------------------------------------------------------------------


def test_config_hash_is_stable_and_order_insensitive():
    h = config_hash(CONFIG)
    assert len(h) == 16 and all(c in "0123456789abcdef" for c in h)
    assert config_hash(dict(reversed(list(CONFIG.items())))) == h
    assert config_hash({**CONFIG, "seed": 8}) != h
    assert config_hash({"path": Path("/x")}) == config_hash({"path": "/x"})


def test_errors_are_raikit_errors():
    for exc in (RunNotFoundError, RunExistsError, RunConfigMismatchError, DuplicateAttemptError):
        assert issubclass(exc, StoreError)
    assert issubclass(StoreError, RaikitError)


def test_new_store_uses_wal_and_current_schema(tmp_path: Path):
    run_dir = tmp_path / "a" / "b"
    with ResultsStore(run_dir) as s:
        assert s.path == run_dir / DB_FILENAME
        assert s.path.is_file()
        conn = sqlite3.connect(s.path)
        try:
            assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
            assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        finally:
            conn.close()
        assert s.run_info() is None
        assert s.count() == 0


def test_round_trip_every_field(store: ResultsStore):
    original = make_attempt(1)
    failed = make_attempt(2, error="TimeoutError: target did not answer")
    store.record(original)
    store.record(failed)
    assert store.get(original.item_id) == original
    assert store.get(failed.item_id) == failed
    assert store.get("missing") is None
    assert list(store.attempts()) == [original, failed]
    assert list(store.attempts(include_errors=False)) == [original]
    store.close()
    with ResultsStore(store.run_dir, create=False) as reopened:
        assert reopened.get(original.item_id) == original
        assert reopened.get(original.item_id).model_dump() == original.model_dump()


def test_every_attempt_field_has_a_column():
    # A new Attempt field needs a column (and a migration), or it would be silently dropped.
    from raikit.core.store import _JSON_FIELDS, _PLAIN_FIELDS

    assert set(Attempt.model_fields) == {*_PLAIN_FIELDS, *_JSON_FIELDS, "usage"}


def test_minimal_attempt_round_trip(store: ResultsStore):
    minimal = Attempt(item_id="m", prompt="")
    store.record(minimal)
    assert store.get("m") == minimal


def test_run_info_fields(store: ResultsStore, tmp_path: Path):
    info = store.run_info()
    assert isinstance(info, RunInfo)
    assert info.run_id == "run-1"
    assert info.kind == "audit"
    assert info.target == "scripted:echo"
    assert info.config == CONFIG
    assert info.config_hash == config_hash(CONFIG)
    assert info.status == "running"
    assert info.run_dir == str(tmp_path / "run")
    assert datetime.fromisoformat(info.created_at).utcoffset().total_seconds() == 0
    assert info.updated_at >= info.created_at
    store.record(make_attempt(1))
    store.record(make_attempt(2, error="boom"))
    info = store.run_info()
    assert (info.n_attempts, info.n_errors) == (2, 1)


def test_status_and_summary(store: ResultsStore):
    assert store.summary() is None
    store.set_status("completed")
    assert store.run_info().status == "completed"
    store.set_summary({"asr": 0.25, "per_category": {"jailbreak": 0.5}})
    store.set_summary({"asr": 0.5})
    assert store.summary() == {"asr": 0.5}
    with pytest.raises(ValueError, match="unknown run status"):
        store.set_status("paused")  # type: ignore[arg-type]


def test_status_and_summary_need_a_run(tmp_path: Path):
    with ResultsStore(tmp_path) as s:
        with pytest.raises(StoreError, match="init_run"):
            s.set_status("failed")
        with pytest.raises(StoreError, match="init_run"):
            s.set_summary({})
        assert s.summary() is None


def test_closed_store_raises(tmp_path: Path):
    s = ResultsStore(tmp_path)
    s.close()
    s.close()
    with pytest.raises(StoreError, match="closed"):
        s.record(make_attempt(1))
    with pytest.raises(StoreError, match="closed"):
        list(s.attempts())


# --- resume semantics -----------------------------------------------------------------------------


def test_missing_run_dir_without_create(tmp_path: Path):
    run_dir = tmp_path / "nope"
    with pytest.raises(RunNotFoundError) as excinfo:
        ResultsStore(run_dir, create=False)
    assert str(run_dir / DB_FILENAME) in str(excinfo.value)
    assert not run_dir.exists()


def test_existing_run_without_resume_is_refused(store: ResultsStore):
    store.record(make_attempt(1))
    with pytest.raises(RunExistsError) as excinfo:
        store.init_run("run-2", kind="audit", target="scripted:echo", config=CONFIG, resume=False)
    message = str(excinfo.value)
    assert str(store.run_dir) in message and "run-1" in message and "--resume" in message
    assert "\n" not in message
    assert store.count() == 1


def test_resume_returns_existing_run(store: ResultsStore):
    store.record(make_attempt(1))
    store.record(make_attempt(2, error="boom"))
    store.set_status("interrupted")
    store.close()
    with ResultsStore(store.run_dir, create=False) as s:
        reordered = dict(reversed(list(CONFIG.items())))
        info = s.init_run("run-other", kind="audit", target="scripted:echo", config=reordered, resume=True)
        assert info.run_id == "run-1"
        assert info.status == "running"
        assert (info.n_attempts, info.n_errors) == (2, 1)
        assert s.completed_ids() == {"item-00001"}
        assert s.failed_ids() == {"item-00002"}


def test_resume_with_other_config_is_refused(store: ResultsStore):
    other = {**CONFIG, "seed": 8}
    with pytest.raises(RunConfigMismatchError) as excinfo:
        store.init_run("run-1", kind="audit", target="scripted:echo", config=other, resume=True)
    message = str(excinfo.value)
    assert config_hash(CONFIG) in message and config_hash(other) in message
    assert store.run_info().config == CONFIG


def test_resume_on_empty_dir_starts_a_run(tmp_path: Path):
    with ResultsStore(tmp_path / "fresh") as s:
        info = s.init_run("r", kind="redteam", target="t", config={}, resume=True)
        assert info.run_id == "r" and info.n_attempts == 0


def test_duplicate_completed_item_is_rejected(store: ResultsStore):
    first = make_attempt(1)
    store.record(first)
    with pytest.raises(DuplicateAttemptError, match="item-00001"):
        store.record(make_attempt(1, response="different"))
    with pytest.raises(DuplicateAttemptError):
        store.record(make_attempt(1, error="late failure"))
    assert store.get(first.item_id) == first
    assert store.count() == 1


def test_failed_item_is_replaced_on_retry(store: ResultsStore):
    store.record(make_attempt(1, error="boom"))
    store.record(make_attempt(2))
    store.record(make_attempt(1, error="boom again"))
    assert store.get("item-00001").error == "boom again"
    retried = make_attempt(1)
    store.record(retried)
    assert store.get("item-00001") == retried
    assert store.count() == 2
    assert store.completed_ids() == {"item-00001", "item-00002"}
    assert store.failed_ids() == set()
    # The retried item completed last, so it comes last.
    assert [a.item_id for a in store.attempts()] == ["item-00002", "item-00001"]


def test_iterating_while_recording_does_not_block(store: ResultsStore):
    for i in range(5):
        store.record(make_attempt(i))
    seen = []
    for attempt in store.attempts():
        seen.append(attempt.item_id)
        store.record(make_attempt(f"new-{attempt.item_id}"))
    assert len(seen) == 5  # a snapshot: rows recorded during the iteration are not in it
    assert store.count() == 10


# --- export -----------------------------------------------------------------------------------


def test_export_jsonl_to_path(store: ResultsStore, tmp_path: Path):
    attempts = [make_attempt(i, error="boom" if i == 3 else None) for i in range(5)]
    for attempt in attempts:
        store.record(attempt)
    dest = tmp_path / "out" / "results.jsonl"
    assert store.export_jsonl(dest) == 5
    lines = dest.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 5
    for line, attempt in zip(lines, attempts, strict=True):
        obj = json.loads(line)
        assert obj.pop("run_id") == "run-1"
        datetime.fromisoformat(obj.pop("created_at"))
        assert obj == attempt.model_dump(mode="json")
        assert Attempt.model_validate(obj) == attempt
    assert sorted(p.name for p in dest.parent.iterdir()) == ["results.jsonl"]


def test_export_jsonl_to_stream(store: ResultsStore):
    store.record(make_attempt(1))
    buf = io.StringIO()
    assert store.export_jsonl(buf) == 1
    assert json.loads(buf.getvalue())["item_id"] == "item-00001"


def test_export_without_run_or_attempts(tmp_path: Path):
    with ResultsStore(tmp_path / "r") as s:
        dest = tmp_path / "empty.jsonl"
        assert s.export_jsonl(str(dest)) == 0
        assert dest.read_text() == ""
        s.record(make_attempt(1))
        buf = io.StringIO()
        s.export_jsonl(buf)
        assert json.loads(buf.getvalue())["run_id"] is None


def test_failed_export_keeps_previous_file(store: ResultsStore, tmp_path: Path, monkeypatch):
    dest = tmp_path / "results.jsonl"
    dest.write_text("previous export\n")

    def explode(out):
        out.write('{"half": ')
        raise OSError("disk full")

    monkeypatch.setattr(store, "_write_jsonl", explode)
    with pytest.raises(OSError, match="disk full"):
        store.export_jsonl(dest)
    assert dest.read_text() == "previous export\n"
    assert [p.name for p in tmp_path.iterdir() if p.is_file()] == ["results.jsonl"]


# --- list_runs ----------------------------------------------------------------------------------


def test_list_runs(tmp_path: Path):
    root = tmp_path / "runs"
    for name in ("b-old", "a-mid", "c-new"):
        with ResultsStore(root / name) as s:
            s.init_run(name, kind="audit", target="t", config={"n": name}, resume=False)
            s.record(make_attempt(1))
        time.sleep(0.01)
    (root / "not-a-run").mkdir()
    (root / "garbage").mkdir()
    (root / "garbage" / DB_FILENAME).write_text("not a database")
    with ResultsStore(root / "no-manifest"):
        pass
    (root / "nested" / "deeper").mkdir(parents=True)
    with ResultsStore(root / "nested" / "deeper") as s:
        s.init_run("too-deep", kind="audit", target="t", config={}, resume=False)

    runs = list_runs(root)
    assert [r.run_id for r in runs] == ["c-new", "a-mid", "b-old"]
    assert runs[0].run_dir == str(root / "c-new")
    assert runs[0].n_attempts == 1
    assert not (root / "not-a-run" / DB_FILENAME).exists()
    assert (root / "garbage" / DB_FILENAME).read_text() == "not a database"

    with ResultsStore(root) as s:
        s.init_run("root-run", kind="audit", target="t", config={}, resume=False)
    assert list_runs(root)[0].run_id == "root-run"
    assert list_runs(tmp_path / "missing") == []


# --- schema versions and foreign files ------------------------------------------------------------


def make_v1_db(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        assert migrate(conn, target=1) == 1
        conn.execute(
            "INSERT INTO run (id, run_id, kind, target, config_json, config_hash, status, created_at,"
            " updated_at) VALUES (1, 'old-run', 'audit', 't', '{\"seed\": 1}', ?, 'interrupted',"
            " '2024-01-01T00:00:00+00:00', '2024-01-01T00:00:00+00:00')",
            (config_hash({"seed": 1}),),
        )
        conn.execute(
            "INSERT INTO attempt (item_id, prompt, transformed_prompt, messages_json, response,"
            " scores_json, timings_json, prompt_tokens, completion_tokens, target, config_hash, error,"
            " created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                "old-1",
                "p",
                None,
                json.dumps([{"role": "user", "content": "p"}]),
                "r",
                json.dumps({"s": {"name": "s", "value": 0.5}}),
                json.dumps({"latency_s": 2.0}),
                3,
                4,
                "t",
                "h",
                None,
                "2024-01-01T00:00:01+00:00",
            ),
        )
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    finally:
        conn.close()


def test_v1_database_is_migrated_without_losing_rows(tmp_path: Path):
    run_dir = tmp_path / "old"
    make_v1_db(run_dir / DB_FILENAME)
    # list_runs reads an old database as it is, without migrating it.
    assert [r.run_id for r in list_runs(run_dir)] == ["old-run"]
    conn = sqlite3.connect(run_dir / DB_FILENAME)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    conn.close()

    with ResultsStore(run_dir, create=False) as s:
        old = s.get("old-1")
        assert old is not None
        assert old.metadata == {}
        assert old.messages == [Message.user("p")]
        assert old.scores["s"].value == 0.5
        assert old.usage == Usage(prompt_tokens=3, completion_tokens=4)
        info = s.init_run("x", kind="audit", target="t", config={"seed": 1}, resume=True)
        assert info.run_id == "old-run" and info.n_attempts == 1
        assert s.summary() is None
        s.set_summary({"asr": 0.0})
        s.record(make_attempt(1))
        assert s.get("item-00001") == make_attempt(1)
    conn = sqlite3.connect(run_dir / DB_FILENAME)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert [r[0] for r in conn.execute("SELECT item_id FROM attempt ORDER BY seq")] == [
            "old-1",
            "item-00001",
        ]
    finally:
        conn.close()


def test_reopening_current_schema_is_a_no_op(tmp_path: Path):
    with ResultsStore(tmp_path) as s:
        s.init_run("r", kind="audit", target="t", config={}, resume=False)
    with ResultsStore(tmp_path, create=False) as s:
        assert s.run_info().run_id == "r"


def test_newer_schema_is_refused_untouched(tmp_path: Path):
    path = tmp_path / DB_FILENAME
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.execute("CREATE TABLE future (x)")
    conn.commit()
    conn.close()
    before = file_digest(path)
    with pytest.raises(StoreError) as excinfo:
        ResultsStore(tmp_path)
    message = str(excinfo.value)
    assert "\n" not in message
    assert f"schema version {SCHEMA_VERSION + 1}" in message and "upgrade raikit" in message
    assert file_digest(path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [DB_FILENAME]


@pytest.mark.parametrize(
    "content",
    [b"this is my thesis, not a database\n" * 100, b"SQLite format 2\x00" + b"\x00" * 200, b"\x00"],
)
def test_non_sqlite_file_is_refused_untouched(tmp_path: Path, content: bytes):
    path = tmp_path / DB_FILENAME
    path.write_bytes(content)
    with pytest.raises(StoreError) as excinfo:
        ResultsStore(tmp_path)
    message = str(excinfo.value)
    assert str(path) in message and "\n" not in message
    assert path.read_bytes() == content
    assert sorted(p.name for p in tmp_path.iterdir()) == [DB_FILENAME]


def test_other_programs_sqlite_file_is_refused_untouched(tmp_path: Path):
    path = tmp_path / DB_FILENAME
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE notes (body TEXT)")
    conn.execute("INSERT INTO notes VALUES ('keep me')")
    conn.commit()
    conn.close()
    before = file_digest(path)
    with pytest.raises(StoreError, match="not a raikit results database"):
        ResultsStore(tmp_path)
    assert file_digest(path) == before


def test_directory_in_place_of_database_is_refused(tmp_path: Path):
    (tmp_path / DB_FILENAME).mkdir()
    with pytest.raises(StoreError, match="not a file"):
        ResultsStore(tmp_path)


# --- concurrency and crashes ----------------------------------------------------------------------


def test_concurrent_records_from_threads(store: ResultsStore):
    n_threads, per_thread = 8, 50
    errors: list[BaseException] = []
    barrier = threading.Barrier(n_threads)

    def worker(t: int) -> None:
        try:
            barrier.wait()
            for i in range(per_thread):
                store.record(make_attempt(f"t{t}-{i}", error="boom" if i % 10 == 0 else None))
                if i % 7 == 0:
                    store.completed_ids()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(t,)) for t in range(n_threads)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    expected = {f"t{t}-{i}" for t in range(n_threads) for i in range(per_thread)}
    assert store.count() == n_threads * per_thread
    ids = [a.item_id for a in store.attempts()]
    assert len(ids) == len(set(ids)) and set(ids) == expected
    assert len(store.failed_ids()) == n_threads * 5
    info = store.run_info()
    assert (info.n_attempts, info.n_errors) == (400, 40)


CHILD_SCRIPT = textwrap.dedent(
    """
    import sys
    from raikit.core.store import ResultsStore
    from raikit.core.types import Attempt, Score, Usage

    store = ResultsStore(sys.argv[1])
    store.init_run("crash", kind="audit", target="t", config={"seed": 1}, resume=True)
    done = store.completed_ids()
    i = 0
    while True:
        item_id = f"item-{i:06d}"
        i += 1
        if item_id in done:
            continue
        store.record(Attempt(
            item_id=item_id,
            prompt="p" * 2000 + item_id,
            response="r" * 3000,
            scores={"s": Score(name="s", value=0.5)},
            timings={"latency_s": 0.01},
            usage=Usage(prompt_tokens=i, completion_tokens=2 * i),
            metadata={"i": i - 1},
        ))
    """
)


def count_rows_readonly(path: Path) -> int:
    if not path.exists():
        return 0
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=5)
        try:
            return int(conn.execute("SELECT COUNT(*) FROM attempt").fetchone()[0])
        finally:
            conn.close()
    except sqlite3.Error:
        return 0


def run_child_until(run_dir: Path, min_rows: int) -> None:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(SRC_DIR), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.Popen([sys.executable, "-c", CHILD_SCRIPT, str(run_dir)], env=env)
    try:
        deadline = time.monotonic() + 60
        while count_rows_readonly(run_dir / DB_FILENAME) < min_rows:
            assert proc.poll() is None, f"child exited early with {proc.returncode}"
            assert time.monotonic() < deadline, "child did not write enough rows in time"
            time.sleep(0.01)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        if proc.poll() is None and proc.returncode is None:
            proc.kill()
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL


def check_intact(run_dir: Path) -> set[str]:
    with ResultsStore(run_dir, create=False) as s:
        ids = [a.item_id for a in s.attempts()]  # every row parses back into an Attempt
        for n, attempt in enumerate(s.attempts()):
            assert attempt.prompt == "p" * 2000 + attempt.item_id
            assert attempt.response == "r" * 3000
            assert attempt.metadata == {"i": int(attempt.item_id.split("-")[1])}
            assert attempt.usage.completion_tokens == 2 * attempt.usage.prompt_tokens
            assert attempt.item_id == f"item-{n:06d}"  # sequential writer: a prefix, no holes
        conn = sqlite3.connect(s.path)
        try:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        finally:
            conn.close()
    assert len(ids) == len(set(ids))
    return set(ids)


@pytest.mark.integration
def test_sigkill_then_resume_loses_and_repeats_nothing(tmp_path: Path):
    run_dir = tmp_path / "run"
    run_child_until(run_dir, 200)
    first = check_intact(run_dir)
    assert len(first) >= 200

    # The resumed child skips what is done; a repeat would raise DuplicateAttemptError and exit early.
    run_child_until(run_dir, len(first) + 200)
    second = check_intact(run_dir)
    assert first < second and len(second) >= len(first) + 200
    with ResultsStore(run_dir, create=False) as s:
        assert s.run_info().run_id == "crash"
        assert s.completed_ids() == second


def test_read_only_store_reads_without_writing(tmp_path):
    run_dir = tmp_path / "run"
    with ResultsStore(run_dir) as store:
        store.init_run("r1", kind="audit", target="scripted:x", config={"a": 1}, resume=False)
        store.record(Attempt(item_id="i1", prompt="p", response="r"))
    db = run_dir / DB_FILENAME
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    with ResultsStore(run_dir, read_only=True) as store:
        assert store.run_info() is not None
        assert [a.item_id for a in store.attempts()] == ["i1"]
        with pytest.raises(StoreError, match="readonly"):
            store.record(Attempt(item_id="i2", prompt="p"))
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before


def test_read_only_store_refuses_missing_empty_and_old_databases(tmp_path):
    with pytest.raises(RunNotFoundError):
        ResultsStore(tmp_path / "nothing", read_only=True)
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / DB_FILENAME).write_bytes(b"")
    with pytest.raises(StoreError, match="not a raikit results database"):
        ResultsStore(empty, read_only=True)
    assert (empty / DB_FILENAME).read_bytes() == b""
    old = tmp_path / "old"
    old.mkdir()
    conn = sqlite3.connect(old / DB_FILENAME)
    migrate(conn, target=1, label="old")
    conn.close()
    with pytest.raises(StoreError, match="schema v1"):
        ResultsStore(old, read_only=True)
