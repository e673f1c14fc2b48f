"""`raikit serve --workers 2` and the logging rule, against real uvicorn processes on 127.0.0.1."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from serving import launch

pytestmark = pytest.mark.integration

POLICY = """\
name: light
input:
  scanners: [pii]
output:
  scanners: [pii]
categories:
  "pii.*": {threshold: 0.5, action: redact}
scanner_settings:
  pii: {use_ner: false}
"""
SECRET_PROMPT = "Please email zebra-marmalade-77 at jane.roe@example.org about the invoice"


@contextmanager
def running(tmp: Path, *extra: str) -> Iterator[tuple[str, Path]]:
    (tmp / "light.yaml").write_text(POLICY, encoding="utf-8")
    proc, base, log_path = launch(
        ["--policy", f"light={tmp / 'light.yaml'}", "--default-policy", "light", *extra], tmp
    )
    try:
        yield base, log_path
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def _checks_total(metrics: str) -> float:
    pattern = r'^raikit_guard_checks_total\{action="(?:allow|redact)",policy="light",stage="input"\} (\S+)$'
    return sum(float(m) for m in re.findall(pattern, metrics, flags=re.M))


def test_two_workers_share_the_load_and_the_metrics(tmp_path: Path) -> None:
    with running(tmp_path, "--workers", "2") as (base, log_path), httpx.Client(timeout=30) as client:
        for i in range(40):
            reply = client.post(f"{base}/v1/guard/input", json={"text": f"Hello number {i}, how are you?"})
            assert reply.status_code == 200 and reply.json()["allowed"] is True
        # new connections may land on either worker: every answer must count all 40 checks
        totals = {_checks_total(httpx.get(f"{base}/metrics").text) for _ in range(6)}
    assert totals == {40.0}
    pids = set(re.findall(r"Started server process \[(\d+)\]", log_path.read_text()))
    assert len(pids) == 2


def test_logs_and_metrics_carry_no_text_unless_debug(tmp_path: Path) -> None:
    with running(tmp_path) as (base, log_path):
        reply = httpx.post(f"{base}/v1/guard/input", json={"text": SECRET_PROMPT}).json()
        assert reply["action"] == "redact" and "jane.roe@example.org" not in reply["sanitized"]
        metrics = httpx.get(f"{base}/metrics").text
    log = log_path.read_text()
    assert "guard input policy=light action=redact" in log  # the check is logged...
    for secret in ("zebra-marmalade-77", "jane.roe@example.org"):  # ...without its text
        assert secret not in log and secret not in metrics

    with running(tmp_path, "--log-level", "debug") as (base, log_path):
        httpx.post(f"{base}/v1/guard/input", json={"text": SECRET_PROMPT})
    assert "zebra-marmalade-77" in log_path.read_text()  # explicitly enabled debug logging shows it
