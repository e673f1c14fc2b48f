"""``raikit redteam``: red-team techniques, automated attacks and the workbench.

This module holds the ``redteam`` group and the ``techniques`` subgroup. Other red-team commands
(``run``, ``workbench``) live in their own modules and are attached to :data:`redteam` there.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from raikit.redteam.techniques import (
    CATEGORIES,
    CATEGORY_TITLES,
    MAX_CHAIN,
    OUTPUTS,
    TechniqueError,
    chain,
    get_technique,
    list_techniques,
)


@click.group("redteam")
def redteam() -> None:
    """Red teaming: technique library, automated attacks, workbench."""


@redteam.group("techniques")
def techniques() -> None:
    """The technique library: list, show and apply techniques (chains of up to 3)."""


@techniques.command("list")
@click.option("--json", "as_json", is_flag=True, help="A JSON array of technique objects.")
@click.option("--category", type=click.Choice(CATEGORIES), default=None, help="Only this category.")
@click.option("--output", type=click.Choice(OUTPUTS), default=None, help="Only this output kind.")
@click.option("--language", default=None, help="Only techniques in this language (e.g. de).")
def list_cmd(as_json: bool, category: str | None, output: str | None, language: str | None) -> None:
    """List techniques (id, category, output kind, description)."""
    found = list_techniques(category=category, output=output, language=language)  # type: ignore[arg-type]
    if as_json:
        click.echo(json.dumps([t.info.as_dict() for t in found], indent=2, ensure_ascii=False))
        return
    for t in found:
        click.echo(f"{t.info.id:50} {t.info.output:12} {t.info.description}")
    counts = {c: sum(1 for t in found if t.info.category == c) for c in CATEGORIES}
    summary = ", ".join(f"{c} {n}" for c, n in counts.items() if n)
    click.echo(f"{len(found)} techniques ({summary})", err=True)


@techniques.command("show")
@click.argument("technique_id")
@click.option("--json", "as_json", is_flag=True)
def show_cmd(technique_id: str, as_json: bool) -> None:
    """Metadata of one technique and its output on an example payload."""
    technique = get_technique(technique_id)
    info = technique.info.as_dict()
    example = technique.apply("<PAYLOAD>", seed=0)
    info["example"] = example.render()
    if as_json:
        click.echo(json.dumps(info, indent=2, ensure_ascii=False))
        return
    click.echo(f"{technique.info.id}  [{CATEGORY_TITLES[technique.info.category]}]")
    for key in ("description", "modality", "languages", "tags", "family", "params", "reversible", "source"):
        value = info[key]
        shown = ", ".join(map(str, value)) if isinstance(value, list) else value
        click.echo(f"  {key + ':':13} {shown}")
    click.echo("  example (payload <PAYLOAD>):")
    for line in str(info["example"]).splitlines():
        click.echo(f"    {line}")


@techniques.command("apply")
@click.argument("args", nargs=-1, required=True)
@click.option("--seed", default=0, show_default=True, type=int, help="Seed for randomised techniques.")
@click.option("--json", "as_json", is_flag=True, help="The result as JSON (messages, applied ids).")
@click.option(
    "--image-out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Where to write the PNG when the last technique outputs an image.",
)
def apply_cmd(args: tuple[str, ...], seed: int, as_json: bool, image_out: Path | None) -> None:
    """Apply ID... (a chain, in order) to the payload given last: apply ID [ID [ID]] "prompt"."""
    if len(args) < 2:
        raise TechniqueError('apply needs at least one technique id and a prompt: apply ID... "prompt"')
    *ids, prompt = args
    if len(ids) > MAX_CHAIN:
        raise TechniqueError(f"a chain has at most {MAX_CHAIN} techniques, got {len(ids)}")
    result = chain(ids).apply(prompt, seed=seed)
    if result.image is not None and image_out is not None:
        try:
            image_out.write_bytes(result.image.png())
        except OSError as exc:
            raise TechniqueError(f"cannot write the image to {image_out}: {exc.strerror}") from exc
    elif result.image is not None:
        click.echo("raikit: the picture was not saved; pass --image-out FILE.png to keep it", err=True)
    if as_json:
        payload = result.as_dict()
        payload["image_file"] = str(image_out) if result.image is not None and image_out is not None else None
        click.echo(json.dumps(payload, indent=2, ensure_ascii=False))
        return
    click.echo(result.render())
