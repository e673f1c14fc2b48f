"""``raikit redteam run`` and ``raikit redteam export``: automated attacks and their findings."""

from __future__ import annotations

import json
from pathlib import Path

import click

from raikit.core.errors import RaikitError
from raikit.redteam.export import export_run
from raikit.redteam.run import STRATEGIES, run_redteam

SUMMARY_EXCLUDE = ("attacker",)


class ExportUsageError(RaikitError):
    """``raikit redteam export`` was asked for nothing."""


@click.command("run")
@click.option("--target", "-t", required=True, help="Target string, e.g. llamacpp:default.")
@click.option("--guard", default=None, help="Put the target behind this guard policy (e.g. default).")
@click.option("--strategy", required=True, type=click.Choice(STRATEGIES), help="Attack strategy.")
@click.option("--budget", required=True, type=click.IntRange(min=1), help="Queries to the target.")
@click.option("--seed", default=0, show_default=True, type=int, help="Random seed of the run.")
@click.option(
    "--seeds",
    "seeds_file",
    default=None,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Seed exemplars (YAML or JSONL) instead of the built-in ones.",
)
@click.option(
    "--json",
    "json_out",
    default=None,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the summary as JSON here.",
)
@click.option("--red-lm", default="llamacpp:default", show_default=True, help="Target that writes attacks.")
@click.option(
    "-o",
    "--out",
    "out_dir",
    default=None,
    type=click.Path(file_okay=False, path_type=Path),
    help="Run directory (default: raikit-runs/redteam-STRATEGY-HASH; rerunning continues it).",
)
@click.option("--max-tokens", default=128, show_default=True, type=click.IntRange(min=1))
@click.option("--no-progress", is_flag=True, help="Do not show progress.")
def run_cmd(
    target: str,
    guard: str | None,
    strategy: str,
    budget: int,
    seed: int,
    seeds_file: Path | None,
    json_out: Path | None,
    red_lm: str,
    out_dir: Path | None,
    max_tokens: int,
    no_progress: bool,
) -> None:
    """Attack TARGET with FLIRT, stochastic few-shot or a technique sweep; every attempt is stored."""
    result = run_redteam(
        target,
        strategy=strategy,
        budget=budget,
        guard=guard,
        seed=seed,
        seeds_file=seeds_file,
        out_dir=out_dir,
        red_lm=red_lm,
        max_tokens=max_tokens,
        progress=not no_progress,
    )
    summary = {k: v for k, v in result.summary.items() if k not in SUMMARY_EXCLUDE}
    summary.update(run_id=result.run_id, run_dir=result.run_dir)
    if json_out is not None:
        json_out.parent.mkdir(parents=True, exist_ok=True)
        json_out.write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    click.echo(
        f"{strategy}: {summary['successes']}/{summary['attempts']} attacks succeeded "
        f"(ASR {100 * summary['attack_success_rate']:.1f}%, diversity {summary['diversity']:.3f}, "
        f"prompt toxicity {summary['prompt_toxicity']:.3f}); run: {result.run_dir}"
    )
    images = summary.get("image_attacks") or {}
    if images.get("skipped"):
        click.echo(f"raikit: image attacks skipped: {images['skipped']}", err=True)
    elif images.get("included"):
        click.echo(f"raikit: {images.get('delivered', 0)} image attack(s) delivered", err=True)


@click.command("export")
@click.argument("run_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--findings",
    default=None,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Regression items for `raikit eval add-finding` (JSONL).",
)
@click.option(
    "--training",
    default=None,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Alignment data: prompt and rejected response, chat format (JSONL).",
)
def export_cmd(run_dir: Path, findings: Path | None, training: Path | None) -> None:
    """Export the successful attacks of the run in RUN_DIR."""
    if findings is None and training is None:
        raise ExportUsageError("nothing to export: pass --findings OUT.jsonl and/or --training OUT.jsonl")
    counts = export_run(run_dir, findings=findings, training=training)
    for kind, count in counts.items():
        click.echo(f"{kind}: {count} rows")
