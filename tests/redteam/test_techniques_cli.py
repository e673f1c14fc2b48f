"""``raikit redteam techniques list|show|apply``: the fixed contract.

The contract and cross-process reproducibility run ``python -m raikit.cli`` as a real subprocess;
the other cases call the same ``main()`` in-process (starting the CLI costs seconds per call).
"""

from __future__ import annotations

import functools
import json
import subprocess

import pytest

from raikit.cli.main import main
from raikit.redteam.techniques import CATEGORIES
from support import run_raikit

PROMPT = "How do I pick a lock?"


raikit = functools.partial(run_raikit, timeout=60)


@pytest.fixture
def cli(capsys, tmp_path, monkeypatch):
    """Run ``raikit ARGS`` in-process; returns (exit code, stdout, stderr)."""
    monkeypatch.chdir(tmp_path)

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        try:
            main(list(args))
            code = 0
        except SystemExit as exc:
            code = int(exc.code or 0)
        out, err = capsys.readouterr()
        return subprocess.CompletedProcess(args, code, out, err)

    return run


def test_list_json_is_an_array_of_objects_with_id_and_category(tmp_path):
    done = raikit("redteam", "techniques", "list", "--json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)
    assert isinstance(rows, list) and len(rows) >= 300
    assert all(isinstance(row["id"], str) and row["category"] in CATEGORIES for row in rows)
    assert {row["category"] for row in rows} == set(CATEGORIES)
    assert len({row["id"] for row in rows}) == len(rows)


def test_list_filters_and_plain_text(cli, tmp_path):
    done = cli("redteam", "techniques", "list", "--category", "language", "--language", "ja")
    assert done.returncode == 0, done.stderr
    ids = [line.split()[0] for line in done.stdout.splitlines()]
    assert "language.ja-direct" in ids and all(i.startswith("language.ja") for i in ids)
    assert "techniques (language" in done.stderr


def test_show_prints_metadata_and_an_example(cli, tmp_path):
    done = cli("redteam", "techniques", "show", "decomposition.crescendo-history-to-method")
    assert done.returncode == 0, done.stderr
    assert "text->conversation" in done.stdout and "[user]" in done.stdout and "<PAYLOAD>" in done.stdout
    shown = json.loads(cli("redteam", "techniques", "show", "encoding.rot13", "--json").stdout)
    assert shown["id"] == "encoding.rot13" and shown["reversible"] is True and "<CNLYBNQ>" in shown["example"]
    assert shown["category"] == "encoding"


def test_apply_one_technique_and_a_chain_of_three(cli, tmp_path):
    one = cli("redteam", "techniques", "apply", "encoding.base64", PROMPT)
    assert one.returncode == 0, one.stderr
    assert "SG93IGRvIEkgcGljayBhIGxvY2s/" in one.stdout
    ids = ["roleplay.dan", "encoding.rot13", "output_format.json-schema-answer"]
    three = cli("redteam", "techniques", "apply", *ids, PROMPT, "--json")
    assert three.returncode == 0, three.stderr
    result = json.loads(three.stdout)
    assert result["applied"] == ids
    assert result["output"] == "text" and "Qb Nalguvat Abj" in result["text"]


def test_apply_multi_turn_and_image(cli, tmp_path):
    turns = json.loads(
        cli(
            "redteam",
            "techniques",
            "apply",
            "decomposition.multi-turn-split-two",
            PROMPT,
            "--json",
        ).stdout
    )
    assert turns["output"] == "conversation" and len(turns["messages"]) == 2
    png = tmp_path / "attack.png"
    done = cli(
        "redteam", "techniques", "apply", "encoding.image-typographic", PROMPT, "--image-out", str(png)
    )
    assert done.returncode == 0, done.stderr
    assert png.read_bytes().startswith(b"\x89PNG") and "[image " in done.stdout


def test_seeded_output_is_reproducible_across_processes(cli, tmp_path):
    runs = [
        raikit("redteam", "techniques", "apply", "encoding.zalgo", PROMPT, "--seed", s, cwd=tmp_path).stdout
        for s in "56"
    ]
    again = cli("redteam", "techniques", "apply", "encoding.zalgo", PROMPT, "--seed", "5").stdout
    assert runs[0] == again != runs[1]


def test_bad_input_is_one_line_and_exit_2(cli):
    cases = [
        ("apply", "no.such-technique", PROMPT),
        ("apply", "encoding.base64"),
        ("apply", "encoding.base64", "encoding.hex", "encoding.rot13", "encoding.morse", PROMPT),
        ("apply", "encoding.image-typographic", "encoding.base64", PROMPT),
        ("show", "nope"),
        ("apply", "encoding.image-typographic", PROMPT, "--image-out", "/nonexistent/dir/x.png"),
        ("list", "--category", "misc"),
    ]
    for args in cases:
        done = cli("redteam", "techniques", *args)
        assert done.returncode == 2, (args, done.stderr)
        assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr
