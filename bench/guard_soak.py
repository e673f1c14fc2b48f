"""Soak test of `raikit serve` on 127.0.0.1: twice the rated load for minutes.

The rated load is the concurrency at which bench/guard_latency.py measured throughput (16
clients by default); this script runs twice that many closed-loop clients for `--minutes`,
and records per-window throughput, p99 latency and errors, plus the server's resident memory.
Writes bench/results/guard_soak.json. Traffic goes to loopback only and stops by itself.

The server runs with `--workers 2` by default (one per core); its resident memory is the sum
over the parent and its worker processes. The load average is recorded with every window: the
machine is shared.

Usage: python bench/guard_soak.py [--minutes 3] [--rated-clients 16] [--policy default] [--workers 2]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import time
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from guard_latency import (  # noqa: E402
    DEFAULT_DATA_DIR,
    load_sentences,
    machine_state,
    percentiles,
    prompt,
    real_prompt,
    serve,
)


def _rss_one(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return 0.0


def rss_mb(pid: int) -> float:
    """Resident memory of ``pid`` and all its descendants (uvicorn's workers), in MiB."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    total, todo = 0.0, [pid]
    while todo:
        current = todo.pop()
        total += _rss_one(current)
        todo.extend(children.get(current, []))
    return total


async def soak(
    base: str, pid: int, clients: int, seconds: float, window: float, sentences: list[str]
) -> dict[str, object]:
    rng = random.Random(7)
    texts = [
        real_prompt(n, rng, sentences) if sentences else prompt(n, rng)
        for n in (rng.choice((32, 64, 128)) for _ in range(5000))
    ]
    windows: list[dict[str, object]] = []
    current: list[float] = []
    errors = 0
    window_errors = 0
    total = 0
    deadline = time.monotonic() + seconds

    async def client(i: int) -> None:
        nonlocal errors, window_errors, total
        k = i
        async with httpx.AsyncClient(timeout=30) as http:
            while time.monotonic() < deadline:
                text = f"{texts[k % len(texts)]} #{k}"
                k += clients
                start = time.perf_counter()
                try:
                    response = await http.post(f"{base}/v1/guard/input", json={"text": text})
                    ok = response.status_code == 200
                except httpx.HTTPError:
                    ok = False
                current.append((time.perf_counter() - start) * 1000.0)
                total += 1
                if not ok:
                    errors += 1
                    window_errors += 1

    async def sampler() -> None:
        nonlocal current, window_errors
        started = time.monotonic()
        while time.monotonic() < deadline:
            await asyncio.sleep(window)
            done, current = current, []
            entry: dict[str, object] = {
                "t_s": round(time.monotonic() - started, 1),
                "requests": len(done),
                "checks_per_s": round(len(done) / window, 1),
                "errors": window_errors,
                "rss_mb": round(rss_mb(pid), 1),
                **machine_state(),
            }
            if done:
                entry.update(percentiles(done))
            windows.append(entry)
            window_errors = 0
            print(json.dumps(entry), flush=True)

    await asyncio.gather(sampler(), *(client(i) for i in range(clients)))
    rss = [float(w["rss_mb"]) for w in windows]  # type: ignore[arg-type]
    p99s = [float(w["p99_ms"]) for w in windows if "p99_ms" in w]  # type: ignore[arg-type]
    half = max(1, len(rss) // 2)
    return {
        "clients": clients,
        "seconds": seconds,
        "requests": total,
        "errors": errors,
        "windows": windows,
        "rss_mb_first_half_mean": round(sum(rss[:half]) / half, 1) if rss else None,
        "rss_mb_second_half_mean": round(sum(rss[half:]) / max(1, len(rss) - half), 1) if rss else None,
        "p99_ms_max_window": max(p99s) if p99s else None,
        "p99_ms_median_window": sorted(p99s)[len(p99s) // 2] if p99s else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--minutes", type=float, default=3.0)
    parser.add_argument("--rated-clients", type=int, default=16)
    parser.add_argument("--policy", default="default")
    parser.add_argument("--window", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA_DIR)
    parser.add_argument("--out", type=Path, default=HERE / "results" / "guard_soak.json")
    args = parser.parse_args()
    sentences = load_sentences(args.data)
    with serve(args.policy, workers=args.workers) as (base, pid):
        result = asyncio.run(
            soak(base, pid, 2 * args.rated_clients, args.minutes * 60, args.window, sentences)
        )
    result["policy"] = args.policy
    result["workers"] = args.workers
    result["rated_clients"] = args.rated_clients
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.out}: {result['requests']} requests, {result['errors']} errors")


if __name__ == "__main__":
    main()
