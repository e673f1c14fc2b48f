"""Settings of the HTTP service."""

from __future__ import annotations

import ipaddress
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from raikit.core.errors import RaikitError


class ServerConfigError(RaikitError):
    """The service cannot start with these settings (for example no API key on a public address)."""


class ServerConfig(BaseModel):
    model_config = ConfigDict(frozen=True)

    host: str = "127.0.0.1"
    policies: dict[str, str] = Field(default_factory=lambda: {"default": "default"})
    """Policy names clients may ask for, mapped to a built-in name or a YAML path."""
    default_policy: str = "default"
    upstream: str | None = None
    """Target string the guarded proxy forwards to (``/v1/chat/completions``); None disables it."""
    api_keys: tuple[str, ...] = ()
    max_body_bytes: int = Field(default=256 * 1024, ge=1024)
    upstream_timeout_s: float = Field(default=120.0, gt=0)
    warm_up: bool = True
    log_level: Literal["critical", "error", "warning", "info", "debug"] = "info"
    """Only at ``debug`` do the logs carry request text (the prompt and the sanitized text)."""

    def check(self) -> None:
        if self.default_policy not in self.policies:
            raise ServerConfigError(
                f"default policy {self.default_policy!r} is not among the served policies"
            )
        if not self.api_keys and not is_loopback(self.host):
            raise ServerConfigError(
                f"refusing to listen on {self.host} without an API key: set RAIKIT_API_KEYS or --api-key"
            )


def is_loopback(host: str) -> bool:
    if host in ("localhost", ""):
        return host == "localhost"
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
