"""Prometheus metrics of one app instance (its own registry: no global state).

Labels carry stage, action, policy and scanner names only: never request text.

With several worker processes (``raikit serve --workers N``) every worker writes its samples to
``PROMETHEUS_MULTIPROC_DIR`` (prometheus_client's multiprocess mode, chosen when that variable is
set before prometheus_client is imported) and ``/metrics``, whichever worker answers, adds up
the files of all workers.
"""

from __future__ import annotations

import os

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.checks = Counter(
            "raikit_guard_checks_total",
            "Guard checks by stage, policy and action",
            ["stage", "policy", "action"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "raikit_guard_latency_seconds",
            "Whole-rail latency",
            ["stage"],
            registry=self.registry,
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5),
        )
        self.scanner_failures = Counter(
            "raikit_guard_scanner_failures_total",
            "Scanner errors and timeouts",
            ["scanner"],
            registry=self.registry,
        )
        self.proxy = Counter(
            "raikit_proxy_requests_total",
            "Guarded proxy requests by outcome",
            ["outcome"],
            registry=self.registry,
        )
        self.errors = Counter(
            "raikit_http_errors_total", "Error responses by status", ["status"], registry=self.registry
        )

    def render(self) -> bytes:
        folder = os.environ.get(MULTIPROC_ENV)
        if not folder:
            return generate_latest(self.registry)
        from prometheus_client import multiprocess

        merged = CollectorRegistry()
        multiprocess.MultiProcessCollector(merged, path=folder)  # type: ignore[no-untyped-call]
        return generate_latest(merged)
