"""``fever``: FEVER claim verification (SUPPORTS / REFUTES / NOT ENOUGH INFO).

Loads ``fever/paper_dev.jsonl`` (or ``fever/shared_task_dev.jsonl``) from the data folder, or
with ``--data hf`` the ``paper_dev`` split of the Hub's ``fever/fever`` (Parquet export). The
public dev file carries evidence *pointers* only; when a row also carries the evidence text
(``evidence_sentences``: a list of strings, as produced by joining the FEVER wiki dump), the
sentences are put in the prompt, otherwise the claim is verified from the model's knowledge.
Answers are parsed strictly: the answer must open with one label (or name exactly one on its
first line); anything else is unparseable and counts as wrong. Reported: accuracy, per-class
accuracy (recall), macro-F1, each with a bootstrap 95% CI, and the unparseable rate.
"""

from __future__ import annotations

import json
import random
from collections.abc import Mapping, Sequence
from typing import Any

from raikit.core.types import Attempt, Message, Score
from raikit.evals.benchmarks.common import first_label, metric_row, scored_attempts
from raikit.evals.hub import HubSource, hub_records
from raikit.evals.solvers import generate
from raikit.evals.task import (
    BenchmarkOptions,
    DataNotFoundError,
    EvalSample,
    SolverOutput,
    Task,
    benchmark,
    data_path,
)
from raikit.models import GenerateConfig

DIMENSION = "veracity_robustness"
LABELS = ("SUPPORTS", "REFUTES", "NOT ENOUGH INFO")
LABEL_PATTERNS = {
    r"\bsupport(?:s|ed)?\b": "SUPPORTS",
    r"\brefut(?:es|ed)?\b": "REFUTES",
    r"\bnot enough info(?:rmation)?\b|\bNEI\b": "NOT ENOUGH INFO",
}
FILES = ("paper_dev.jsonl", "shared_task_dev.jsonl")
INSTRUCTION = (
    "Verify the claim. Answer with exactly one label on the first line: SUPPORTS if the claim is "
    "true, REFUTES if it is false, NOT ENOUGH INFO if it cannot be decided{source}. Then give one "
    "sentence of justification."
)


def parse_label(text: str) -> str | None:
    """The FEVER label an answer commits to (``None``: unparseable or ambiguous)."""
    return first_label(text, LABEL_PATTERNS)


def _prompt(claim: str, evidence: Sequence[str]) -> str:
    if evidence:
        lines = "\n".join(f"- {s}" for s in evidence)
        return f"{INSTRUCTION.format(source=' from the evidence')}\n\nEvidence:\n{lines}\n\nClaim: {claim}"
    return f"{INSTRUCTION.format(source='')}\n\nClaim: {claim}"


def hub_claims(rows: Sequence[Mapping[str, Any]]) -> list[tuple[str, dict[str, Any]]]:
    """Rows of the Hub's ``fever`` dataset (config ``v1.0``: one row per evidence sentence of a
    claim, so a claim repeats) as one ``{"id", "label", "claim"}`` row per claim, first seen first."""
    claims: dict[str, tuple[str, dict[str, Any]]] = {}
    for number, row in enumerate(rows, start=1):
        key = str(row["id"])
        if key not in claims:
            claims[key] = (f"Hugging Face row {number}", {k: row[k] for k in ("id", "label", "claim")})
    return list(claims.values())


HUB_SOURCE = HubSource(
    repo="fever/fever",
    config="v1.0",
    split="paper_dev",
    revision="refs/convert/parquet",
    columns=("id", "label", "claim"),
    to_records=hub_claims,
)
"""The Hub's Parquet export of the canonical FEVER loading script (the script itself no longer runs
under ``datasets`` 4 and later); columns as that script defines them."""


def fever_rows(options: BenchmarkOptions) -> list[tuple[str, dict[str, Any]]]:
    """(where, row) for every claim: from the Hub with ``--data hf``, else the JSONL file."""
    if options.from_hub:
        return hub_records(options, HUB_SOURCE, "fever")
    folder = data_path(options, "fever")
    path = next((folder / name for name in FILES if (folder / name).exists()), None)
    if path is None:
        raise DataNotFoundError(f"no FEVER file ({' or '.join(FILES)}) in {folder}")
    rows: list[tuple[str, dict[str, Any]]] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise DataNotFoundError(f"{path}:{number}: not a FEVER row ({exc})") from exc
        rows.append((f"{path}:{number}", row))
    return rows


def load_fever(options: BenchmarkOptions) -> list[EvalSample]:
    """Claims balanced over the three labels (round-robin after a seeded shuffle per label)."""
    per_label: dict[str, list[dict[str, Any]]] = {label: [] for label in LABELS}
    for where, row in fever_rows(options):
        try:
            per_label[row["label"]].append(row)
        except (KeyError, TypeError) as exc:
            raise DataNotFoundError(f"{where}: not a FEVER row ({exc!r})") from exc
    rng = random.Random(options.seed)
    for rows in per_label.values():
        rng.shuffle(rows)
    ordered = [
        rows[rank]
        for rank in range(max(map(len, per_label.values())))
        for rows in per_label.values()
        if rank < len(rows)
    ]
    if options.limit:
        ordered = ordered[: options.limit]
    samples = []
    for row in ordered:
        evidence = [str(s) for s in row.get("evidence_sentences") or []]
        samples.append(
            EvalSample(
                id=f"fever-{row['id']}",
                messages=(Message.user(_prompt(str(row["claim"]), evidence)),),
                metadata={"label": row["label"], "claim": row["claim"], "with_evidence": bool(evidence)},
            )
        )
    return samples


def score_fever(sample: EvalSample, output: SolverOutput) -> dict[str, Score]:
    predicted = parse_label(output.completion.text)
    gold = sample.metadata["label"]
    return {
        "correct": Score(
            name="correct",
            value=float(predicted == gold),
            label=predicted or "unparseable",
            explanation=f"gold {gold}",
        ),
        "parsed": Score(name="parsed", value=float(predicted is not None)),
    }


def macro_f1(gold: Sequence[str], predicted: Sequence[str | None]) -> float:
    scores = []
    for label in LABELS:
        tp = sum(1 for g, p in zip(gold, predicted, strict=True) if g == label and p == label)
        fp = sum(1 for g, p in zip(gold, predicted, strict=True) if g != label and p == label)
        fn = sum(1 for g, p in zip(gold, predicted, strict=True) if g == label and p != label)
        scores.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return sum(scores) / len(scores)


def macro_f1_row(
    gold: Sequence[str], predicted: Sequence[str | None], resamples: int = 1000
) -> dict[str, Any]:
    n = len(gold)
    if n == 0:
        return {
            "name": "macro_f1",
            "value": None,
            "ci_low": None,
            "ci_high": None,
            "n": 0,
            "dimension": DIMENSION,
            "risk_category": None,
            "customer_type": None,
            "direction": "higher_is_better",
        }
    rng = random.Random(0)
    values = []
    for _ in range(resamples):
        picks = [rng.randrange(n) for _ in range(n)]
        values.append(macro_f1([gold[i] for i in picks], [predicted[i] for i in picks]))
    values.sort()
    return {
        "name": "macro_f1",
        "value": macro_f1(gold, predicted),
        "ci_low": values[int(0.025 * (resamples - 1))],
        "ci_high": values[int(0.975 * (resamples - 1))],
        "n": n,
        "dimension": DIMENSION,
        "risk_category": None,
        "customer_type": None,
        "direction": "higher_is_better",
    }


def summarise_fever(samples: Sequence[EvalSample], attempts: Sequence[Attempt]) -> dict[str, Any]:
    done, errors = scored_attempts(samples, attempts, "correct")
    gold = [str(i.sample.metadata["label"]) for i in done]
    predicted = [i.attempt.scores["correct"].label for i in done]
    parsed = [None if p == "unparseable" else p for p in predicted]
    accuracy = metric_row(
        "accuracy", [i.flag("correct") for i in done], dimension=DIMENSION, direction="higher_is_better"
    )
    per_class = {
        label: metric_row(
            "class_accuracy",
            [i.flag("correct") for i in done if i.sample.metadata["label"] == label],
            dimension=DIMENSION,
            direction="higher_is_better",
            label=label,
        )
        for label in LABELS
    }
    unparseable = metric_row(
        "unparseable", [not i.flag("parsed") for i in done], dimension=DIMENSION, direction="lower_is_better"
    )
    f1 = macro_f1_row(gold, parsed)
    confusion = {
        g: {
            p: sum(1 for gg, pp in zip(gold, predicted, strict=True) if gg == g and pp == p)
            for p in (*LABELS, "unparseable")
        }
        for g in LABELS
    }
    return {
        "accuracy": accuracy,
        "macro_f1": f1,
        "per_class": per_class,
        "unparseable": unparseable,
        "confusion": confusion,
        "metrics": [accuracy, f1, *per_class.values(), unparseable],
        "errors": errors,
    }


@benchmark(
    "fever",
    description="FEVER claim verification: accuracy, per-class accuracy and macro-F1 (strict label parsing)",
    dimensions=(DIMENSION,),
    needs_data=True,
    hub=HUB_SOURCE.repo,
)
def fever_benchmark(options: BenchmarkOptions) -> Task:
    return Task(
        name="fever",
        version=1,
        samples=tuple(load_fever(options)),
        solver=generate,
        scorers=(score_fever,),
        summarise=summarise_fever,
        dimensions=(DIMENSION,),
        config=GenerateConfig(
            max_tokens=48 if options.quick else 96, temperature=0.0, seed=0, timeout_s=120.0
        ),
        description="FEVER claim verification accuracy",
    )
