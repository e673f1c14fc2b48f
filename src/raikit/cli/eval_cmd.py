"""``raikit eval list|run``: the benchmark registry and single benchmark runs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal, TextIO

import click

from raikit.cli.eval_options import check_judge_flags, data_option, data_source, judge_options
from raikit.evals.executors import make_executor
from raikit.evals.findings import (
    FindingError,
    add_findings,
    default_findings_path,
    read_findings_jsonl,
    validate_finding,
)
from raikit.evals.run import run_eval
from raikit.evals.task import BenchmarkOptions, default_benchmark_registry


@click.group("eval")
def eval_group() -> None:
    """RAI benchmarks."""


@eval_group.command("list")
@click.option("--json", "as_json", is_flag=True)
def list_cmd(as_json: bool) -> None:
    """List installed benchmarks with the RAI dimensions they measure."""
    registry = default_benchmark_registry()
    rows = []
    for name in registry.names():
        info = registry.info(name)
        rows.append(
            {
                "name": name,
                "dimensions": list(info.dimensions),
                "needs_data": info.needs_data,
                "hub": info.hub,
                "description": info.description,
            }
        )
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    for row in rows:
        needs = " [needs --data DIR or --data hf]" if row["hub"] else " [needs --data DIR]"
        click.echo(f"{row['name']:16} {row['description']}{needs if row['needs_data'] else ''}")


@eval_group.command("run")
@click.argument("bench")
@click.option("--target", "-t", required=True, help="Target string, e.g. llamacpp:default.")
@click.option("--guard", "guard_policy", default=None, help="Put the target behind this guard policy.")
@click.option("--limit", default=None, type=click.IntRange(min=1), help="Only the first N items.")
@data_option(
    "Folder with the benchmark's public data (e.g. ../shared/data), or hf to fetch its Hugging Face "
    "dataset (hf:REPO_ID for another copy with the same columns)."
)
@judge_options
@click.option("--split", default="test", show_default=True, type=click.Choice(["test", "train", "all"]))
@click.option("--quick", is_flag=True, help="Shorter answers.")
@click.option(
    "-o",
    "--out",
    "out_dir",
    default=None,
    type=click.Path(file_okay=False, path_type=Path),
    help="Run directory (default raikit-runs/eval-BENCH).",
)
@click.option("--resume", is_flag=True, help="Continue the run already in --out.")
@click.option("--executor", default="local", show_default=True, type=click.Choice(["local", "ray"]))
@click.option("--concurrency", default=1, show_default=True, type=click.IntRange(min=1))
@click.option("--workers", default=2, show_default=True, type=click.IntRange(min=1), help="Ray actors.")
@click.option("--ray-address", default=None, help="Existing Ray cluster (default: start one locally).")
@click.option("--no-progress", is_flag=True)
def run_cmd(
    bench: str,
    target: str,
    guard_policy: str | None,
    limit: int | None,
    data: str | None,
    judge_target: str | None,
    judge_escalate: Literal["uncertain", "always"],
    split: str,
    quick: bool,
    out_dir: Path | None,
    resume: bool,
    executor: str,
    concurrency: int,
    workers: int,
    ray_address: str | None,
    no_progress: bool,
) -> None:
    """Run benchmark BENCH against a target; every attempt goes to the run directory."""
    default_benchmark_registry().info(bench)
    check_judge_flags(judge_target)
    data_dir, from_hub, hub_repo = data_source(data)
    options = BenchmarkOptions(
        data_dir=data_dir,
        from_hub=from_hub,
        hub_repo=hub_repo,
        limit=limit,
        quick=quick,
        split=split,
        judge_target=judge_target,
        judge_escalate=judge_escalate,
    )
    result = run_eval(
        bench,
        target,
        out_dir or Path("raikit-runs") / f"eval-{bench}",
        guard=guard_policy,
        options=options,
        executor=make_executor(executor, concurrency=concurrency, workers=workers, address=ray_address),
        resume=resume,
        progress=not no_progress,
    )
    headline = {k: v for k, v in result.summary.items() if k not in ("findings", "dimensions", "languages")}
    click.echo(
        json.dumps({"benchmark": bench, "items": result.n_items, "errors": result.n_errors, **headline})
    )


@eval_group.command("add-finding")
@click.option(
    "--suite",
    "suite_path",
    default=None,
    type=click.Path(dir_okay=False, path_type=Path),
    help="User suite YAML to append to (default $RAIKIT_FINDINGS, else ~/.local/share/raikit/findings.yaml).",
)
@click.option(
    "--file",
    "jsonl",
    default=None,
    type=click.File("r", encoding="utf-8"),
    help='Findings JSONL ("-" for stdin): {"id","dimension","prompt"|"messages","expect","language",...}.',
)
@click.option("--prompt", default=None, help="The prompt of one finding.")
@click.option("--dimension", default=None, help="Its RAI dimension id, e.g. safety.")
@click.option("--expect", default=None, type=click.Choice(["refuse", "comply", "avoid"]))
@click.option("--language", default="en", show_default=True)
@click.option("--system", default=None, help="System prompt the finding was sent with.")
@click.option("--forbidden", multiple=True, help="Regex that must not appear in the answer (expect avoid).")
@click.option("--id", "finding_id", default=None, help="Id (stored as finding-ID; default from the content).")
@click.option("--source", default=None, help="Where it was found (campaign, tool).")
@click.option("--technique", default=None, help="Attack technique.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def add_finding_cmd(
    suite_path: Path | None,
    jsonl: TextIO | None,
    prompt: str | None,
    dimension: str | None,
    expect: str | None,
    language: str,
    system: str | None,
    forbidden: tuple[str, ...],
    finding_id: str | None,
    source: str | None,
    technique: str | None,
    as_json: bool,
) -> None:
    """Append red-team findings to the user suite as regression items (duplicates are skipped).

    Give one finding with --prompt/--dimension/--expect, or many with --file FINDINGS.jsonl. The
    `suites` benchmark and `raikit audit` (benchmark `findings`) run them from then on.
    """
    if jsonl is not None:
        if prompt is not None:
            raise FindingError("give either --file or --prompt, not both")
        findings = read_findings_jsonl(jsonl, jsonl.name)
    else:
        required = (("--prompt", prompt), ("--dimension", dimension), ("--expect", expect))
        missing = [flag for flag, value in required if value is None]
        if missing:
            raise FindingError(f"missing {', '.join(missing)} (or give --file FINDINGS.jsonl)")
        fields = {"id": finding_id, "dimension": dimension, "prompt": prompt, "expect": expect,
                  "language": language, "system": system, "forbidden": list(forbidden), "source": source,
                  "technique": technique}  # fmt: skip
        findings = [validate_finding({k: v for k, v in fields.items() if v is not None}, "finding")]
    report = add_findings(suite_path or default_findings_path(), findings)
    if as_json:
        click.echo(report.model_dump_json())
        return
    click.echo(
        f"added {len(report.added)}, skipped {len(report.duplicates)} duplicates; "
        f"{report.total} findings in {report.path}"
    )
