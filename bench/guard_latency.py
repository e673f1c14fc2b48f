"""Guard latency and server throughput; writes bench/results/guard_latency.json.

- p50/p99 of every input and output scanner, and of the whole input rail (no NER PII), on
  64-, 512- and 2,000-token prompts, pinned to one core with one BLAS thread. Every call sees
  a different text, so the embedding cache never helps.
- Throughput of `raikit serve` on 127.0.0.1 with concurrent clients (both cores).

Usage: python bench/guard_latency.py [--policy default] [--repeats 200] [--clients 16] [--seconds 20]
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import argparse
import asyncio
import contextlib
import json
import platform
import random
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

from raikit.guard.pipeline import Guard
from raikit.guard.policy import load_policy
from raikit.guard.types import ScanContext

HERE = Path(__file__).resolve().parent
WORDS = [
    "the",
    "a",
    "customer",
    "order",
    "delivery",
    "report",
    "please",
    "summary",
    "meeting",
    "project",
    "budget",
    "quarter",
    "team",
    "review",
    "design",
    "system",
    "model",
    "data",
    "service",
    "update",
    "account",
    "invoice",
    "payment",
    "schedule",
    "weather",
    "travel",
    "city",
    "history",
    "science",
    "music",
    "garden",
    "recipe",
    "kitchen",
    "bread",
    "water",
    "river",
    "mountain",
    "school",
    "student",
    "teacher",
    "computer",
    "program",
    "python",
    "process",
    "memory",
    "network",
    "server",
    "request",
    "response",
    "error",
    "message",
    "question",
    "answer",
    "help",
    "write",
    "explain",
    "describe",
    "compare",
    "analyse",
    "improve",
    "plan",
    "idea",
    "story",
    "chapter",
    "book",
    "article",
]


def prompt(tokens: int, rng: random.Random) -> str:
    # ~0.75 words per token for English text
    n_words = max(1, int(tokens * 0.75))
    words = [rng.choice(WORDS) for _ in range(n_words)]
    for i in range(12, n_words, 13):
        words[i] += "."
    return " ".join(words).capitalize() + "?"


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    pick = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))]  # noqa: E731
    return {
        "p50_ms": round(pick(0.5), 3),
        "p99_ms": round(pick(0.99), 3),
        "mean_ms": round(statistics.fmean(ordered), 3),
    }


def bench_rails(policy_name: str, repeats: int) -> dict[str, object]:
    guard = Guard(load_policy(policy_name))
    guard.warm_up()
    rng = random.Random(0)
    out: dict[str, object] = {}
    for tokens in (64, 512, 2000):
        texts = [prompt(tokens, rng) for _ in range(repeats)]
        per_scanner: dict[str, list[float]] = {}
        whole: list[float] = []
        for text in texts:
            start = time.perf_counter()
            result = guard.scan_input(text, ScanContext(stage="input"))
            whole.append((time.perf_counter() - start) * 1000.0)
            for report in result.scanners:
                per_scanner.setdefault(f"input.{report.name}", []).append(report.latency_ms)
        outputs = [prompt(tokens, rng) for _ in range(repeats)]
        out_whole: list[float] = []
        for text in outputs:
            start = time.perf_counter()
            result = guard.scan_output(text, prompt="question")
            out_whole.append((time.perf_counter() - start) * 1000.0)
            for report in result.scanners:
                per_scanner.setdefault(f"output.{report.name}", []).append(report.latency_ms)
        out[f"{tokens}_tokens"] = {
            "input_rail": percentiles(whole),
            "output_rail": percentiles(out_whole),
            "scanners": {name: percentiles(values) for name, values in sorted(per_scanner.items())},
        }
        print(f"{tokens:5d} tokens: input rail {out[f'{tokens}_tokens']['input_rail']}", flush=True)  # type: ignore[index]
    return out


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def _load(base: str, clients: int, seconds: float, rng: random.Random) -> dict[str, object]:
    latencies: list[float] = []
    errors = 0
    deadline = time.monotonic() + seconds
    texts = [prompt(rng.choice((32, 64, 128)), rng) for _ in range(2000)]

    async def client(i: int) -> None:
        nonlocal errors
        async with httpx.AsyncClient(timeout=30) as http:
            k = i
            while time.monotonic() < deadline:
                text = texts[k % len(texts)] + f" #{k}"
                k += clients
                start = time.perf_counter()
                try:
                    response = await http.post(f"{base}/v1/guard/input", json={"text": text})
                    if response.status_code != 200:
                        errors += 1
                except httpx.HTTPError:
                    errors += 1
                latencies.append((time.perf_counter() - start) * 1000.0)

    start = time.monotonic()
    await asyncio.gather(*(client(i) for i in range(clients)))
    elapsed = time.monotonic() - start
    return {
        "clients": clients,
        "seconds": round(elapsed, 2),
        "requests": len(latencies),
        "errors": errors,
        "checks_per_s": round(len(latencies) / elapsed, 1),
        **percentiles(latencies),
    }


@contextlib.contextmanager
def serve(policy_name: str, env: dict[str, str] | None = None) -> Iterator[tuple[str, int]]:
    """`raikit serve` on a free loopback port; yields its base URL and pid, stops it afterwards."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "raikit.cli", "serve", "--port", str(port), "--default-policy", policy_name],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        yield base, proc.pid
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def bench_server(policy_name: str, clients: int, seconds: float) -> dict[str, object]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
    }
    with serve(policy_name, env) as (base, _):
        return asyncio.run(_load(base, clients, seconds, random.Random(1)))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--policy", default="default")
    parser.add_argument("--repeats", type=int, default=200)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--out", type=Path, default=HERE / "results" / "guard_latency.json")
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {0})  # one core for the per-scanner numbers
    rails = bench_rails(args.policy, args.repeats)
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, set(range(os.cpu_count() or 1)))
    server = bench_server(args.policy, args.clients, args.seconds)
    print(f"server: {server}", flush=True)
    result = {
        "policy": args.policy,
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "one_core": rails,
        "server": server,
        "targets": {"input_rail_512_p50_ms": 5.0, "input_rail_512_p99_ms": 25.0, "server_checks_per_s": 300},
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
