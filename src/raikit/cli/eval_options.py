"""Options shared by ``raikit eval run``, ``raikit audit`` and ``raikit judge refusal``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click
from click.core import ParameterSource

from raikit.evals.hub import parse_data_option

F = TypeVar("F", bound=Callable[..., Any])

JUDGE_TARGET_HELP = (
    "LLM refusal judge: any target string (llamacpp:default, openai:URL#model=M, scripted:FILE.yaml). "
    "The fast classifier keeps its confident verdicts; the LLM decides the rest. Its answers are "
    "parsed strictly: an unparseable answer is undecided, never a pass."
)


def judge_options(command: F) -> F:
    """``--judge-target`` and ``--judge-escalate``."""
    command = click.option(
        "--judge-escalate",
        default="uncertain",
        show_default=True,
        type=click.Choice(["uncertain", "always"]),
        help="With --judge-target: ask the LLM only about the classifier's uncertain verdicts, or always.",
    )(command)
    return click.option("--judge-target", default=None, metavar="TARGET", help=JUDGE_TARGET_HELP)(command)


def check_judge_flags(judge_target: str | None) -> None:
    """``--judge-escalate`` only means something with ``--judge-target``: refuse it alone."""
    source = click.get_current_context().get_parameter_source("judge_escalate")
    if judge_target is None and source is ParameterSource.COMMANDLINE:
        raise click.UsageError("--judge-escalate needs --judge-target")


def data_option(help_text: str) -> Callable[[F], F]:
    """``--data DIR`` or ``--data hf`` / ``--data hf:REPO_ID`` (the benchmark's Hugging Face dataset)."""
    return click.option("--data", "data", default=None, metavar="DIR|hf|hf:REPO_ID", help=help_text)


def data_source(value: str | None) -> tuple[Path | None, bool, str | None]:
    """``--data`` as (data_dir, from_hub, hub_repo). A folder named ``hf`` is given as ``./hf``."""
    from_hub, repo = parse_data_option(value)
    if from_hub:
        return None, True, repo
    if value is None:
        return None, False, None
    path = Path(value)
    if path.exists() and not path.is_dir():
        raise click.BadParameter(f"{value} is a file, not a folder", param_hint="--data")
    return path, False, None
