"""``raikit serve``: the guard API and the guarded OpenAI-compatible proxy over HTTP."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from raikit.server import ServerConfig


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8080, show_default=True, type=click.IntRange(0, 65535))
@click.option(
    "--policy",
    "policies",
    multiple=True,
    metavar="NAME=FILE",
    help="Serve a policy under NAME (repeatable); built-in policies are always served.",
)
@click.option("--default-policy", default="default", show_default=True)
@click.option("--upstream", default=None, help="Target the guarded proxy forwards to, e.g. llamacpp:default.")
@click.option(
    "--api-key", "api_keys", multiple=True, help="Accepted API key (repeatable); also RAIKIT_API_KEYS."
)
@click.option("--max-body-bytes", default=256 * 1024, show_default=True, type=click.IntRange(min=1024))
@click.option("--no-warm-up", is_flag=True, help="Do not load the guard models before serving.")
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Worker processes (one per core for throughput); /metrics adds up all of them.",
)
@click.option(
    "--log-level",
    default="info",
    show_default=True,
    type=click.Choice(["critical", "error", "warning", "info", "debug"]),
    help="Only 'debug' logs request text (prompts, answers and PII in them).",
)
def serve(
    host: str,
    port: int,
    policies: tuple[str, ...],
    default_policy: str,
    upstream: str | None,
    api_keys: tuple[str, ...],
    max_body_bytes: int,
    no_warm_up: bool,
    workers: int,
    log_level: str,
) -> None:
    """Serve /v1/guard/input, /v1/guard/output, /v1/chat/completions, /healthz and /metrics."""
    import uvicorn

    from raikit.guard.policy import builtin_policies
    from raikit.server import ServerConfig, create_app

    served = {name: name for name in builtin_policies()}
    for item in policies:
        name, sep, path = item.partition("=")
        if not sep or not name or not path:
            raise click.BadParameter(f"expected NAME=FILE, got {item!r}", param_hint="--policy")
        served[name] = path
    keys = tuple(api_keys) + tuple(k for k in os.environ.get("RAIKIT_API_KEYS", "").split(",") if k)
    config = ServerConfig(
        host=host,
        policies=served,
        default_policy=default_policy,
        upstream=upstream,
        api_keys=keys,
        max_body_bytes=max_body_bytes,
        warm_up=not no_warm_up,
        log_level=log_level,  # type: ignore[arg-type]  # click.Choice checked it
    )
    if workers == 1:
        uvicorn.run(create_app(config), host=host, port=port, log_level=log_level, access_log=True)
        return
    _serve_workers(config, port, workers)


def _serve_workers(config: ServerConfig, port: int, workers: int) -> None:
    """Worker processes, each with its own listening socket (:mod:`raikit.server.workers`; uvicorn's
    own workers where that cannot be), each building the app from the settings passed in the
    environment, sharing one Prometheus multiprocess folder (removed on exit)."""
    import shutil
    import tempfile

    import uvicorn

    from raikit.server.app import CONFIG_ENV
    from raikit.server.metrics import MULTIPROC_ENV
    from raikit.server.workers import serve_workers

    config.check()
    folder = tempfile.mkdtemp(prefix="raikit-metrics-")
    os.environ[MULTIPROC_ENV] = folder
    os.environ[CONFIG_ENV] = config.model_dump_json()
    app = "raikit.server.app:app_from_env"
    try:
        try:
            if serve_workers(app, config.host, port, workers, config.log_level):
                return
        except OSError as exc:
            raise click.ClickException(
                f"cannot listen on {config.host}:{port}: {exc.strerror or exc}"
            ) from exc
        uvicorn.run(
            app,
            factory=True,
            host=config.host,
            port=port,
            workers=workers,
            log_level=config.log_level,
            access_log=True,
        )
    finally:
        shutil.rmtree(folder, ignore_errors=True)
