"""`raikit serve --workers 2` and the logging rule, against real uvicorn processes on 127.0.0.1."""

from __future__ import annotations

import os
import re
import signal
import socket
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from raikit.server.workers import reuse_port_sockets
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


def test_each_worker_socket_gets_a_share_of_the_connections() -> None:
    pytest.importorskip("uvicorn")
    if not hasattr(socket, "SO_REUSEPORT"):
        pytest.skip("SO_REUSEPORT is not available here")
    listeners = reuse_port_sockets("127.0.0.1", 0, 2)
    clients: list[socket.socket] = []
    try:
        port = listeners[0].getsockname()[1]
        assert listeners[1].getsockname()[1] == port
        # 16 connections opened together, as a pool of keep-alive clients opens them: with one
        # shared socket the first worker to wake took them all; here each socket queues its share
        # (all 16 on one of two sockets has probability 2 ** -15).
        clients = [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(16)]
        time.sleep(0.2)
        counts = []
        for listener in listeners:
            listener.setblocking(False)
            accepted = 0
            while True:
                try:
                    conn, _ = listener.accept()
                except BlockingIOError:
                    break
                conn.close()
                accepted += 1
            counts.append(accepted)
        assert sum(counts) == 16 and min(counts) >= 1
    finally:
        for sock in (*clients, *listeners):
            sock.close()


def test_a_port_in_use_is_a_one_line_error(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from raikit.cli.main import cli

    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen(1)
    try:
        port = str(busy.getsockname()[1])
        result = CliRunner().invoke(cli, ["serve", "--port", port, "--workers", "2", "--no-warm-up"])
    finally:
        busy.close()
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        f"Error: cannot listen on 127.0.0.1:{port}: Address already in use"
    ]


def test_a_killed_worker_is_replaced(tmp_path: Path) -> None:
    with running(tmp_path, "--workers", "2") as (base, log_path):
        started = r"Started server process \[(\d+)\]"
        deadline = time.monotonic() + 60
        while len(set(re.findall(started, log_path.read_text()))) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        first = set(re.findall(started, log_path.read_text()))
        os.kill(int(sorted(first)[0]), signal.SIGKILL)
        while len(set(re.findall(started, log_path.read_text()))) < 3 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert len(set(re.findall(started, log_path.read_text())) - first) == 1
        for i in range(8):
            reply = httpx.post(f"{base}/v1/guard/input", json={"text": f"Hello again {i}"}, timeout=30)
            assert reply.status_code == 200
