"""``raikit guard``: scan text and JSONL files with a policy; check and show policies."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
import yaml

from raikit.guard.jsonl import ScanItem, ScanSummary, scan_file, scan_item
from raikit.guard.pipeline import Guard
from raikit.guard.policy import builtin_policies, load_policy
from raikit.guard.scanners.base import UnknownScannerError, default_scanner_registry

STAGE = click.Choice(["input", "output"])


@click.group()
def guard() -> None:
    """Input and output guardrails."""


@guard.command("scan")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--stage", type=STAGE, required=True, help="Which rail to run.")
@click.option("--policy", default="default", show_default=True, help="Built-in policy name or YAML file.")
@click.option("-o", "--output", "dest", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--resume", is_flag=True, help="Skip ids already in OUTPUT and append the rest.")
def scan_cmd(source: Path, stage: str, policy: str, dest: Path, resume: bool) -> None:
    """Scan every line of SOURCE (JSONL) and write one verdict per line to OUTPUT."""
    runner = Guard(load_policy(policy))

    def report_error(number: int, message: str) -> None:
        click.echo(f"raikit: {source}:{number}: skipped malformed line: {message}", err=True)

    def progress(summary: ScanSummary) -> None:
        click.echo(f"raikit: scanned {summary.scanned} lines", err=True)

    summary = scan_file(
        runner,
        source,
        dest,
        stage="input" if stage == "input" else "output",
        resume=resume,
        on_error=report_error,
        on_progress=progress,
    )
    click.echo(
        f"raikit: scanned {summary.scanned}, blocked {summary.blocked}, malformed {summary.malformed}"
        + (f", already done {summary.skipped_existing}" if resume else "")
        + f" in {summary.seconds:.1f} s",
        err=True,
    )


@guard.command("check")
@click.argument("text")
@click.option("--stage", type=STAGE, default="input", show_default=True)
@click.option("--prompt", default=None, help="The user prompt, at the output stage.")
@click.option("--policy", default="default", show_default=True, help="Built-in policy name or YAML file.")
def check_cmd(text: str, stage: str, prompt: str | None, policy: str) -> None:
    """Scan one string and print the verdict as JSON."""
    runner = Guard(load_policy(policy))
    line = scan_item(
        runner, ScanItem(id="-", text=text, prompt=prompt), "input" if stage == "input" else "output"
    )
    line.pop("id")
    click.echo(json.dumps(line, ensure_ascii=False))


@guard.group("policy")
def policy_group() -> None:
    """Guard policies."""


@policy_group.command("check")
@click.argument("policy")
def policy_check(policy: str) -> None:
    """Validate a policy file (or built-in name): schema, scanner names and stages."""
    loaded = load_policy(policy)
    registry = default_scanner_registry()
    for stage in ("input", "output"):
        for name in loaded.scanners_for(stage):
            info = registry.info(name)
            if stage not in info.stages:
                raise UnknownScannerError(
                    f"policy {policy}: scanner {name!r} does not run at the {stage} stage "
                    f"(it supports: {', '.join(info.stages)})"
                )
    click.echo(
        f"ok: policy {loaded.name!r} v{loaded.version}: input [{', '.join(loaded.input.scanners)}], "
        f"output [{', '.join(loaded.output.scanners)}], fail {loaded.fail_mode}"
    )


@policy_group.command("show")
@click.argument("policy", default="default")
def policy_show(policy: str) -> None:
    """Print a policy as YAML (built-ins: see `raikit guard policy list`)."""
    loaded = load_policy(policy)
    sys.stdout.write(yaml.safe_dump(loaded.model_dump(mode="json"), sort_keys=False, allow_unicode=True))


@policy_group.command("list")
def policy_list() -> None:
    """List the built-in policies."""
    for name in builtin_policies():
        click.echo(name)


@guard.command("scanners")
def scanners_cmd() -> None:
    """List the installed scanners with their stages."""
    registry = default_scanner_registry()
    for name in registry.names():
        info = registry.info(name)
        click.echo(f"{name:20} {'/'.join(info.stages):13} {info.description}")
