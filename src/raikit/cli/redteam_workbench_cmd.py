"""``raikit redteam workbench``: serve the human red-teaming workbench on 127.0.0.1."""

from __future__ import annotations

from pathlib import Path

import click


@click.command("workbench")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8765, show_default=True, type=click.IntRange(0, 65535))
@click.option(
    "-o",
    "--out",
    "root",
    default="raikit-runs/workbench",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Where sessions are stored (one run directory each).",
)
def workbench_cmd(host: str, port: int, root: Path) -> None:
    """Open sessions against targets, apply techniques, send prompts, label answers, see coverage."""
    import uvicorn

    from raikit.redteam.workbench.app import create_workbench_app

    click.echo(f"raikit workbench: http://{host}:{port}/ (sessions in {root})", err=True)
    uvicorn.run(create_workbench_app(root), host=host, port=port, log_level="warning")
