"""End-to-end tests of the ``raikit`` command line, run as a real subprocess.

Every command runs ``python -m raikit.cli`` with the test's interpreter, in a temporary working
directory, so nothing depends on the shell's ``PATH`` or on files outside ``tmp_path``.
"""

from __future__ import annotations

import html
import io
import json
import os
import socket
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

import pytest

from raikit.core.store import ResultsStore
from raikit.core.taxonomy import DIMENSION_IDS, load_taxonomy
from raikit.evals import load_builtin_suite
from support import run_raikit

SCHEMES = ("llamacpp", "openai", "bedrock", "transformers", "scripted")
REFUSAL = "I'm sorry, but I can't help with that."
COMPLIANT = "Sure! Here is the answer: <script>alert('xss')</script> & more."
N_ITEMS = len(load_builtin_suite("quick").items)
# The quick profile restricted to raikit's own 40-item quick suite, guard-off pass only.
QUICK_AUDIT = ("audit", "--quick", "--only", "quick", "--no-guard")


def raikit(*args: str | Path, cwd: Path, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    # rich tables are not truncated to 80 columns
    return run_raikit(*args, cwd=cwd, timeout=timeout, env={**os.environ, "COLUMNS": "250"})


def ok(result: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    assert result.returncode == 0, (
        f"exit {result.returncode}\nstdout:\n{result.stdout}\nstderr:\n{result.stderr}"
    )
    return result


def one_line_error(result: subprocess.CompletedProcess[str], code: int) -> str:
    """The CLI's error contract: exit ``code``, nothing on stdout, one line on stderr, no traceback."""
    assert result.returncode == code, f"exit {result.returncode}, stderr: {result.stderr!r}"
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, f"expected one line on stderr, got {len(lines)}: {result.stderr!r}"
    assert lines[0].startswith("raikit: ")
    return lines[0]


def write_script(folder: Path, body: str, name: str = "script.yaml") -> Path:
    path = folder / name
    path.write_text(body, encoding="utf-8")
    return path


def yaml_str(text: str) -> str:
    return json.dumps(text)  # a JSON string is a valid YAML flow scalar


def run_of(path: Path) -> Path:
    """The run directory of the quick benchmark when ``path`` is an audit directory."""
    return path / "quick.off" if (path / "audit.json").exists() else path


def stored_rows(run_dir: Path) -> list[dict[str, Any]]:
    """The run's attempts as ``runs export`` writes them, read in this process (no CLI start-up).

    The ``runs export`` command itself is covered by its own tests below.
    """
    out = io.StringIO()
    with ResultsStore(run_of(run_dir), create=False) as store:
        store.export_jsonl(out)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def stored_run(run_dir: Path) -> dict[str, Any]:
    with ResultsStore(run_of(run_dir), create=False) as store:
        info = store.run_info()
    assert info is not None
    return info.model_dump(mode="json")


@pytest.fixture
def echo_script(tmp_path: Path) -> Path:
    return write_script(
        tmp_path,
        f"""
model: echo
default: {yaml_str(REFUSAL)}
rules:
  - match: "(?i)^hello"
    reply: "Hello there! You said: {{prompt}}"
  - contains: "SYSTEM?"
    reply: "no system prompt seen"
""",
    )


@pytest.fixture(scope="module")
def refusing_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One completed audit of a target that declines everything (shared by several tests)."""
    root = tmp_path_factory.mktemp("refusing")
    script = write_script(root, f"default: {yaml_str(REFUSAL)}\n")
    audit_dir = root / "runs" / "refuse"
    ok(raikit(*QUICK_AUDIT, "--target", f"scripted:{script}", "-o", audit_dir, "--no-progress", cwd=root))
    return audit_dir / "quick.off"


@pytest.fixture(scope="module")
def complying_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One completed audit of a target that answers everything."""
    root = tmp_path_factory.mktemp("complying")
    script = write_script(root, f"default: {yaml_str(COMPLIANT)}\n")
    audit_dir = root / "comply"
    result = ok(
        raikit(*QUICK_AUDIT, "--target", f"scripted:{script}", "-o", audit_dir, "--no-progress", cwd=root)
    )
    assert "false refusal 0%" in result.stdout
    return audit_dir / "quick.off"


# --- version and models ---------------------------------------------------------------------


def test_version(tmp_path: Path) -> None:
    from raikit import __version__

    result = ok(raikit("--version", cwd=tmp_path))
    assert __version__ in result.stdout
    assert "raikit" in result.stdout


def test_help_lists_commands(tmp_path: Path) -> None:
    result = ok(raikit("--help", cwd=tmp_path))
    for command in ("audit", "chat", "models", "runs"):
        assert command in result.stdout


def test_models_list_table(tmp_path: Path) -> None:
    result = ok(raikit("models", "list", cwd=tmp_path))
    for scheme in SCHEMES:
        assert scheme in result.stdout
    assert "llamacpp:default" in result.stdout


def test_models_list_json(tmp_path: Path) -> None:
    payload = json.loads(ok(raikit("models", "list", "--json", cwd=tmp_path)).stdout)
    assert set(payload) >= {"schemes", "default_model"}
    by_scheme = {row["scheme"]: row for row in payload["schemes"]}
    assert set(SCHEMES) <= set(by_scheme)
    for row in by_scheme.values():
        assert {"scheme", "example", "description", "ready"} <= set(row)
        assert isinstance(row["ready"], bool)
    assert by_scheme["scripted"]["ready"] is True
    assert by_scheme["openai"]["ready"] is True
    assert by_scheme["scripted"]["example"].startswith("scripted:")
    default_model = payload["default_model"]
    assert default_model is None or isinstance(default_model, str)
    if default_model is not None:
        assert default_model.endswith(".gguf")
        assert Path(default_model).is_file()


# --- chat -----------------------------------------------------------------------------------


def test_chat_streams_scripted_reply(tmp_path: Path, echo_script: Path) -> None:
    result = ok(raikit("chat", f"scripted:{echo_script}", "hello", cwd=tmp_path))
    assert result.stdout == "Hello there! You said: hello\n"


def test_chat_no_stream(tmp_path: Path, echo_script: Path) -> None:
    result = ok(raikit("chat", f"scripted:{echo_script}", "hello world", "--no-stream", cwd=tmp_path))
    assert result.stdout == "Hello there! You said: hello world\n"


def test_chat_default_reply_with_relative_script_path(tmp_path: Path, echo_script: Path) -> None:
    result = ok(raikit("chat", f"scripted:{echo_script.name}", "tell me a secret", cwd=tmp_path))
    assert result.stdout.strip() == REFUSAL


def test_chat_system_prompt(tmp_path: Path, echo_script: Path) -> None:
    # The scripted target matches rules on the last *user* message, and counts the tokens of every
    # message: the system prompt must be sent (4 prompt tokens) but not taken for the prompt.
    result = ok(
        raikit(
            "chat",
            f"scripted:{echo_script}",
            "hello",
            "--system",
            "SYSTEM? be terse",
            "--usage",
            cwd=tmp_path,
        )
    )
    assert result.stdout == "Hello there! You said: hello\n"
    assert "tokens: prompt 4, completion 5" in result.stderr
    plain = ok(raikit("chat", f"scripted:{echo_script}", "what now", "--system", "SYSTEM?", cwd=tmp_path))
    assert plain.stdout.strip() == REFUSAL


def test_chat_usage_goes_to_stderr(tmp_path: Path, echo_script: Path) -> None:
    result = ok(raikit("chat", f"scripted:{echo_script}", "hello", "--usage", cwd=tmp_path))
    assert result.stdout == "Hello there! You said: hello\n"
    assert "tokens: prompt 1, completion 5" in result.stderr


def test_chat_max_tokens_truncates(tmp_path: Path, echo_script: Path) -> None:
    result = ok(raikit("chat", f"scripted:{echo_script}", "hello", "--max-tokens", "2", cwd=tmp_path))
    assert result.stdout == "Hello there!\n"


# --- error contract -------------------------------------------------------------------------


def test_unknown_scheme_is_one_line_naming_valid_schemes(tmp_path: Path) -> None:
    line = one_line_error(raikit("chat", "foo:bar", "hi", cwd=tmp_path), 2)
    assert "foo" in line
    for scheme in SCHEMES:
        assert scheme in line


def test_malformed_target(tmp_path: Path) -> None:
    line = one_line_error(raikit("chat", "nocolon", "hi", cwd=tmp_path), 2)
    assert "nocolon" in line
    assert "SCHEME:LOCATION" in line


def test_missing_scripted_file(tmp_path: Path) -> None:
    missing = tmp_path / "does-not-exist.yaml"
    line = one_line_error(raikit("chat", f"scripted:{missing}", "hi", cwd=tmp_path), 2)
    assert str(missing) in line


@pytest.mark.parametrize(
    "body",
    [
        pytest.param("rules: [\n", id="yaml-syntax"),
        pytest.param("default: [unclosed\nrules:\n  - match: x\n", id="yaml-syntax-multiline"),
        pytest.param("rules:\n  - reply: no pattern\n", id="rule-without-pattern"),
        pytest.param(
            "rules:\n  - match: '(unclosed'\n    reply: x\n",
            id="bad-regex",
        ),
    ],
)
def test_invalid_script(tmp_path: Path, body: str) -> None:
    script = write_script(tmp_path, body, "bad.yaml")
    line = one_line_error(raikit("chat", f"scripted:{script}", "hi", cwd=tmp_path), 2)
    assert "bad.yaml" in line


def test_unreachable_server_exits_1_after_retries(tmp_path: Path) -> None:
    with socket.socket() as sock:  # a port that was just free: nothing listens on it any more
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}/v1"
    line = one_line_error(raikit("chat", f"openai:{url}#model=x", "hi", "--no-stream", cwd=tmp_path), 1)
    assert "cannot reach" in line
    assert url in line
    assert "attempts" in line  # "(gave up after N attempts)"


def test_unreachable_server_streaming_exits_1(tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    line = one_line_error(raikit("chat", f"openai:http://127.0.0.1:{port}/v1#model=x", "hi", cwd=tmp_path), 1)
    assert "cannot reach" in line
    assert "attempts" in line


def test_runs_show_missing_dir(tmp_path: Path) -> None:
    missing = tmp_path / "nothing-here"
    line = one_line_error(raikit("runs", "show", missing, cwd=tmp_path), 2)
    assert "nothing-here" in line
    assert not missing.exists(), "runs show must not create the directory"


def test_runs_export_missing_dir(tmp_path: Path) -> None:
    one_line_error(raikit("runs", "export", tmp_path / "nothing-here", cwd=tmp_path), 2)


def test_runs_show_refuses_non_sqlite_file(tmp_path: Path) -> None:
    run_dir = tmp_path / "not-a-run"
    run_dir.mkdir()
    db = run_dir / "results.sqlite"
    content = b"precious notes, definitely not SQLite\n" * 50
    db.write_bytes(content)
    line = one_line_error(raikit("runs", "show", run_dir, cwd=tmp_path), 2)
    assert "results.sqlite" in line
    assert db.read_bytes() == content
    assert sorted(p.name for p in run_dir.iterdir()) == ["results.sqlite"]


def test_runs_show_refuses_foreign_sqlite_database(tmp_path: Path) -> None:
    run_dir = tmp_path / "foreign"
    run_dir.mkdir()
    db = run_dir / "results.sqlite"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE notes (body TEXT)")
        conn.execute("INSERT INTO notes VALUES ('keep me')")
    conn.close()
    before = db.read_bytes()
    one_line_error(raikit("runs", "show", run_dir, cwd=tmp_path), 2)
    assert db.read_bytes() == before


def test_audit_refuses_non_sqlite_file(tmp_path: Path, echo_script: Path) -> None:
    run_dir = tmp_path / "run"
    (run_dir / "quick.off").mkdir(parents=True)
    db = run_dir / "quick.off" / "results.sqlite"
    db.write_text("not a database", encoding="utf-8")
    result = raikit(
        *QUICK_AUDIT, "--target", f"scripted:{echo_script}", "-o", run_dir, "--no-progress", cwd=tmp_path
    )
    one_line_error(result, 2)
    assert db.read_text(encoding="utf-8") == "not a database"
    assert not (run_dir / "index.html").exists()


def test_bad_option_value_is_usage_error(tmp_path: Path, echo_script: Path) -> None:
    result = raikit("chat", f"scripted:{echo_script}", "hi", "--max-tokens", "0", cwd=tmp_path)
    one_line_error(result, 2)


def test_audit_unknown_scheme(tmp_path: Path) -> None:
    line = one_line_error(
        raikit(*QUICK_AUDIT, "--target", "nope:x", "-o", tmp_path / "run", "--no-progress", cwd=tmp_path), 2
    )
    assert "scripted" in line


# --- runs -----------------------------------------------------------------------------------


def test_runs_list_json(refusing_run: Path) -> None:
    parent = refusing_run.parent
    found = json.loads(ok(raikit("runs", "list", "--root", parent, "--json", cwd=parent)).stdout)
    (run,) = [r for r in found if Path(r["run_dir"]).resolve() == refusing_run.resolve()]
    assert run["n_attempts"] == N_ITEMS == 40
    assert run["n_errors"] == 0
    assert run["status"] == "completed"
    assert run["kind"] == "audit"
    assert run["target"].startswith("scripted:")


def test_runs_list_table_and_empty_root(refusing_run: Path, tmp_path: Path) -> None:
    table = ok(raikit("runs", "list", "--root", refusing_run.parent, cwd=tmp_path)).stdout
    assert "completed" in table
    assert "40" in table
    empty = ok(raikit("runs", "list", "--root", tmp_path / "none", cwd=tmp_path))
    assert "no runs" in empty.stdout


def test_runs_show_json(refusing_run: Path, tmp_path: Path) -> None:
    payload = json.loads(ok(raikit("runs", "show", refusing_run, "--json", cwd=tmp_path)).stdout)
    assert payload["run"]["status"] == "completed"
    assert payload["run"]["n_attempts"] == 40
    assert payload["summary"]["n_items"] == 40
    assert len(payload["attempts"]) == 5
    assert all(a["response"] == REFUSAL for a in payload["attempts"])
    two = json.loads(
        ok(raikit("runs", "show", refusing_run, "--json", "--attempts", "2", cwd=tmp_path)).stdout
    )
    assert len(two["attempts"]) == 2


def test_runs_show_text(refusing_run: Path, tmp_path: Path) -> None:
    result = ok(raikit("runs", "show", refusing_run, cwd=tmp_path))
    assert "status=completed" in result.stdout
    assert "attempts: 40" in result.stdout


def test_runs_export_to_file(refusing_run: Path, tmp_path: Path) -> None:
    out = tmp_path / "sub" / "out.jsonl"
    result = ok(raikit("runs", "export", refusing_run, "-o", out, cwd=tmp_path))
    assert "exported 40 attempts" in result.stderr
    assert result.stdout == ""
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 40
    suite_ids = {s.id for s in load_builtin_suite("quick").items}
    assert {r["item_id"] for r in rows} == suite_ids
    for row in rows:
        assert {"item_id", "prompt", "response", "scores", "created_at", "run_id"} <= set(row)
        assert row["response"] == REFUSAL
        assert set(row["scores"]) == {"refusal", "passed"}
        assert row["error"] is None


def test_runs_export_to_stdout(refusing_run: Path, tmp_path: Path) -> None:
    result = ok(raikit("runs", "export", refusing_run, cwd=tmp_path))
    lines = result.stdout.splitlines()
    assert len(lines) == 40
    rows = [json.loads(line) for line in lines]
    assert all({"item_id", "prompt", "response", "scores"} <= set(r) for r in rows)
    assert "exported 40 attempts" in result.stderr  # the count goes to stderr, not into the JSONL


# --- audit ----------------------------------------------------------------------------------


def audit_dir_of(path: Path) -> Path:
    return path.parent if path.name == "quick.off" else path


def _report(path: Path) -> dict[str, Any]:
    """The audit's scorecard.json (``path``: the audit directory or its quick.off run)."""
    card: dict[str, Any] = json.loads((audit_dir_of(path) / "scorecard.json").read_text(encoding="utf-8"))
    assert card["schema_version"] == 1
    return card


def _quick_stats(card: dict[str, Any]) -> dict[str, Any]:
    (quick,) = [b for b in card["benchmarks"] if b["name"] == "quick"]
    stats: dict[str, Any] = quick["off"]["stats"]
    return stats


def test_audit_refusing_target(refusing_run: Path, tmp_path: Path) -> None:
    card = _report(refusing_run)
    assert card["run"]["n_items"] == 40
    assert card["run"]["n_errors"] == 0
    assert card["run"]["guard_status"] == "not requested"
    overall = card["overall"]["off"]
    assert overall["adherence"]["value"] == 1.0
    assert overall["false_refusal"]["value"] == 1.0
    assert overall["false_refusal"]["n"] == sum(
        1 for s in load_builtin_suite("quick").items if s.expect == "comply"
    )
    assert card["overall"]["on"] == {"adherence": None, "false_refusal": None}
    assert set(card["dimensions"]) == set(DIMENSION_IDS)
    for dim in card["dimensions"].values():
        assert dim["off"]["adherence"]["value"] == 1.0
        assert dim["off"]["false_refusal"]["value"] == 1.0
        assert dim["on"]["adherence"] is None
    # every refuse-item passed, every comply-item failed
    expect = {s.id: s.expect for s in load_builtin_suite("quick").items}
    for row in stored_rows(refusing_run):
        passed = row["scores"]["passed"]["value"] == 1.0
        assert passed is (expect[row["item_id"]] != "comply"), row["item_id"]


def test_audit_complying_target(complying_run: Path) -> None:
    card = _report(complying_run)
    overall = card["overall"]["off"]
    assert card["run"]["n_errors"] == 0
    assert overall["false_refusal"]["value"] == 0.0
    assert overall["false_refusal"]["ci_low"] == 0.0
    assert overall["false_refusal"]["ci_high"] == 0.0
    # answering everything fails every refuse-item; avoid-items pass (nothing forbidden leaked)
    suite = load_builtin_suite("quick").items
    n_refuse = sum(1 for s in suite if s.expect == "refuse")
    n_avoid = sum(1 for s in suite if s.expect == "avoid")
    assert overall["adherence"]["n"] == n_refuse + n_avoid
    assert overall["adherence"]["successes"] == n_avoid
    assert {f["item_id"] for f in card["findings"]} == {s.id for s in suite if s.expect == "refuse"}


def test_audit_reports_exist(refusing_run: Path, complying_run: Path) -> None:
    for run_dir in (refusing_run, complying_run):
        audit_dir = audit_dir_of(run_dir)
        for name in ("scorecard.json", "report.md", "index.html", "audit.json"):
            assert (audit_dir / name).is_file(), name
            assert (audit_dir / name).stat().st_size > 0
        leftovers = [p.name for p in audit_dir.iterdir() if p.name.endswith(".tmp")]
        assert leftovers == []


def test_audit_html_names_dimensions_and_escapes(refusing_run: Path, complying_run: Path) -> None:
    names = [d.name for d in load_taxonomy().dimensions]
    assert len(names) == len(DIMENSION_IDS) == 8
    for run_dir in (refusing_run, complying_run):
        page = (audit_dir_of(run_dir) / "index.html").read_text(encoding="utf-8")
        assert page.lstrip().lower().startswith("<!doctype html>")
        for name in names:
            assert html.escape(name) in page, name
        assert "<script" not in page.lower()
        markdown = (audit_dir_of(run_dir) / "report.md").read_text(encoding="utf-8")
        for name in names:
            assert name in markdown
    # the complying target's answer carries markup: it shows up escaped in the failed items
    page = (audit_dir_of(complying_run) / "index.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(" in page


def test_audit_rerun_without_resume_is_refused(refusing_run: Path, tmp_path: Path) -> None:
    audit_dir = audit_dir_of(refusing_run)
    before = stored_rows(refusing_run)
    report_before = (audit_dir / "scorecard.json").read_bytes()
    script = write_script(tmp_path, f"default: {yaml_str(REFUSAL)}\n")
    result = raikit(
        *QUICK_AUDIT, "--target", f"scripted:{script}", "-o", audit_dir, "--no-progress", cwd=tmp_path
    )
    line = one_line_error(result, 2)
    assert "--resume" in line
    assert stored_rows(refusing_run) == before
    assert (audit_dir / "scorecard.json").read_bytes() == report_before


def test_audit_resume_of_completed_run_sends_nothing(tmp_path: Path) -> None:
    script = write_script(tmp_path, f"default: {yaml_str(REFUSAL)}\n")
    target = f"scripted:{script}"
    run_dir = tmp_path / "run"
    ok(raikit(*QUICK_AUDIT, "--target", target, "-o", run_dir, "--no-progress", cwd=tmp_path))
    before = stored_rows(run_dir)
    assert len(before) == 40

    # Same target string (the run's config hash includes it), different replies: anything re-sent
    # would be recorded with the new answer.
    script.write_text('default: "Sure! Here is something new."\n', encoding="utf-8")
    result = ok(
        raikit(*QUICK_AUDIT, "--target", target, "-o", run_dir, "--no-progress", "--resume", cwd=tmp_path)
    )
    assert "40 items (0 errors)" in result.stdout
    assert result.stderr == ""  # --no-progress

    after = stored_rows(run_dir)
    assert after == before  # same rows, same order, same created_at, same responses
    card = _report(run_dir)
    assert _quick_stats(card)["skipped"] == 40
    assert _quick_stats(card)["completed"] == 0
    assert card["overall"]["off"]["adherence"]["value"] == 1.0
    info = stored_run(run_dir)
    assert info["status"] == "completed"
    assert info["n_attempts"] == 40


def test_audit_resume_with_different_target_is_refused(tmp_path: Path) -> None:
    first = write_script(tmp_path, f"default: {yaml_str(REFUSAL)}\n", "first.yaml")
    other = write_script(tmp_path, "default: hi\n", "other.yaml")
    run_dir = tmp_path / "run"
    ok(raikit(*QUICK_AUDIT, "--target", f"scripted:{first}", "-o", run_dir, "--limit", "2", cwd=tmp_path))
    result = raikit(
        *QUICK_AUDIT, "--target", f"scripted:{other}", "-o", run_dir, "--limit", "2", "--resume", cwd=tmp_path
    )
    line = one_line_error(result, 2)
    assert "config" in line


def test_audit_resume_with_different_limit_is_refused(tmp_path: Path) -> None:
    script = write_script(tmp_path, f"default: {yaml_str(REFUSAL)}\n")
    run_dir = tmp_path / "run"
    ok(raikit(*QUICK_AUDIT, "--target", f"scripted:{script}", "-o", run_dir, "--limit", "2", cwd=tmp_path))
    result = raikit(
        *QUICK_AUDIT,
        "--target",
        f"scripted:{script}",
        "-o",
        run_dir,
        "--limit",
        "3",
        "--resume",
        cwd=tmp_path,
    )
    line = one_line_error(result, 2)
    assert "config" in line
    assert len(stored_rows(run_dir)) == 2


def test_audit_limit_and_progress_lines(tmp_path: Path) -> None:
    script = write_script(tmp_path, f"default: {yaml_str(REFUSAL)}\n")
    run_dir = tmp_path / "limited"
    result = ok(
        raikit(*QUICK_AUDIT, "--target", f"scripted:{script}", "-o", run_dir, "--limit", "3", cwd=tmp_path)
    )
    assert "over 3 items" in result.stdout
    # stderr is not a terminal here, so progress is one line per item
    assert result.stderr.count("\n") >= 3
    assert "[3/3]" in result.stderr
    assert len(stored_rows(run_dir)) == 3


def test_audit_records_target_errors_and_resume_retries_them(tmp_path: Path) -> None:
    script = write_script(
        tmp_path,
        f"""
default: {yaml_str(REFUSAL)}
rules:
  - contains: "boiling point"
    error: bad_request
""",
    )
    target = f"scripted:{script}"
    run_dir = tmp_path / "run"
    result = raikit(*QUICK_AUDIT, "--target", target, "-o", run_dir, "--no-progress", cwd=tmp_path)
    assert "(1 errors)" in result.stdout
    assert result.returncode == 1, "an audit with failed items must not look like a success"
    assert "--resume" in result.stderr.splitlines()[-1]
    rows = {r["item_id"]: r for r in stored_rows(run_dir)}
    assert len(rows) == 40
    assert rows["ver-04"]["error"] is not None
    assert rows["ver-04"]["response"] is None
    info = stored_run(run_dir)
    assert info["status"] == "failed"
    assert info["n_errors"] == 1

    script.write_text(f"default: {yaml_str(REFUSAL)}\n", encoding="utf-8")  # the "outage" is over
    result = ok(
        raikit(*QUICK_AUDIT, "--target", target, "-o", run_dir, "--no-progress", "--resume", cwd=tmp_path)
    )
    assert "(0 errors)" in result.stdout
    after = {r["item_id"]: r for r in stored_rows(run_dir)}
    assert len(after) == 40
    assert after["ver-04"]["error"] is None
    assert after["ver-04"]["response"] == REFUSAL
    for item_id, row in rows.items():
        if item_id != "ver-04":
            assert after[item_id] == row
    assert _quick_stats(_report(run_dir))["completed"] == 1
    info = stored_run(run_dir)
    assert info["status"] == "completed"
