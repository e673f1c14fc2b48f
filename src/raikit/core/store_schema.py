"""Versioned schema of the results database and the migrations between versions.

``PRAGMA user_version`` holds the schema version of a database file (0 for a new, empty file). Each
:class:`Migration` takes a database from ``version - 1`` to ``version``. Migrations are only ever
appended: a released step is never edited, because databases written by that release already carry
its version number and would not be migrated again.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass

from raikit.core.errors import StoreError


@dataclass(frozen=True)
class Migration:
    """One schema step: the statements that take a database from ``version - 1`` to ``version``."""

    version: int
    description: str
    statements: Sequence[str]


MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        version=1,
        description="initial tables: one run manifest row and one row per attempt",
        statements=(
            # A run directory holds exactly one run, hence the single-row table (id is always 1).
            """
            CREATE TABLE run (
                id INTEGER PRIMARY KEY CHECK (id = 1),
                run_id TEXT NOT NULL,
                kind TEXT NOT NULL,
                target TEXT NOT NULL,
                config_json TEXT NOT NULL,
                config_hash TEXT NOT NULL,
                status TEXT NOT NULL
                    CHECK (status IN ('running', 'completed', 'failed', 'interrupted')),
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL
            )
            """,
            # AUTOINCREMENT so that seq never reuses the number of a deleted (retried) attempt:
            # seq is the order in which attempts completed.
            """
            CREATE TABLE attempt (
                seq INTEGER PRIMARY KEY AUTOINCREMENT,
                item_id TEXT NOT NULL UNIQUE,
                prompt TEXT NOT NULL,
                transformed_prompt TEXT,
                messages_json TEXT NOT NULL,
                response TEXT,
                scores_json TEXT NOT NULL,
                timings_json TEXT NOT NULL,
                prompt_tokens INTEGER NOT NULL DEFAULT 0,
                completion_tokens INTEGER NOT NULL DEFAULT 0,
                target TEXT NOT NULL,
                config_hash TEXT NOT NULL,
                error TEXT,
                created_at TEXT NOT NULL
            )
            """,
        ),
    ),
    Migration(
        version=2,
        description="attempt metadata, run summary (metrics) and an index of failed attempts",
        statements=(
            "ALTER TABLE attempt ADD COLUMN metadata_json TEXT NOT NULL DEFAULT '{}'",
            "ALTER TABLE run ADD COLUMN summary_json TEXT",
            # --resume asks for the failed items to retry; a partial index keeps that cheap.
            "CREATE INDEX attempt_failed ON attempt (item_id) WHERE error IS NOT NULL",
        ),
    ),
)

SCHEMA_VERSION: int = MIGRATIONS[-1].version


def user_version(conn: sqlite3.Connection) -> int:
    """Schema version recorded in the database file."""
    row = conn.execute("PRAGMA user_version").fetchone()
    return int(row[0])


def check_supported(conn: sqlite3.Connection, *, label: str = "database") -> None:
    """Raise :class:`StoreError` unless the file is a results database this raikit can use."""
    version = user_version(conn)
    if version == 0 and conn.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchone():
        # Version 0 with tables: some other program's SQLite file, not a new results database.
        raise StoreError(f"{label} is an SQLite database but not a raikit results database")
    if version > SCHEMA_VERSION:
        raise StoreError(
            f"{label} has schema version {version} but this raikit supports up to "
            f"{SCHEMA_VERSION}; upgrade raikit to open it"
        )


def migrate(conn: sqlite3.Connection, *, target: int = SCHEMA_VERSION, label: str = "database") -> int:
    """Apply the pending migrations up to ``target`` in one transaction and return the new version.

    ``conn`` must be in autocommit mode (``isolation_level=None``). ``BEGIN IMMEDIATE`` takes the
    write lock before the version is read, so two processes opening the same new run directory do
    not both apply the same step. DDL and ``user_version`` are transactional in SQLite: a process
    killed half-way leaves the database at its previous version, not half-migrated.
    """
    if not 0 <= target <= SCHEMA_VERSION:
        raise ValueError(f"target schema version {target} is not between 0 and {SCHEMA_VERSION}")
    conn.execute("BEGIN IMMEDIATE")
    try:
        check_supported(conn, label=label)
        current = user_version(conn)
        for step in MIGRATIONS:
            if current < step.version <= target:
                for statement in step.statements:
                    conn.execute(statement)
                # PRAGMA does not take bound parameters; the version is an int from this module.
                conn.execute(f"PRAGMA user_version = {int(step.version)}")
                current = step.version
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return current
