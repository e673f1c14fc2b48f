"""raikit's HTTP service: guard API, OpenAI-compatible guarded proxy, built by ``create_app()``.

FastAPI is imported on first use of ``create_app`` (the CLI imports this package's config
without paying for the web stack).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from raikit.server.config import ServerConfig, ServerConfigError

if TYPE_CHECKING:
    from raikit.server.app import create_app

__all__ = ["ServerConfig", "ServerConfigError", "create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from raikit.server.app import create_app

        return create_app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
