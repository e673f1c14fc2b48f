"""Guard latency and server throughput; writes bench/results/guard_latency.json.

- p50/p99 of every input and output scanner, and of the whole input rail (no NER PII), on
  64-, 512- and 2,000-token prompts, on one core with one BLAS thread. Prompts are real English
  sentences from benign sources never used in training (FEVER claims, BOLD Wikipedia sentences,
  INVITE questions and answers from ../shared/data; a synthetic word list when that is absent),
  concatenated to length. Every call sees a different text, so no cache helps. The input rail is
  measured twice: as shipped (the lexical screen decides confidently benign prompts without the
  encoder) and with the screen off (every prompt through the encoder).
- Throughput of `raikit serve --workers N` on 127.0.0.1 with concurrent clients (both cores).

The machine is shared, so the load average and the CPU affinity are recorded next to every
figure, and the input rail is also timed in CPU time of the calling thread (``*_cpu_time``:
what the wall time would be on an otherwise idle core, apart from cache effects). Run it as
`taskset -c 0 python bench/guard_latency.py` for the one-core figures: the server part widens
the affinity to all cores again.

Usage: python bench/guard_latency.py [--policy default] [--repeats 200] [--clients 16] [--seconds 20]
       [--workers 2] [--data ../shared/data] [--skip-server]
       [--encoder-backend auto|float32|numpy|onnx|onnx-int8]
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

from raikit.guard.classifier import shared_head
from raikit.guard.pipeline import Guard
from raikit.guard.policy import load_policy
from raikit.guard.resources import BACKEND_ENV, BACKENDS
from raikit.guard.training.data import DEFAULT_DATA_DIR
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


def machine_state() -> dict[str, object]:
    """Load average and CPU affinity now (the figures are only comparable under similar load)."""
    affinity = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    return {"loadavg_1_5_15": [round(x, 2) for x in os.getloadavg()], "cpu_affinity": affinity}


def load_sentences(data_dir: Path) -> list[str]:
    """English sentences from benign sources never used in training (empty without the data)."""
    from raikit.guard.training import data as gd

    if not data_dir.is_dir():
        return []
    rows = [*gd.load_fever(data_dir), *gd.load_bold(data_dir)]
    questions, answers = gd.load_invite(data_dir)
    rows += [*questions, *answers]
    return [" ".join(r.text.split()) for r in rows if r.text.strip()]


def real_prompt(tokens: int, rng: random.Random, sentences: list[str]) -> str:
    """Random benign sentences joined until about ``tokens`` encoder tokens (~4 chars a token)."""
    parts: list[str] = []
    size = 0
    while size < tokens * 4:
        sentence = rng.choice(sentences)
        parts.append(sentence)
        size += len(sentence) + 1
    return " ".join(parts)[: tokens * 4]


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


def bench_rails(policy_name: str, repeats: int, sentences: list[str]) -> dict[str, object]:
    screened = Guard(load_policy(policy_name))
    unscreened_policy = load_policy(policy_name)
    settings = dict(unscreened_policy.scanner_settings)
    for name in ("harmful_request", "jailbreak"):
        settings[name] = {**settings.get(name, {}), "screen": False}
    unscreened = Guard(unscreened_policy.model_copy(update={"scanner_settings": settings}))
    for guard in (screened, unscreened):
        guard.warm_up()
    rng = random.Random(0)

    def make(tokens: int) -> str:
        return real_prompt(tokens, rng, sentences) if sentences else prompt(tokens, rng)

    out: dict[str, object] = {}
    for tokens in (64, 512, 2000):
        state_before = machine_state()
        per_scanner: dict[str, list[float]] = {}
        whole: list[float] = []
        encoder_path: list[float] = []
        whole_cpu: list[float] = []
        encoder_path_cpu: list[float] = []
        decided_by_screen = 0
        for _ in range(repeats):
            text = make(tokens)
            start, cpu_start = time.perf_counter(), time.thread_time()
            result = screened.scan_input(text, ScanContext(stage="input"))
            whole.append((time.perf_counter() - start) * 1000.0)
            whole_cpu.append((time.thread_time() - cpu_start) * 1000.0)
            for report in result.scanners:
                per_scanner.setdefault(f"input.{report.name}", []).append(report.latency_ms)
            screen = shared_head(screened.resources, "harm").screen
            decided_by_screen += bool(screen) and all(
                screen.verdict(head, text).benign
                for head in ("harm", "jailbreak")  # type: ignore[union-attr]
            )
            other = make(tokens)
            start, cpu_start = time.perf_counter(), time.thread_time()
            unscreened.scan_input(other, ScanContext(stage="input"))
            encoder_path.append((time.perf_counter() - start) * 1000.0)
            encoder_path_cpu.append((time.thread_time() - cpu_start) * 1000.0)
        out_whole: list[float] = []
        for _ in range(repeats):
            start = time.perf_counter()
            result = screened.scan_output(make(tokens), prompt="question")
            out_whole.append((time.perf_counter() - start) * 1000.0)
            for report in result.scanners:
                per_scanner.setdefault(f"output.{report.name}", []).append(report.latency_ms)
        out[f"{tokens}_tokens"] = {
            "input_rail": percentiles(whole),
            "input_rail_screen_off": percentiles(encoder_path),
            "input_rail_cpu_time": percentiles(whole_cpu),
            "input_rail_screen_off_cpu_time": percentiles(encoder_path_cpu),
            "input_prompts_decided_by_screen": round(decided_by_screen / repeats, 3),
            "output_rail": percentiles(out_whole),
            "scanners": {name: percentiles(values) for name, values in sorted(per_scanner.items())},
            "machine_before": state_before,
            "machine_after": machine_state(),
        }
        entry: dict[str, object] = out[f"{tokens}_tokens"]  # type: ignore[assignment]
        print(
            f"{tokens:5d} tokens: input rail {entry['input_rail']} (cpu {entry['input_rail_cpu_time']}), "
            f"screen off {entry['input_rail_screen_off']} (cpu {entry['input_rail_screen_off_cpu_time']}), "
            f"load {state_before['loadavg_1_5_15']}",
            flush=True,
        )
    out["encoder_backend"] = screened.resources.encoder.backend_name
    return out


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def tree_cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds of process ``pid`` and all its descendants so far (Linux /proc;
    None elsewhere)."""
    tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    stats: dict[int, tuple[int, float]] = {}
    for entry in Path("/proc").glob("[0-9]*/stat"):
        try:
            raw = entry.read_text()
        except OSError:
            continue
        fields = raw[raw.rfind(")") + 2 :].split()
        stats[int(entry.parent.name)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / tick)
    if pid not in stats:
        return None
    total, todo = 0.0, [pid]
    while todo:
        current = todo.pop()
        total += stats[current][1]
        todo.extend(child for child, (parent, _) in stats.items() if parent == current)
    return total


async def _load(
    base: str,
    clients: int,
    seconds: float,
    rng: random.Random,
    sentences: list[str],
    server_pid: int | None = None,
    warmup: float = 3.0,
) -> dict[str, object]:
    """``clients`` concurrent loops posting prompts for ``warmup`` seconds (every worker loads its
    models; not counted), then for ``seconds``. Besides the rate, the CPU the server's processes
    and this client spent in the counted part: the client shares the two cores with the server,
    so ``server_cpu_ms_per_check`` is the server's own cost of a check."""
    latencies: list[float] = []
    errors = 0
    counting = False
    deadline = time.monotonic() + warmup + seconds
    texts = [
        real_prompt(n, rng, sentences) if sentences else prompt(n, rng)
        for n in (rng.choice((32, 64, 128)) for _ in range(2000))
    ]

    async def client(i: int) -> None:
        nonlocal errors
        async with httpx.AsyncClient(timeout=30) as http:
            k = i
            while time.monotonic() < deadline:
                text = texts[k % len(texts)] + f" #{k}"
                k += clients
                start = time.perf_counter()
                failed = False
                try:
                    response = await http.post(f"{base}/v1/guard/input", json={"text": text})
                    failed = response.status_code != 200
                except httpx.HTTPError:
                    failed = True
                if counting:
                    errors += failed
                    latencies.append((time.perf_counter() - start) * 1000.0)

    async def count_after_warmup() -> tuple[float, float, float | None]:
        nonlocal counting
        await asyncio.sleep(warmup)
        counting = True
        return time.monotonic(), time.process_time(), tree_cpu_seconds(server_pid) if server_pid else None

    marks, *_ = await asyncio.gather(count_after_warmup(), *(client(i) for i in range(clients)))
    start, client_cpu_start, server_cpu_start = marks
    elapsed = time.monotonic() - start
    client_cpu = time.process_time() - client_cpu_start
    server_cpu_end = tree_cpu_seconds(server_pid) if server_pid else None
    server_cpu = (
        server_cpu_end - server_cpu_start
        if server_cpu_end is not None and server_cpu_start is not None
        else None
    )
    n = max(1, len(latencies))
    return {
        "clients": clients,
        "seconds": round(elapsed, 2),
        "warmup_seconds": warmup,
        "requests": len(latencies),
        "errors": errors,
        "checks_per_s": round(len(latencies) / elapsed, 1),
        **percentiles(latencies),
        "client_cpu_ms_per_check": round(1000.0 * client_cpu / n, 2),
        "server_cpu_ms_per_check": None if server_cpu is None else round(1000.0 * server_cpu / n, 2),
    }


@contextlib.contextmanager
def serve(policy_name: str, env: dict[str, str] | None = None, workers: int = 1) -> Iterator[tuple[str, int]]:
    """`raikit serve` on a free loopback port; yields its base URL and pid, stops it afterwards."""
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "raikit.cli",
        "serve",
        "--port",
        str(port),
        "--default-policy",
        policy_name,
    ]
    proc = subprocess.Popen(
        [*command, "--workers", str(workers)],
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


def bench_server(
    policy_name: str, clients: int, seconds: float, workers: int, sentences: list[str]
) -> dict[str, object]:
    state_before = machine_state()
    with serve(policy_name, dict(os.environ), workers) as (base, pid):
        result = asyncio.run(_load(base, clients, seconds, random.Random(1), sentences, pid))
    return {"workers": workers, **result, "machine_before": state_before, "machine_after": machine_state()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--policy", default="default")
    parser.add_argument("--repeats", type=int, default=200)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA_DIR)
    parser.add_argument("--skip-server", action="store_true")
    parser.add_argument(
        "--encoder-backend",
        choices=BACKENDS,
        default=None,
        help="encoder backend for the rails and the server (default: $RAIKIT_ENCODER_BACKEND or auto)",
    )
    parser.add_argument("--out", type=Path, default=HERE / "results" / "guard_latency.json")
    args = parser.parse_args()
    if args.encoder_backend:
        os.environ[BACKEND_ENV] = args.encoder_backend  # the server's workers read it too
    sentences = load_sentences(args.data)
    start_affinity = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    if hasattr(os, "sched_setaffinity") and start_affinity and len(start_affinity) > 1:
        os.sched_setaffinity(0, {start_affinity[0]})  # one core for the per-scanner numbers
    rails = bench_rails(args.policy, args.repeats, sentences)
    server: dict[str, object] | None = None
    if not args.skip_server:
        if hasattr(os, "sched_setaffinity"):
            os.sched_setaffinity(0, set(range(os.cpu_count() or 1)))
        server = bench_server(args.policy, args.clients, args.seconds, args.workers, sentences)
        print(f"server: {server}", flush=True)
    result = {
        "policy": args.policy,
        "prompts": "benign sentences from unseen sources (FEVER, BOLD, INVITE)" if sentences else "word list",
        "machine": {
            "cpus": os.cpu_count(),
            "affinity_at_start": start_affinity,
            "python": platform.python_version(),
            "platform": platform.platform(),
            "note": "shared 2-core machine: see loadavg next to each figure",
        },
        "encoder_backend": rails.pop("encoder_backend"),
        "one_core": rails,
        "server": server,
        "targets": {"input_rail_512_p50_ms": 5.0, "input_rail_512_p99_ms": 25.0, "server_checks_per_s": 300},
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
