"""``raikit chat TARGET "prompt"``: stream one answer to the terminal."""

from __future__ import annotations

import sys

import click

from raikit.core.types import Message
from raikit.models import GenerateConfig, get_target


@click.command()
@click.argument("target")
@click.argument("prompt")
@click.option("--system", "system_prompt", default=None, help="A system prompt.")
@click.option("--max-tokens", default=256, show_default=True, type=click.IntRange(min=1))
@click.option("--temperature", default=0.0, show_default=True, type=click.FloatRange(0.0, 2.0))
@click.option("--timeout", "timeout_s", default=120.0, show_default=True, type=click.FloatRange(min=0.1))
@click.option("--no-stream", is_flag=True, help="Wait for the whole answer instead of streaming it.")
@click.option("--usage", "show_usage", is_flag=True, help="Print token usage on stderr at the end.")
def chat(
    target: str,
    prompt: str,
    system_prompt: str | None,
    max_tokens: int,
    temperature: float,
    timeout_s: float,
    no_stream: bool,
    show_usage: bool,
) -> None:
    """Send PROMPT to TARGET (e.g. llamacpp:default) and stream the answer."""
    model = get_target(target)
    messages = ([Message.system(system_prompt)] if system_prompt else []) + [Message.user(prompt)]
    config = GenerateConfig(max_tokens=max_tokens, temperature=temperature, timeout_s=timeout_s)
    try:
        if no_stream:
            click.echo(model.generate(messages, config).text)
        else:
            for event in model.stream(messages, config):
                if event.delta:
                    sys.stdout.write(event.delta)
                    sys.stdout.flush()
            sys.stdout.write("\n")
            sys.stdout.flush()
        if show_usage:
            usage = model.usage
            click.echo(
                f"tokens: prompt {usage.prompt_tokens}, completion {usage.completion_tokens}", err=True
            )
    finally:
        model.close()
