"""Entry point of the ``raikit`` command.

User errors (:class:`raikit.core.errors.RaikitError`) are printed as one line on stderr with no
traceback: exit code 2 for bad input (unknown scheme, bad option, missing file), 1 for failures
at run time (a server that stays unreachable, a timeout).
"""

from __future__ import annotations

import sys

import click

from raikit import __version__
from raikit.align.errors import AlignDataError
from raikit.cli.align_cmd import align
from raikit.cli.audit_cmd import audit
from raikit.cli.chat_cmd import chat
from raikit.cli.eval_cmd import eval_group
from raikit.cli.fedmm_cmd import fedmm
from raikit.cli.guard_cmd import guard
from raikit.cli.judge_cmd import judge
from raikit.cli.models_cmd import models
from raikit.cli.provenance_cmd import provenance
from raikit.cli.redteam_cmd import redteam
from raikit.cli.redteam_run_cmd import ExportUsageError, export_cmd, run_cmd
from raikit.cli.redteam_workbench_cmd import workbench_cmd
from raikit.cli.runs_cmd import runs
from raikit.cli.serve_cmd import serve
from raikit.cli.watermark_cmd import watermark
from raikit.core.errors import RaikitError, StoreError
from raikit.evals.findings import FindingError
from raikit.evals.profiles import ProfileError
from raikit.evals.task import DataNotFoundError, UnknownBenchmarkError
from raikit.fedmm.errors import FedMMConfigError, FedMMDataError
from raikit.guard.policy import PolicyError
from raikit.guard.scanners.base import UnknownScannerError
from raikit.models.errors import TargetConfigError
from raikit.redteam.attackers.exemplars import SeedError
from raikit.redteam.run import RedTeamError
from raikit.redteam.techniques import TechniqueError
from raikit.server.config import ServerConfigError
from raikit.watermark.errors import WatermarkInputError

USAGE_ERRORS: tuple[type[RaikitError], ...] = (
    TargetConfigError,
    StoreError,
    PolicyError,
    UnknownScannerError,
    ServerConfigError,
    UnknownBenchmarkError,
    DataNotFoundError,
    TechniqueError,
    SeedError,
    RedTeamError,
    ExportUsageError,
    ProfileError,
    FindingError,
    WatermarkInputError,
    FedMMConfigError,
    FedMMDataError,
    AlignDataError,
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="raikit")
def cli() -> None:
    """raikit: guardrails, RAI evaluation, red teaming and provenance, offline."""


cli.add_command(models)
cli.add_command(chat)
cli.add_command(runs)
cli.add_command(audit)
cli.add_command(guard)
cli.add_command(serve)
cli.add_command(judge)
cli.add_command(eval_group)
cli.add_command(fedmm)
cli.add_command(watermark)
cli.add_command(provenance)
cli.add_command(redteam)
cli.add_command(align)
redteam.add_command(run_cmd)
redteam.add_command(export_cmd)
redteam.add_command(workbench_cmd)


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; user errors become one line on stderr and a non-zero exit code."""
    try:
        cli.main(args=argv, prog_name="raikit", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("raikit: interrupted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        click.echo(f"raikit: {exc.format_message()}", err=True)
        sys.exit(exc.exit_code)
    except RaikitError as exc:
        click.echo(f"raikit: error: {' '.join(str(exc).split())}", err=True)  # always one line
        sys.exit(2 if isinstance(exc, USAGE_ERRORS) else 1)
    except KeyboardInterrupt:
        click.echo("raikit: interrupted", err=True)
        sys.exit(130)
    except BrokenPipeError:
        sys.exit(0)
