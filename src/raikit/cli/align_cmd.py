"""``raikit align``: build alignment data, train the RAI reward model, LoRA SFT and DPO."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from raikit.align.gguf_export import GGUF_TYPES

F = TypeVar("F", bound=Callable[..., Any])

DEFAULT_DATA = Path("../shared/data")
GGUF_TYPE_HELP = "GGUF tensor type: f32/f16/bf16, or quantised q8_0, q5_1, q5_0, q4_1 (as shipped), q4_0."


def _train_options(func: F) -> F:
    options = [
        click.option("--epochs", type=click.FloatRange(min=0, min_open=True), default=2.0, show_default=True),
        click.option(
            "--max-steps",
            type=int,
            default=-1,
            show_default=True,
            help="Stop after this many steps (-1: epochs).",
        ),
        click.option(
            "--lr",
            "learning_rate",
            type=click.FloatRange(min=0, min_open=True),
            default=2e-4,
            show_default=True,
        ),
        click.option("--batch-size", type=click.IntRange(min=1), default=8, show_default=True),
        click.option("--lora-r", type=click.IntRange(min=1), default=16, show_default=True),
        click.option(
            "--full",
            is_flag=True,
            help="Train every weight instead of a LoRA adapter (use a ~10x lower --lr).",
        ),
        click.option("--max-length", type=click.IntRange(min=16), default=384, show_default=True),
        click.option("--save-steps", type=click.IntRange(min=1), default=25, show_default=True),
        click.option("--seed", type=int, default=0, show_default=True),
        click.option(
            "--device", type=click.Choice(["auto", "cpu", "cuda"]), default="auto", show_default=True
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _gguf_options(func: F) -> F:
    options = [
        click.option(
            "--gguf",
            "gguf_out",
            type=click.Path(dir_okay=False, path_type=Path),
            default=None,
            help="Also export the merged model to this GGUF (served by llamacpp:PATH).",
        ),
        click.option(
            "--gguf-type",
            type=click.Choice(GGUF_TYPES),
            default="f16",
            show_default=True,
            help=GGUF_TYPE_HELP,
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _check_gguf_base(base: str, gguf_out: Path | None) -> None:
    """Fail before training, not after, when the trained model could not be exported."""
    from raikit.align.errors import AlignDataError
    from raikit.align.gguf_export import base_gguf_of

    if gguf_out is not None and base_gguf_of(base) is None:
        raise AlignDataError(
            f"--gguf needs a base that comes from a GGUF; {base!r} does not "
            "(train without --gguf, then raikit align export-gguf --base-gguf PATH)"
        )


def _export(
    progress: Any, model_dir: Path, gguf_out: Path, gguf_type: Any, base_gguf: str | None = None
) -> Any:
    from raikit.align.gguf_export import export_gguf

    task = progress.add_task("gguf export", total=None, note=str(gguf_out.name))
    return export_gguf(
        model_dir,
        gguf_out,
        base_gguf=base_gguf,
        out_type=gguf_type,
        on_progress=lambda done, total: progress.update(task, completed=done, total=total),
    )


def _options(kwargs: dict[str, Any], **extra: Any) -> Any:
    from raikit.align.train import TrainOptions

    return TrainOptions(**kwargs, **extra)


def _echo(card: dict[str, Any]) -> None:
    click.echo(json.dumps(card, indent=2))


@click.group("align")
def align() -> None:
    """Alignment: SFT demonstrations, preference pairs, an RAI reward model, LoRA SFT and DPO."""


@align.command("data")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Folder for sft.jsonl and pairs.jsonl.",
)
@click.option(
    "--base",
    default=None,
    help="Model whose answers to benign train items are self-distilled (e.g. default).",
)
@click.option(
    "--redteam",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    multiple=True,
    help="raikit redteam export --training JSONL.",
)
@click.option(
    "--corpus-harmful",
    type=click.IntRange(min=0),
    default=600,
    show_default=True,
    help="Harmful prompts added from raikit's multilingual corpus (and --data-dir), declined.",
)
@click.option(
    "--corpus-benign",
    type=click.IntRange(min=0),
    default=400,
    show_default=True,
    help="Benign prompts added from the corpus; with --base, answered and self-distilled.",
)
@click.option(
    "--data-dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=None,
    help="Folder of public datasets (AdvBench, Do-Not-Answer, Alpaca...) added to the corpus.",
)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--max-new-tokens", type=click.IntRange(min=1), default=128, show_default=True)
@click.option("--batch-size", type=click.IntRange(min=1), default=8, show_default=True)
@click.option("--device", type=click.Choice(["auto", "cpu", "cuda"]), default="auto", show_default=True)
def data_cmd(
    out: Path,
    base: str | None,
    redteam: tuple[Path, ...],
    corpus_harmful: int,
    corpus_benign: int,
    data_dir: Path | None,
    seed: int,
    max_new_tokens: int,
    batch_size: int,
    device: str,
) -> None:
    """Build SFT demonstrations and preference pairs from the suites' train split and the corpus.

    Corpus prompts close to a held-out suite item are left out (see raikit.align.corpus).
    """
    from dataclasses import asdict

    from raikit.align.answers import AnswerSettings
    from raikit.align.corpus import corpus_items
    from raikit.align.pipeline import build_data, suite_items
    from raikit.align.progress import new_progress

    extra, found = corpus_items(
        held_out=suite_items("test"),
        data_dir=data_dir,
        harmful=corpus_harmful,
        benign=corpus_benign,
        seed=seed,
    )
    asked = suite_items("train") + [s for s in extra if s.kind == "false_refusal"]
    settings = AnswerSettings(max_new_tokens=max_new_tokens, batch_size=batch_size, device=device, seed=seed)
    with new_progress() as progress:
        task = progress.add_task("base answers", total=len(asked) if base else 0, note="")
        counts = build_data(
            out,
            base=base,
            redteam=redteam,
            settings=settings,
            answer_only=asked,
            extra=extra,
            advance=lambda n: progress.advance(task, n),
        )
    _echo({**counts, "corpus": asdict(found)})


@align.command("sft")
@click.option(
    "--base", required=True, help="Hugging Face model folder, a .gguf file, or default (embedded SmolLM2)."
)
@click.option(
    "--data",
    "data_file",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="SFT JSONL (raikit align data).",
)
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True)
@click.option(
    "--decision-tokens",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="The first N tokens of each answer, where declining or answering is decided, weigh more.",
)
@click.option(
    "--decision-weight",
    type=click.FloatRange(min=0, min_open=True),
    default=1.0,
    show_default=True,
    help="How many times more those first tokens weigh in the loss.",
)
@_train_options
@_gguf_options
def sft_cmd(
    base: str, data_file: Path, out: Path, gguf_out: Path | None, gguf_type: str, **kwargs: Any
) -> None:
    """LoRA supervised fine-tuning; writes a merged model servable as transformers:OUT."""
    from raikit.align.data import ChatExample, read_jsonl
    from raikit.align.progress import new_progress, trainer_callback
    from raikit.align.train import train

    examples = read_jsonl(data_file, ChatExample)
    _check_gguf_base(base, gguf_out)
    with new_progress() as progress:
        card = train("sft", base, examples, out, _options(kwargs), progress=trainer_callback(progress, "sft"))
        if gguf_out is not None:
            card["gguf"] = _export(progress, out, gguf_out, gguf_type)
    _echo(card)


@align.command("reward")
@click.option(
    "--pairs", type=click.Path(dir_okay=False, path_type=Path), required=True, help="Preference pairs JSONL."
)
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True)
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=DEFAULT_DATA,
    show_default=True,
    help="Public data with human labels (ToxiGen, INVITE); skipped when absent.",
)
@click.option(
    "--base",
    default=None,
    help="Accepted for symmetry; the reward model scores text and needs no policy model.",
)
@click.option(
    "--val-share",
    type=click.FloatRange(0, 0.9),
    default=0.2,
    show_default=True,
    help="Share of pairs held out for validation.",
)
def reward_cmd(pairs: Path, out: Path, data_dir: Path, base: str | None, val_share: float) -> None:
    """Train the RAI reward model and report its agreement with held-out labels and pairs."""
    from raikit.align.data import PreferencePair, read_jsonl
    from raikit.align.reward import train_reward

    report = train_reward(read_jsonl(pairs, PreferencePair), out, data_dir=data_dir, val_share=val_share)
    _echo(report)


@align.command("dpo")
@click.option(
    "--base", required=True, help="Hugging Face model folder (e.g. the SFT output), a .gguf file, or default."
)
@click.option(
    "--pairs", type=click.Path(dir_okay=False, path_type=Path), required=True, help="Preference pairs JSONL."
)
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True)
@click.option(
    "--reward",
    "reward_dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=None,
    help="Reward model: adds pairs ranked from sampled candidates.",
)
@click.option("--candidates", type=click.IntRange(min=2), default=4, show_default=True)
@click.option("--beta", type=click.FloatRange(min=0, min_open=True), default=0.1, show_default=True)
@click.option(
    "--completion-tokens",
    type=click.IntRange(min=1),
    default=None,
    help="Train on the first N tokens of each chosen and rejected answer (default: all).",
)
@_train_options
@_gguf_options
def dpo_cmd(
    base: str,
    pairs: Path,
    out: Path,
    reward_dir: Path | None,
    candidates: int,
    beta: float,
    completion_tokens: int | None,
    gguf_out: Path | None,
    gguf_type: str,
    **kwargs: Any,
) -> None:
    """LoRA DPO on preference pairs (plus reward-ranked candidates); writes a merged model."""
    from raikit.align.answers import AnswerSettings
    from raikit.align.base import materialise_base
    from raikit.align.data import PreferencePair, read_jsonl
    from raikit.align.pipeline import ranked_candidate_pairs, suite_items
    from raikit.align.progress import new_progress, trainer_callback
    from raikit.align.reward import RewardModel
    from raikit.align.train import train

    records = read_jsonl(pairs, PreferencePair)
    _check_gguf_base(base, gguf_out)
    with new_progress() as progress:
        if reward_dir is not None:
            model = RewardModel.load(reward_dir)
            task = progress.add_task("candidates", total=len(suite_items("train")), note="")
            settings = AnswerSettings(
                num_answers=candidates, temperature=0.8, seed=kwargs["seed"], device=kwargs["device"]
            )
            records += ranked_candidate_pairs(
                materialise_base(base),
                model,
                out / "candidates.jsonl",
                settings=settings,
                advance=lambda n: progress.advance(task, n),
            )
        card = train(
            "dpo",
            base,
            records,
            out,
            _options(kwargs, beta=beta, completion_tokens=completion_tokens),
            progress=trainer_callback(progress, "dpo"),
        )
        if gguf_out is not None:
            card["gguf"] = _export(progress, out, gguf_out, gguf_type)
    _echo(card)


@align.command("export-gguf")
@click.argument("model_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "-o",
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="The .gguf file to write.",
)
@click.option(
    "--base-gguf",
    default=None,
    help="GGUF the model was trained from (a path or default); read from MODEL_DIR/align.json when omitted.",
)
@click.option(
    "--type",
    "gguf_type",
    type=click.Choice(GGUF_TYPES),
    default="f16",
    show_default=True,
    help=GGUF_TYPE_HELP,
)
def export_gguf_cmd(model_dir: Path, out: Path, base_gguf: str | None, gguf_type: str) -> None:
    """Export a trained Llama folder to GGUF for the embedded llama.cpp target (llamacpp:OUT)."""
    from raikit.align.progress import new_progress

    with new_progress() as progress:
        summary = _export(progress, model_dir, out, gguf_type, base_gguf)
    _echo(summary)
