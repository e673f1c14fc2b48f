"""``raikit fedmm``: multimodal federated learning under missing modalities and bad labels (Flower on Ray)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

STRATEGY_CHOICES = ("fedavg", "fedprox", "fedopt")
FUSION_CHOICES = ("early", "late", "attention")
CORRUPTION_CHOICES = ("missing-modality", "missing-labels", "label-noise", "combined")
RATE = click.FloatRange(0.0, 1.0)
T = TypeVar("T")

F = TypeVar("F", bound=Callable[..., Any])


def _common_options(func: F) -> F:
    """Options shared by ``run`` and ``sweep``: data, federation, corruption modes, executor."""
    options = [
        click.option(
            "--dataset",
            default="av-digits",
            show_default=True,
            help="Dataset name (av-digits, synthetic, a registered one) or package.module:loader.",
        ),
        click.option(
            "--data-dir",
            type=click.Path(path_type=Path),
            default=Path("../shared/data"),
            show_default=True,
            help="Folder holding the public data (fsdd/ for av-digits).",
        ),
        click.option("--clients", type=click.IntRange(2, 1000), default=5, show_default=True),
        click.option("--rounds", type=click.IntRange(1, 10_000), default=10, show_default=True),
        click.option("--local-epochs", type=click.IntRange(1, 100), default=1, show_default=True),
        click.option(
            "--alpha",
            type=click.FloatRange(0.0, min_open=True),
            default=0.5,
            show_default=True,
            help="Dirichlet concentration of the non-IID label split (small = more skewed).",
        ),
        click.option(
            "--missing-modality-mode",
            type=click.Choice(["sample", "client"]),
            default="sample",
            show_default=True,
            help="Drop a modality per sample, or for a share of the clients.",
        ),
        click.option(
            "--noise-type", type=click.Choice(["uniform", "class"]), default="uniform", show_default=True
        ),
        click.option(
            "--semi-supervised", is_flag=True, help="Pseudo-label unlabelled samples with the global model."
        ),
        click.option(
            "--executor",
            type=click.Choice(["local", "ray"]),
            default="local",
            show_default=True,
            help="local: a private Ray instance on this machine; ray: join the Ray cluster at --ray-address.",
        ),
        click.option(
            "--ray-address", default=None, help="Ray cluster address for --executor ray (default: auto)."
        ),
        click.option(
            "--cpus", type=click.IntRange(1), default=None, help="CPUs for --executor local (default: all)."
        ),
        click.option(
            "-o",
            "--output",
            "out_dir",
            type=click.Path(path_type=Path),
            required=True,
            help="Output folder: results.sqlite, results.json, report.md, index.html.",
        ),
        click.option("--resume", is_flag=True, help="Continue the run already in the output folder."),
        click.option("--verbose", is_flag=True, help="Show Flower's and Ray's logs."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _csv(
    value: str, choices: tuple[str, ...] | None, convert: Callable[[str], T], name: str
) -> tuple[T, ...]:
    parts = [p.strip() for p in value.split(",") if p.strip()]
    try:
        if choices is not None and (bad := [p for p in parts if p not in choices]):
            raise ValueError(f"{bad[0]!r} is not one of {', '.join(choices)}")
        return tuple(convert(p) for p in parts)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint=name) from None


@contextmanager
def _progress(total: int, description: str) -> Iterator[tuple[Progress, TaskID]]:
    progress = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=False,
    )
    with progress:
        yield progress, progress.add_task(description, total=total)


def _base_spec(opts: dict[str, Any], **extra: Any) -> Any:
    from raikit.fedmm.spec import make_spec

    return make_spec(
        dataset={"name": opts["dataset"], "options": {"data_dir": opts["data_dir"]}},
        clients=opts["clients"],
        rounds=opts["rounds"],
        local_epochs=opts["local_epochs"],
        alpha=opts["alpha"],
        corruption={
            "missing_modality_mode": opts["missing_modality_mode"],
            "noise_type": opts["noise_type"],
            "semi_supervised": opts["semi_supervised"],
            **extra.pop("corruption", {}),
        },
        **extra,
    )


def _settings(opts: dict[str, Any]) -> Any:
    from raikit.fedmm.sim import SimulationSettings

    return SimulationSettings(
        executor=opts["executor"],
        ray_address=opts["ray_address"],
        num_cpus=opts["cpus"],
        verbose=opts["verbose"],
    )


@click.group("fedmm")
def fedmm() -> None:
    """Multimodal federated learning under missing modalities and missing or noisy labels (Flower)."""


@fedmm.command("run")
@_common_options
@click.option("--strategy", type=click.Choice(STRATEGY_CHOICES), default="fedavg", show_default=True)
@click.option("--fusion", type=click.Choice(FUSION_CHOICES), default="attention", show_default=True)
@click.option("--missing-modality", type=RATE, default=0.0, show_default=True, help="Rate in [0, 1].")
@click.option("--missing-labels", type=RATE, default=0.0, show_default=True, help="Rate in [0, 1].")
@click.option("--label-noise", type=RATE, default=0.0, show_default=True, help="Rate in [0, 1].")
@click.option("--modalities", default=None, help="Comma-separated subset of the dataset's modalities.")
@click.option("--seed", type=int, default=0, show_default=True)
def run_cmd(**opts: Any) -> None:
    """Train one federated model under the given corruptions and report its test accuracy."""
    from raikit.fedmm.report import write_run_report
    from raikit.fedmm.sweep import run_single
    from raikit.fedmm.training import prepare_cached

    modalities = _csv(opts["modalities"], None, str, "--modalities") if opts["modalities"] else None
    spec = _base_spec(
        opts,
        strategy=opts["strategy"],
        fusion=opts["fusion"],
        modalities=modalities,
        seed=opts["seed"],
        corruption={
            "missing_modality": opts["missing_modality"],
            "missing_labels": opts["missing_labels"],
            "label_noise": opts["label_noise"],
        },
    )
    prepare_cached(spec)  # reject bad data or settings before any progress display
    with _progress(spec.rounds + 1, f"fedmm {spec.strategy}") as (progress, task):
        item, result = run_single(
            spec,
            opts["out_dir"],
            settings=_settings(opts),
            resume=opts["resume"],
            on_round=lambda _spec, _round, _acc: progress.advance(task),
        )
    paths = write_run_report(item, result, opts["out_dir"])
    click.echo(f"accuracy {100 * result.accuracy:.1f}% after {spec.rounds} rounds; report: {paths['html']}")


@fedmm.command("sweep")
@_common_options
@click.option("--strategies", default=",".join(STRATEGY_CHOICES), show_default=True)
@click.option(
    "--fusions",
    default="attention,late,early",
    show_default=True,
    help="The first is used for the strategy study; the others run with the first strategy.",
)
@click.option("--corruptions", default=",".join(CORRUPTION_CHOICES), show_default=True)
@click.option("--rates", default="0,0.2,0.4,0.6,0.8", show_default=True)
@click.option("--seeds", default="0,1,2", show_default=True)
@click.option("--no-baselines", is_flag=True, help="Skip the clean single-modality runs.")
def sweep_cmd(**opts: Any) -> None:
    """Run a grid of experiments (resumable with --resume) and write results.json and the report."""
    from raikit.fedmm.report import write_sweep_report
    from raikit.fedmm.sweep import make_sweep_config, run_sweep
    from raikit.fedmm.training import prepare_cached

    config = make_sweep_config(
        base=_base_spec(opts),
        strategies=_csv(opts["strategies"], STRATEGY_CHOICES, str, "--strategies"),
        fusions=_csv(opts["fusions"], FUSION_CHOICES, str, "--fusions"),
        corruptions=_csv(opts["corruptions"], CORRUPTION_CHOICES, str, "--corruptions"),
        rates=_csv(opts["rates"], None, float, "--rates"),
        seeds=_csv(opts["seeds"], None, int, "--seeds"),
        baselines=not opts["no_baselines"],
    )
    prepare_cached(config.base)  # reject bad data or settings before any progress display
    with _progress(0, "fedmm sweep") as (progress, task):

        def on_start(total: int, done: int) -> None:
            progress.update(task, total=total, completed=done)

        outcome = run_sweep(
            config,
            opts["out_dir"],
            settings=_settings(opts),
            resume=opts["resume"],
            on_start=on_start,
            on_item=lambda _item, _result: progress.advance(task),
        )
    paths = write_sweep_report(outcome, opts["out_dir"])
    click.echo(
        f"{len(outcome.results)}/{len(outcome.items)} experiments in {opts['out_dir']}; "
        f"report: {paths['html']}"
    )
