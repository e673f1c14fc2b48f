"""LoRA SFT and DPO with TRL and PEFT; the merged result is a folder ``transformers:OUT`` serves.

Training checkpoints go to ``OUT/checkpoints`` every ``save_steps``; running the same command
again resumes from the last one. The adapter is merged into the base weights at the end and
the model, tokenizer and an ``align.json`` card (base, data, settings, final loss, seconds) are
written to ``OUT``. CUDA is used when present (``--device auto``), bfloat16 where it is supported.
"""

from __future__ import annotations

import importlib
import json
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from raikit.align.base import device_name, materialise_base
from raikit.align.data import ChatExample, PreferencePair
from raikit.align.errors import AlignDataError, AlignError

Method = Literal["sft", "dpo"]


class TrainOptions(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    epochs: float = Field(default=2.0, gt=0)
    max_steps: int = -1
    learning_rate: float = Field(default=2e-4, gt=0)
    batch_size: int = Field(default=8, ge=1)
    grad_accum: int = Field(default=1, ge=1)
    full: bool = False
    """Train every weight instead of a LoRA adapter: more capacity for what a rank-``lora_r``
    update cannot hold, at the cost of a full copy of the model's optimiser state (for
    SmolLM2-135M about 1 GB); use a learning rate about ten times lower than LoRA's."""
    lora_r: int = Field(default=16, ge=1)
    lora_alpha: int = Field(default=32, ge=1)
    lora_dropout: float = Field(default=0.05, ge=0, lt=1)
    max_length: int = Field(default=384, ge=16)
    beta: float = Field(default=0.1, gt=0)
    completion_tokens: int | None = Field(default=None, ge=1)
    """DPO only: keep the first this many tokens of each chosen and rejected answer (None: all).

    Whether a model declines or answers is decided in its first tokens; the rest of a refusal and
    of an answer share nothing to prefer. Cut there, the preference step trains on what it is
    about, and each step costs a fraction of the full answers'. The end-of-turn token is cut too,
    so nothing teaches the model to stop early."""
    decision_tokens: int = Field(default=0, ge=0)
    """SFT only: how many first tokens of each completion weigh ``decision_weight`` in the loss.

    Whether the model declines or answers is one or two tokens of a completion of a hundred; with
    every token weighing the same, a model can fit the refusal text and the answers' wording while
    hardly learning which prompts get which (measured on SmolLM2-135M after two epochs: it refused
    22% of the benign prompts it was trained on and answered 32% of the harmful ones)."""
    decision_weight: float = Field(default=1.0, gt=0)
    save_steps: int = Field(default=25, ge=1)
    seed: int = 0
    device: str = "auto"

    @property
    def weighs_decision(self) -> bool:
        """Whether SFT weighs the first answer tokens differently from the rest."""
        return self.decision_tokens > 0 and self.decision_weight != 1.0


def lora_config(options: TrainOptions) -> Any:
    from peft import LoraConfig

    return LoraConfig(
        r=options.lora_r,
        lora_alpha=options.lora_alpha,
        lora_dropout=options.lora_dropout,
        target_modules="all-linear",
        task_type="CAUSAL_LM",
    )


def _common_args(options: TrainOptions, out: Path) -> dict[str, Any]:
    import torch

    cuda = device_name(options.device) == "cuda"
    return {
        "output_dir": str(out / "checkpoints"),
        "num_train_epochs": options.epochs,
        "max_steps": options.max_steps,
        "learning_rate": options.learning_rate,
        "per_device_train_batch_size": options.batch_size,
        "gradient_accumulation_steps": options.grad_accum,
        "max_length": options.max_length,
        "save_steps": options.save_steps,
        "save_total_limit": 2,
        "logging_steps": 1,
        "report_to": [],
        "seed": options.seed,
        "use_cpu": not cuda,
        "bf16": cuda and torch.cuda.is_bf16_supported(),
        "lr_scheduler_type": "cosine",
        "warmup_steps": 0,
        "disable_tqdm": True,
        # Small models fit in memory; recomputing activations would only slow the CPU down.
        "gradient_checkpointing": False,
    }


def sft_rows(examples: Sequence[ChatExample]) -> list[dict[str, Any]]:
    """Prompt-completion rows, so the loss is on the last assistant turn only."""
    rows = []
    for e in examples:
        turns = [t.model_dump() for t in e.messages]
        if turns[-1]["role"] != "assistant":
            raise AlignDataError(f"SFT example {e.id} does not end with an assistant turn")
        rows.append({"prompt": turns[:-1], "completion": turns[-1:]})
    return rows


def dpo_rows(pairs: Sequence[PreferencePair]) -> list[dict[str, Any]]:
    return [
        {
            "prompt": [t.model_dump() for t in p.prompt],
            "chosen": [t.model_dump() for t in p.chosen],
            "rejected": [t.model_dump() for t in p.rejected],
        }
        for p in pairs
    ]


def decision_weights(labels: Any, tokens: int, weight: float) -> Any:
    """Per-position loss weights: ``weight`` on each row's first ``tokens`` labelled positions, 1 on
    the other labelled ones, 0 where the label is ignored (-100: prompt and padding)."""
    import torch

    labelled = labels != -100
    order = labelled.long().cumsum(dim=1)
    weights = labelled.to(torch.float32)
    return torch.where(labelled & (order <= tokens), torch.full_like(weights, weight), weights)


def weighted_token_loss(logits: Any, labels: Any, tokens: int, weight: float) -> Any:
    """Next-token cross-entropy with :func:`decision_weights`, normalised by the weights' sum."""
    import torch

    shifted = labels[:, 1:]
    weights = decision_weights(shifted, tokens, weight)
    nll = torch.nn.functional.cross_entropy(
        logits[:, :-1].float().transpose(1, 2), shifted.clamp(min=0), reduction="none"
    )
    return (nll * weights).sum() / weights.sum().clamp(min=1.0)


def _decision_trainer(trl: Any, tokens: int, weight: float) -> Any:
    """An SFTTrainer whose loss weighs the first ``tokens`` of each completion ``weight`` times."""

    class DecisionWeightedSFTTrainer(trl.SFTTrainer):  # type: ignore[misc]
        # The loss is a per-micro-batch mean, so the Trainer divides it by the accumulation steps.
        loss_is_scaled_for_ga = False

        def compute_loss(
            self, model: Any, inputs: Any, return_outputs: bool = False, num_items_in_batch: Any = None
        ) -> Any:
            labels = inputs["labels"]
            outputs = model(**{k: v for k, v in inputs.items() if k != "labels"}, use_cache=False)
            loss = weighted_token_loss(outputs.logits, labels, tokens, weight)
            return (loss, outputs) if return_outputs else loss

    return DecisionWeightedSFTTrainer


def cut_completions(row: dict[str, Any], tokens: int) -> dict[str, Any]:
    """A tokenised DPO row with its chosen and rejected answers cut to their first ``tokens``."""
    return {"chosen_ids": row["chosen_ids"][:tokens], "rejected_ids": row["rejected_ids"][:tokens]}


def _last_checkpoint(out: Path) -> str | None:
    folder = out / "checkpoints"
    found = (
        sorted(folder.glob("checkpoint-*"), key=lambda p: int(p.name.split("-")[-1]))
        if folder.is_dir()
        else []
    )
    return str(found[-1]) if found else None


def train(
    method: Method,
    base: str,
    records: Sequence[ChatExample] | Sequence[PreferencePair],
    out: str | Path,
    options: TrainOptions | None = None,
    *,
    progress: Any = None,
) -> dict[str, Any]:
    """Train a LoRA adapter on ``base`` with SFT or DPO (or every weight, ``options.full``), merge
    it, save to ``out``; the card."""
    options = options or TrainOptions()
    if not records:
        raise AlignDataError(f"no training records for {method}")
    target = Path(out)
    target.mkdir(parents=True, exist_ok=True)
    try:
        datasets: Any = importlib.import_module("datasets")
        trl: Any = importlib.import_module("trl")
    except ImportError as exc:
        raise AlignError("training needs the align extra: pip install 'raikit[align]'") from exc
    from raikit.align.base import load_model

    folder = materialise_base(base)
    tokenizer, model = load_model(folder, options.device)
    tokenizer.padding_side = "right" if method == "sft" else "left"
    started = time.monotonic()
    if method == "sft":
        rows = sft_rows([r for r in records if isinstance(r, ChatExample)])
        # Batches of similar lengths: a batch pads to its longest example, and refusals in Hindi or
        # Japanese are five times as many tokens as in English.
        args: Any = trl.SFTConfig(
            **_common_args(options, target),
            completion_only_loss=True,
            train_sampling_strategy="group_by_length",
        )
        trainer_class: Any = (
            _decision_trainer(trl, options.decision_tokens, options.decision_weight)
            if options.weighs_decision
            else trl.SFTTrainer
        )
    else:
        rows = dpo_rows([r for r in records if isinstance(r, PreferencePair)])
        args = trl.DPOConfig(**_common_args(options, target), beta=options.beta)
        trainer_class = trl.DPOTrainer
    if not rows:
        raise AlignDataError(f"the records are not {method} records")
    trainer = trainer_class(
        model=model,
        args=args,
        train_dataset=datasets.Dataset.from_list(rows),
        processing_class=tokenizer,
        peft_config=None if options.full else lora_config(options),
        callbacks=[progress] if progress is not None else [],
    )
    if method == "dpo" and options.completion_tokens is not None:
        trainer.train_dataset = trainer.train_dataset.map(
            cut_completions, fn_kwargs={"tokens": options.completion_tokens}
        )
    if progress is not None:  # the rich bar replaces the dicts transformers prints per log step
        from transformers.trainer_callback import PrinterCallback

        trainer.remove_callback(PrinterCallback)
    result = trainer.train(resume_from_checkpoint=_last_checkpoint(target))
    trained = trainer.model if options.full else trainer.model.merge_and_unload()
    trained.save_pretrained(target)
    tokenizer.padding_side = "left"
    tokenizer.save_pretrained(target)
    losses = [h["loss"] for h in trainer.state.log_history if "loss" in h]
    card = {
        "method": method,
        "base": base,
        "base_folder": str(folder),
        "records": len(rows),
        "options": options.model_dump(),
        "steps": trainer.state.global_step,
        "first_loss": losses[0] if losses else None,
        "final_loss": losses[-1] if losses else None,
        "train_loss": float(result.training_loss),
        "seconds": round(time.monotonic() - started, 1),
        "device": device_name(options.device),
        "serve_with": f"transformers:{target}",
    }
    (target / "align.json").write_text(json.dumps(card, indent=2), encoding="utf-8")
    return card
