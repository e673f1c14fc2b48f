"""``raikit runs list|show|export``: inspect and export stored runs."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from raikit.core.store import ResultsStore, list_runs

DEFAULT_ROOT = "raikit-runs"


@click.group()
def runs() -> None:
    """Stored runs (one results database per run directory)."""


@runs.command("list")
@click.option(
    "--root",
    default=DEFAULT_ROOT,
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder whose sub-folders are run directories.",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def list_cmd(root: Path, as_json: bool) -> None:
    """List the runs under ROOT, newest first."""
    found = list_runs(root) if root.is_dir() else []
    if as_json:
        click.echo(json.dumps([info.model_dump(mode="json") for info in found], indent=2))
        return
    if not found:
        click.echo(f"no runs under {root}")
        return
    table = Table(title=f"runs under {root}")
    for column in ("run dir", "run id", "kind", "target", "status", "attempts", "errors", "updated"):
        table.add_column(column)
    for info in found:
        table.add_row(
            info.run_dir,
            info.run_id,
            info.kind,
            info.target,
            info.status,
            str(info.n_attempts),
            str(info.n_errors),
            info.updated_at,
        )
    Console().print(table)


@runs.command("show")
@click.argument("run_dir", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option(
    "--attempts",
    "n_attempts",
    default=5,
    show_default=True,
    type=click.IntRange(min=0),
    help="How many attempts to print.",
)
def show_cmd(run_dir: Path, as_json: bool, n_attempts: int) -> None:
    """Show a run's manifest, summary and first attempts."""
    with ResultsStore(run_dir, read_only=True) as store:
        info = store.run_info()
        summary = store.summary()
        sample = [a for _, a in zip(range(n_attempts), store.attempts(), strict=False)]
    payload = {
        "run": info.model_dump(mode="json") if info else None,
        "summary": summary,
        "attempts": [a.model_dump(mode="json") for a in sample],
    }
    if as_json:
        click.echo(json.dumps(payload, indent=2, ensure_ascii=False))
        return
    console = Console()
    if info is None:
        console.print(f"{run_dir}: results database with no run manifest")
    else:
        console.print(f"[bold]{info.run_id}[/bold]  {info.kind}  target={info.target}  status={info.status}")
        console.print(
            f"attempts: {info.n_attempts}  errors: {info.n_errors}  config hash: {info.config_hash}"
        )
    if summary:
        console.print_json(json.dumps(summary))
    for attempt in sample:
        response = (attempt.response or attempt.error or "").replace("\n", " ")[:100]
        console.print(f"- {attempt.item_id}: {attempt.prompt[:60]!r} -> {response!r}")


@runs.command("export")
@click.argument("run_dir", type=click.Path(path_type=Path))
@click.option("-o", "--output", default="-", show_default=True, help="JSONL file to write ('-' = stdout).")
def export_cmd(run_dir: Path, output: str) -> None:
    """Export every attempt of a run as JSON lines."""
    with ResultsStore(run_dir, read_only=True) as store:
        count = store.export_jsonl(sys.stdout if output == "-" else Path(output))
    click.echo(f"exported {count} attempts", err=True)
