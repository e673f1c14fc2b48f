"""``raikit audit``: measure a target along the 8 RAI dimensions and write a scorecard."""

from __future__ import annotations

from pathlib import Path

import click

from raikit.core.errors import RaikitError
from raikit.evals import run_audit
from raikit.report import write_scorecard


class AuditIncompleteError(RaikitError):
    """Some items could not be answered; the report covers the rest."""


@click.command()
@click.option("--target", "-t", default="llamacpp:default", show_default=True, help="Target string.")
@click.option("--quick", is_flag=True, help="Short answers (96 tokens): a fast first look.")
@click.option(
    "-o",
    "--out",
    "out_dir",
    default="raikit-runs/audit",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Run directory: results database and reports.",
)
@click.option("--resume", is_flag=True, help="Continue the run already in --out.")
@click.option("--concurrency", default=1, show_default=True, type=click.IntRange(min=1))
@click.option("--limit", default=None, type=click.IntRange(min=1), help="Only the first N items.")
@click.option("--no-progress", is_flag=True, help="Do not show progress.")
def audit(
    target: str,
    quick: bool,
    out_dir: Path,
    resume: bool,
    concurrency: int,
    limit: int | None,
    no_progress: bool,
) -> None:
    """Audit TARGET for adherence and false refusal per RAI dimension."""
    result = run_audit(
        target,
        out_dir,
        quick=quick,
        resume=resume,
        concurrency=concurrency,
        limit=limit,
        progress=not no_progress,
    )
    paths = write_scorecard(result, out_dir)
    click.echo(
        f"adherence {_fmt(result.adherence.value)}, false refusal {_fmt(result.false_refusal.value)} "
        f"over {result.n_items} items ({result.n_errors} errors)"
    )
    click.echo(f"report: {paths['html']}")
    if result.n_errors:
        raise AuditIncompleteError(
            f"{result.n_errors} of {result.n_items} items failed; run again with --resume to retry them"
        )


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.0f}%"
