"""``raikit serve``: the guard API and the guarded OpenAI-compatible proxy over HTTP."""

from __future__ import annotations

import os

import click


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
def serve(
    host: str,
    port: int,
    policies: tuple[str, ...],
    default_policy: str,
    upstream: str | None,
    api_keys: tuple[str, ...],
    max_body_bytes: int,
    no_warm_up: bool,
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
    )
    app = create_app(config)
    uvicorn.run(app, host=host, port=port, log_level="info", access_log=True)
