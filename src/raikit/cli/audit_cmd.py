"""``raikit audit``: a profile of benchmarks, without and with a guard, written as a scorecard."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import click

from raikit.cli.eval_options import check_judge_flags, data_option, data_source, judge_options
from raikit.core.errors import RaikitError
from raikit.evals.audit import DEFAULT_GUARD, AuditOptions, run_audit
from raikit.evals.profiles import load_profile
from raikit.report import write_scorecard

DEFAULT_DATA = Path("..") / "shared" / "data"


class AuditIncompleteError(RaikitError):
    """Some items could not be answered; the report covers the rest."""


@click.command()
@click.option("--target", "-t", default="llamacpp:default", show_default=True, help="Target string.")
@click.option(
    "--guard",
    "guard_policy",
    default=DEFAULT_GUARD,
    show_default=True,
    help="Guard policy (name or YAML file) for the guard-on pass.",
)
@click.option("--no-guard", is_flag=True, help="Only the guard-off pass.")
@click.option(
    "--quick", is_flag=True, help="The quick profile: small subsets, short answers (~10 min on 2 cores)."
)
@click.option("--profile", default=None, help="Profile name (quick, full) or YAML file; default full.")
@click.option("--only", "only", multiple=True, help="Run only this benchmark of the profile (repeatable).")
@data_option(
    "Folder with the benchmarks' public data (default ../shared/data when it exists), or hf to "
    "fetch each benchmark's Hugging Face dataset."
)
@judge_options
@click.option(
    "-o",
    "--out",
    "out_dir",
    default="raikit-runs/audit",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Audit directory: run databases, scorecard.json, report.md, index.html.",
)
@click.option("--resume", is_flag=True, help="Continue the audit already in --out.")
@click.option("--concurrency", default=1, show_default=True, type=click.IntRange(min=1))
@click.option("--limit", default=None, type=click.IntRange(min=1), help="At most N items per benchmark.")
@click.option("--no-progress", is_flag=True, help="Do not show progress.")
def audit(
    target: str,
    guard_policy: str,
    no_guard: bool,
    quick: bool,
    profile: str | None,
    only: tuple[str, ...],
    data: str | None,
    judge_target: str | None,
    judge_escalate: Literal["uncertain", "always"],
    out_dir: Path,
    resume: bool,
    concurrency: int,
    limit: int | None,
    no_progress: bool,
) -> None:
    """Audit TARGET along the 8 RAI dimensions, without and with a guard.

    Every benchmark of the profile runs twice (guard off, then guard on with --guard, the built-in
    `default` policy unless told otherwise). Benchmarks that are not installed or whose data is
    missing are listed as skipped. Kill it at any time and rerun with --resume.
    """
    if quick and profile not in (None, "quick"):
        raise click.UsageError("--quick is the quick profile; do not combine it with --profile")
    chosen = load_profile("quick" if quick else profile or "full").only(only)
    check_judge_flags(judge_target)
    data_dir, from_hub, hub_repo = data_source(data)
    if hub_repo is not None:
        raise click.BadParameter("an audit takes --data hf (each benchmark's own dataset), not hf:REPO_ID")
    if data_dir is None and not from_hub and DEFAULT_DATA.is_dir():
        data_dir = DEFAULT_DATA
    options = AuditOptions(
        target=target,
        profile=chosen,
        guard=None if no_guard else guard_policy,
        limit=limit,
        data_dir=data_dir,
        from_hub=from_hub,
        concurrency=concurrency,
        judge_target=judge_target,
        judge_escalate=judge_escalate,
    )
    result = run_audit(options, out_dir, resume=resume, progress=not no_progress)
    paths = write_scorecard(result, out_dir)
    card = json_headline(paths["json"])
    click.echo(card)
    click.echo(f"report: {paths['html']}")
    if result.n_errors:
        raise AuditIncompleteError(
            f"{result.n_errors} of {result.n_items} items failed; run again with --resume to retry them"
        )


def json_headline(scorecard: Path) -> str:
    """One line per pass: adherence and false refusal, items and errors."""
    import json

    card = json.loads(scorecard.read_text(encoding="utf-8"))
    run = card["run"]
    lines = []
    for pass_name in ("off", "on"):
        rates = card["overall"][pass_name]
        if rates["adherence"] is None and rates["false_refusal"] is None:
            continue
        lines.append(
            f"guard {pass_name}: adherence {_fmt(rates['adherence'])}, "
            f"false refusal {_fmt(rates['false_refusal'])}"
        )
    lines.append(f"over {run['n_items']} items ({run['n_errors']} errors) in {run['wall_s']:.0f} s")
    return "\n".join(lines)


def _fmt(rate: dict[str, float] | None) -> str:
    return "n/a" if rate is None or rate.get("value") is None else f"{100 * rate['value']:.0f}%"
