"""Resumable results store: one SQLite database (WAL mode) per run directory.

Every attempt is committed in its own transaction the moment it is recorded. In WAL mode with
``synchronous=NORMAL`` a committed transaction is in the operating system's hands before
:meth:`ResultsStore.record` returns, so a run killed with SIGKILL loses nothing it recorded (only a
power cut can lose the last few commits). ``--resume`` reopens the directory, skips
:meth:`ResultsStore.completed_ids` and retries the failed items, whose rows are then replaced.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sqlite3
import tempfile
import threading
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, Literal, TextIO, get_args

from pydantic import BaseModel, ConfigDict

from raikit.core.errors import (
    DuplicateAttemptError,
    RunConfigMismatchError,
    RunExistsError,
    RunNotFoundError,
    StoreError,
)
from raikit.core.store_schema import SCHEMA_VERSION, check_supported, migrate, user_version
from raikit.core.types import Attempt

DB_FILENAME = "results.sqlite"
BUSY_TIMEOUT_MS = 30_000
_SQLITE_MAGIC = b"SQLite format 3\x00"

RunStatus = Literal["running", "completed", "failed", "interrupted"]
_STATUSES: frozenset[str] = frozenset(get_args(RunStatus))

# Attempt fields stored as they are, and those stored as JSON text in a ``<field>_json`` column.
_PLAIN_FIELDS = ("item_id", "prompt", "transformed_prompt", "response", "target", "config_hash", "error")
_JSON_FIELDS = ("messages", "scores", "timings", "metadata")
_ATTEMPT_COLUMNS = ", ".join(
    (*_PLAIN_FIELDS, *(f"{n}_json" for n in _JSON_FIELDS), "prompt_tokens", "completion_tokens", "created_at")
)
_RUN_FIELDS = ("run_id", "kind", "target", "config_json", "config_hash", "status", "created_at", "updated_at")
_RUN_COLUMNS = ", ".join(_RUN_FIELDS)


class RunInfo(BaseModel):
    """The manifest of the run held in a run directory, with its attempt counts."""

    model_config = ConfigDict(frozen=True)

    run_id: str
    kind: str
    target: str
    config: dict[str, Any]
    config_hash: str
    status: RunStatus
    created_at: str
    updated_at: str
    n_attempts: int = 0
    n_errors: int = 0
    run_dir: str


def _canonical_json(obj: Any) -> str:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), default=str, ensure_ascii=False)


def config_hash(config: Mapping[str, Any]) -> str:
    """Short stable fingerprint of a run configuration: key order and formatting do not matter."""
    return hashlib.sha256(_canonical_json(dict(config)).encode("utf-8")).hexdigest()[:16]


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def _check_sqlite_file(path: Path) -> None:
    """Refuse anything that is not an SQLite file before SQLite gets a chance to write to it."""
    if not path.exists():
        return
    if not path.is_file():
        raise StoreError(f"{path} is not a file; cannot use it as a results database")
    with path.open("rb") as fh:
        header = fh.read(len(_SQLITE_MAGIC))
    # An empty file is what SQLite itself leaves after creating a database and writing nothing.
    if header and header != _SQLITE_MAGIC:
        raise StoreError(f"{path} is not an SQLite database; refusing to open or overwrite it")


def _attempt_row(attempt: Attempt, created_at: str) -> dict[str, Any]:
    data = attempt.model_dump(mode="json")
    row = {name: data[name] for name in _PLAIN_FIELDS}
    row.update({f"{name}_json": json.dumps(data[name], ensure_ascii=False) for name in _JSON_FIELDS})
    row.update(prompt_tokens=attempt.usage.prompt_tokens, completion_tokens=attempt.usage.completion_tokens)
    row["created_at"] = created_at
    return row


def _row_attempt(row: sqlite3.Row) -> tuple[Attempt, str]:
    """Rebuild an :class:`Attempt` from a row selected with ``_ATTEMPT_COLUMNS``; also its created_at."""
    data: dict[str, Any] = {name: row[name] for name in _PLAIN_FIELDS}
    data.update({name: json.loads(row[f"{name}_json"]) for name in _JSON_FIELDS})
    data["usage"] = {"prompt_tokens": row["prompt_tokens"], "completion_tokens": row["completion_tokens"]}
    return Attempt.model_validate(data), str(row["created_at"])


def _read_run_info(conn: sqlite3.Connection, run_dir: Path) -> RunInfo | None:
    """Read the manifest with queries valid for every schema version (``list_runs`` does not migrate)."""
    row = conn.execute(f"SELECT {_RUN_COLUMNS} FROM run WHERE id = 1").fetchone()
    if row is None:
        return None
    n_attempts, n_errors = conn.execute("SELECT COUNT(*), COUNT(error) FROM attempt").fetchone()
    fields = {name: row[name] for name in _RUN_FIELDS if name != "config_json"}
    return RunInfo(
        **fields,
        config=json.loads(row["config_json"]),
        n_attempts=n_attempts,
        n_errors=n_errors,
        run_dir=str(run_dir),
    )


def _connect_readonly(path: Path) -> sqlite3.Connection:
    """Open without write access: never creates the database (SQLite may add its -wal/-shm files)."""
    _check_sqlite_file(path)
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    return conn


class ResultsStore:
    """Results of one run, stored in ``<run_dir>/results.sqlite``.

    One connection is shared by all threads of the process and guarded by a lock, so async runners
    can record from worker threads; other processes may read the database at the same time.
    """

    def __init__(self, run_dir: str | Path, *, create: bool = True, read_only: bool = False) -> None:
        self._run_dir = Path(run_dir)
        self._path = self._run_dir / DB_FILENAME
        self._lock = threading.Lock()
        if (read_only or not create) and not self._path.exists():
            raise RunNotFoundError(f"no raikit run in {self._run_dir}: {self._path} does not exist")
        if read_only:
            self._conn: sqlite3.Connection | None = self._open_read_only()
            return
        if create:
            try:
                self._run_dir.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(f"cannot create run directory {self._run_dir}: {exc.strerror}") from exc
        _check_sqlite_file(self._path)
        conn = sqlite3.connect(
            self._path, isolation_level=None, check_same_thread=False, timeout=BUSY_TIMEOUT_MS / 1000
        )
        conn.row_factory = sqlite3.Row
        try:
            # Checked before any PRAGMA that writes, so a newer raikit's file is left untouched.
            check_supported(conn, label=str(self._path))
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("PRAGMA foreign_keys = ON")
            migrate(conn, label=str(self._path))
        except BaseException as exc:
            conn.close()
            if isinstance(exc, sqlite3.DatabaseError):
                raise StoreError(f"cannot open results database {self._path}: {exc}") from exc
            raise
        self._conn = conn

    def _open_read_only(self) -> sqlite3.Connection:
        """For commands that only look (``runs show``/``export``): no WAL switch, no migration."""
        _check_sqlite_file(self._path)
        try:
            conn = _connect_readonly(self._path)
            conn.row_factory = sqlite3.Row
            version = user_version(conn)
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"cannot open results database {self._path}: {exc}") from exc
        if version != SCHEMA_VERSION:
            conn.close()
            if version == 0:
                raise StoreError(f"{self._path} is not a raikit results database")
            raise StoreError(
                f"{self._path} has results schema v{version}, this raikit reads v{SCHEMA_VERSION}; "
                "resume the run with this raikit to migrate it"
            )
        return conn

    @property
    def run_dir(self) -> Path:
        return self._run_dir

    @property
    def path(self) -> Path:
        return self._path

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def __enter__(self) -> ResultsStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @contextlib.contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            if self._conn is None:
                raise StoreError(f"results store {self._path} is closed")
            yield self._conn

    @contextlib.contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One committed transaction. IMMEDIATE takes the write lock up front, so a read followed by
        a write in the same transaction cannot fail with SQLITE_BUSY half-way."""
        with self._read() as conn:
            try:
                conn.execute("BEGIN IMMEDIATE")
                try:
                    yield conn
                except BaseException:
                    if conn.in_transaction:
                        conn.execute("ROLLBACK")
                    raise
                conn.execute("COMMIT")
            except sqlite3.OperationalError as exc:
                raise StoreError(f"cannot write to results database {self._path}: {exc}") from exc

    def _no_run(self) -> StoreError:
        return StoreError(f"{self._path} holds no run yet; call init_run first")

    def init_run(
        self, run_id: str, *, kind: str, target: str, config: Mapping[str, Any], resume: bool
    ) -> RunInfo:
        """Create the run manifest, or with ``resume`` reopen the run already in this directory.

        Resuming keeps the existing run's id; ``resume`` on an empty directory starts a new run.
        """
        chash = config_hash(config)
        now = _now()
        with self._write() as conn:
            row = conn.execute("SELECT run_id, config_hash FROM run WHERE id = 1").fetchone()
            if row is None:
                conn.execute(
                    f"INSERT INTO run (id, {_RUN_COLUMNS}) VALUES (1, ?, ?, ?, ?, ?, 'running', ?, ?)",
                    (run_id, kind, target, _canonical_json(dict(config)), chash, now, now),
                )
            elif not resume:
                raise RunExistsError(
                    f"run dir {self._run_dir} already holds run {row[0]}; "
                    "pass --resume to continue it or choose another directory"
                )
            elif row[1] != chash:
                raise RunConfigMismatchError(
                    f"run dir {self._run_dir} holds run {row[0]} started with config hash {row[1]}, "
                    f"but the current config hashes to {chash}; resume with the original config "
                    "or choose another directory"
                )
            else:
                conn.execute("UPDATE run SET status = 'running', updated_at = ? WHERE id = 1", (now,))
        info = self.run_info()
        if info is None:
            raise self._no_run()
        return info

    def run_info(self) -> RunInfo | None:
        with self._read() as conn:
            return _read_run_info(conn, self._run_dir)

    def set_status(self, status: RunStatus) -> None:
        if status not in _STATUSES:
            raise ValueError(f"unknown run status {status!r}; expected one of {sorted(_STATUSES)}")
        with self._write() as conn:
            cur = conn.execute("UPDATE run SET status = ?, updated_at = ? WHERE id = 1", (status, _now()))
            if cur.rowcount == 0:
                raise self._no_run()

    def set_summary(self, summary: Mapping[str, Any]) -> None:
        """Store the run's metrics (any JSON-able mapping), replacing the previous summary."""
        blob = json.dumps(dict(summary), default=str, ensure_ascii=False)
        with self._write() as conn:
            cur = conn.execute("UPDATE run SET summary_json = ?, updated_at = ? WHERE id = 1", (blob, _now()))
            if cur.rowcount == 0:
                raise self._no_run()

    def summary(self) -> dict[str, Any] | None:
        with self._read() as conn:
            row = conn.execute("SELECT summary_json FROM run WHERE id = 1").fetchone()
        if row is None or row[0] is None:
            return None
        result: dict[str, Any] = json.loads(row[0])
        return result

    def record(self, attempt: Attempt) -> None:
        """Commit one attempt now. A failed attempt of the same item is replaced (resume retries it);
        a successful one is never overwritten."""
        now = _now()
        row = _attempt_row(attempt, now)
        with self._write() as conn:
            existing = conn.execute(
                "SELECT error IS NULL FROM attempt WHERE item_id = ?", (attempt.item_id,)
            ).fetchone()
            if existing is not None:
                if existing[0]:
                    raise DuplicateAttemptError(
                        f"item {attempt.item_id!r} already completed in {self._path}; "
                        "a resumed run must skip completed_ids()"
                    )
                conn.execute("DELETE FROM attempt WHERE item_id = ?", (attempt.item_id,))
            conn.execute(
                f"INSERT INTO attempt ({', '.join(row)}) VALUES ({', '.join(':' + c for c in row)})", row
            )
            conn.execute("UPDATE run SET updated_at = ? WHERE id = 1", (now,))

    def _ids(self, where: str) -> set[str]:
        with self._read() as conn:
            return {r[0] for r in conn.execute(f"SELECT item_id FROM attempt WHERE {where}")}

    def completed_ids(self) -> set[str]:
        """Items recorded without error: a resumed run skips these."""
        return self._ids("error IS NULL")

    def failed_ids(self) -> set[str]:
        """Items whose recorded attempt failed: a resumed run retries these."""
        return self._ids("error IS NOT NULL")

    def get(self, item_id: str) -> Attempt | None:
        with self._read() as conn:
            row = conn.execute(
                f"SELECT {_ATTEMPT_COLUMNS} FROM attempt WHERE item_id = ?", (item_id,)
            ).fetchone()
        return None if row is None else _row_attempt(row)[0]

    def count(self) -> int:
        with self._read() as conn:
            return int(conn.execute("SELECT COUNT(*) FROM attempt").fetchone()[0])

    def _snapshot(self, *, include_errors: bool) -> Iterator[tuple[Attempt, str]]:
        """Attempts in completion order from a private read connection.

        A separate connection holds no lock of this store, so the consumer (or other threads) may
        keep recording while it iterates; the single SELECT reads one consistent WAL snapshot.
        """
        if self._conn is None:
            raise StoreError(f"results store {self._path} is closed")
        where = "" if include_errors else "WHERE error IS NULL"
        conn = _connect_readonly(self._path)
        try:
            for row in conn.execute(f"SELECT {_ATTEMPT_COLUMNS} FROM attempt {where} ORDER BY seq"):
                yield _row_attempt(row)
        finally:
            conn.close()

    def attempts(self, *, include_errors: bool = True) -> Iterator[Attempt]:
        for attempt, _ in self._snapshot(include_errors=include_errors):
            yield attempt

    def export_jsonl(self, dest: str | Path | TextIO) -> int:
        """Write one JSON object per attempt, in completion order; return how many were written.

        A path is written through a temporary file renamed into place, so readers never see half an
        export and an interrupted export leaves the previous file intact.
        """
        if not isinstance(dest, str | Path):
            return self._write_jsonl(dest)
        dest = Path(dest)
        dest.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(
            "w", encoding="utf-8", dir=dest.parent, prefix=f".{dest.name}.", suffix=".tmp", delete=False
        ) as tmp:
            tmp_path = Path(tmp.name)
            try:
                n = self._write_jsonl(tmp)
                tmp.flush()
                os.fsync(tmp.fileno())
            except BaseException:
                tmp.close()
                tmp_path.unlink(missing_ok=True)
                raise
        tmp_path.replace(dest)
        return n

    def _write_jsonl(self, out: IO[str]) -> int:
        info = self.run_info()
        run_id = info.run_id if info is not None else None
        n = 0
        for attempt, created_at in self._snapshot(include_errors=True):
            record = attempt.model_dump(mode="json")
            record["run_id"] = run_id
            record["created_at"] = created_at
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            n += 1
        return n


def list_runs(root: str | Path) -> list[RunInfo]:
    """Runs in ``root`` and its direct subdirectories, newest first, without creating or migrating
    anything; directories whose database cannot be read are skipped."""
    root = Path(root)
    if not root.is_dir():
        return []
    runs: list[RunInfo] = []
    for run_dir in [root, *sorted(p for p in root.iterdir() if p.is_dir())]:
        path = run_dir / DB_FILENAME
        if not path.is_file():
            continue
        try:
            conn = _connect_readonly(path)
            try:
                info = _read_run_info(conn, run_dir) if user_version(conn) >= 1 else None
            finally:
                conn.close()
        except (sqlite3.Error, StoreError, OSError, ValueError):
            continue
        if info is not None:
            runs.append(info)
    runs.sort(key=lambda r: r.created_at, reverse=True)
    return runs
