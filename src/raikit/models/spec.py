"""Parsing of target strings such as ``openai:http://127.0.0.1:8080/v1#model=smol``.

A target string is ``SCHEME:LOCATION`` with optional ``#key=value&key=value`` options. Only the
first ``:`` separates the scheme, so locations may contain colons (URLs, Bedrock model ids).
"""

from __future__ import annotations

from urllib.parse import parse_qsl

from pydantic import BaseModel, ConfigDict

from raikit.models.errors import TargetConfigError


class TargetSpec(BaseModel):
    model_config = ConfigDict(frozen=True)

    scheme: str
    location: str
    options: dict[str, str]

    def __str__(self) -> str:
        if not self.options:
            return f"{self.scheme}:{self.location}"
        opts = "&".join(f"{k}={v}" for k, v in self.options.items())
        return f"{self.scheme}:{self.location}#{opts}"


def parse_target_spec(spec: str) -> TargetSpec:
    """Split a target string into scheme, location and options."""
    text = spec.strip()
    scheme, sep, rest = text.partition(":")
    if not sep or not scheme or not scheme.replace("_", "").replace("-", "").isalnum():
        raise TargetConfigError(
            f"invalid target {spec!r}: expected SCHEME:LOCATION, for example llamacpp:default"
        )
    location, _, fragment = rest.partition("#")
    options = dict(parse_qsl(fragment, keep_blank_values=True)) if fragment else {}
    if not location:
        raise TargetConfigError(f"invalid target {spec!r}: nothing after '{scheme}:'")
    return TargetSpec(scheme=scheme.lower(), location=location, options=options)
