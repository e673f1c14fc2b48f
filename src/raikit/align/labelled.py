"""Human-labelled (prompt, response, acceptable) rows from ``../shared/data`` for the reward model.

* **ToxiGen** (CDLA-Permissive-2.0): statements about 16 target groups, labelled implicitly
  hateful or neutral by the file they come from; a hateful statement is an unacceptable response
  on ``fairness``. Split by target group, so validation groups are never seen in training.
* **INVITE** (CC BY-NC 4.0, research use): six models' answers to questions with a false
  presupposition, with a human ``hallucination_label``; a hallucinated answer is unacceptable on
  ``veracity_robustness``. Split by question.

BIPIA has no human labels of responses (its attacks are generated), so it is not used here.
Nothing is copied: rows are read from the data folder each time.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from raikit.align.errors import AlignDataError


class RewardExample(BaseModel):
    """A (prompt, response) judged acceptable or not on one RAI dimension."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    prompt: str
    response: str
    acceptable: bool
    dimension: str
    source: str


class LabelledRow(RewardExample):
    split: str  # "train" or "val"


def toxigen_rows(
    data_dir: Path, *, per_split: int = 1500, val_share: float = 0.3, seed: int = 0
) -> list[LabelledRow]:
    from raikit.guard.training.data import load_toxigen, stable_fraction

    if not (data_dir / "toxigen").is_dir():
        raise AlignDataError(f"no toxigen folder in {data_dir}")
    rows = [
        LabelledRow(
            prompt="",
            response=e.text,
            acceptable=not e.labels,
            dimension="fairness",
            source="toxigen",
            split="val"
            if stable_fraction(e.meta.get("target_group", e.text), "align-reward") < val_share
            else "train",
        )
        for e in load_toxigen(data_dir)
    ]
    rng = random.Random(seed)
    rng.shuffle(rows)
    chosen = [r for r in rows if r.split == "train"][:per_split] + [r for r in rows if r.split == "val"][
        :per_split
    ]
    return chosen


def invite_rows(data_dir: Path, *, val_share: float = 0.5) -> list[LabelledRow]:
    from raikit.guard.training.data import stable_fraction

    folder = data_dir / "invite" / "evaluated_model_predictions_with_labels"
    if not folder.is_dir():
        raise AlignDataError(f"no INVITE labels in {folder}")
    rows = []
    for path in sorted(folder.glob("*.json")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            item = json.loads(line)
            label = str(item.get("hallucination_label", "")).strip()
            if label not in ("0", "1"):
                continue
            rows.append(
                LabelledRow(
                    prompt=str(item["invalid_question"]),
                    response=str(item["model_response_to_invalid_question"]),
                    acceptable=label == "0",
                    dimension="veracity_robustness",
                    source="invite",
                    split="val" if stable_fraction(str(item["id"]), "align-reward") < val_share else "train",
                )
            )
    return rows


def labelled_rows(data_dir: Path, *, toxigen_per_split: int = 1500) -> list[LabelledRow]:
    """All labelled rows available under ``data_dir`` (sources whose folder is absent are skipped)."""
    rows: list[LabelledRow] = []
    if (data_dir / "toxigen").is_dir():
        rows += toxigen_rows(data_dir, per_split=toxigen_per_split)
    if (data_dir / "invite").is_dir():
        rows += invite_rows(data_dir)
    return rows
