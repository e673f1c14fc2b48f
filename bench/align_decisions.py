"""Does an aligned model decline the prompts it was taught to decline, and answer the others?
Writes bench/results/align_decisions.json.

``bench/align_probe.py`` asks how much of the refuse/benign distinction the *base* model's hidden
state carries. This script asks what a *trained* model does with it: each model answers, greedily
and briefly (``--tokens``), the suites' train items, a sample of the corpus prompts it was trained
on, and the held-out items, and the refusal judge reads the answers. Where a model declines well
under all of its train refuse items, or declines many of its train benign ones, it has not fitted
its own training decisions: more or better-weighted training can still help, whatever the
representation allows. As a reference for what the same train items support, a logistic probe on
the guard encoder's multilingual embeddings (fitted on the train items, scored on the held-out
ones) gives the true-positive rate at the target's 5% false-positive rate.

    .venv/bin/python bench/align_decisions.py --model sft2ep=/tmp/alignwork/.../sft [--model ...]

Results merge into the JSON by model label, so models can be measured one at a time.
"""

from __future__ import annotations

import argparse
import json
import random
import time
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from align_probe import decision_items, separation

from raikit.align.base import generate_batch, load_model
from raikit.core.files import write_text_atomic
from raikit.evals.dataset import Sample
from raikit.evals.judges.refusal import RefusalJudge

RESULT = Path(__file__).resolve().parent / "results" / "align_decisions.json"
DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def decline_rates(refused: list[bool], items: list[Sample]) -> dict[str, Any]:
    """Share of refuse items declined (true positives) and of comply items declined (false)."""
    labels = np.array([s.expect == "refuse" for s in items])
    verdicts = np.array(refused)
    return {
        "declined_refuse_items": round(float(verdicts[labels].mean()), 3),
        "declined_benign_items": round(float(verdicts[~labels].mean()), 3),
        "n_refuse": int(labels.sum()),
        "n_benign": int((~labels).sum()),
    }


def model_decisions(
    tokenizer: Any, model: Any, sets: dict[str, list[Sample]], tokens: int, batch: int
) -> dict[str, Any]:
    judge = RefusalJudge()
    out: dict[str, Any] = {}
    for name, items in sets.items():
        refused: list[bool] = []
        for start in range(0, len(items), batch):
            chats = [[m.model_dump() for m in s.messages()] for s in items[start : start + batch]]
            answers = generate_batch(tokenizer, model, chats, max_new_tokens=tokens)
            refused += [judge.judge(a[0]).refusal for a in answers]
        out[name] = decline_rates(refused, items)
    return out


def first_token(tokenizer: Any, model: Any, items: list[Sample], batch: int) -> dict[str, Any]:
    """Greedy decoding's first step on the held-out items: the probability of the style guide's
    refusal openings against the likeliest other token. A refusal opens with one token while answers
    open with many, so greedy decoding declines whenever the refusal opening beats the best answer
    token, well below a probability of 0.5."""
    import torch

    from raikit.align.base import prompt_text
    from raikit.align.style import load_style_guide

    openings = sorted(
        {tokenizer(o, add_special_tokens=False)["input_ids"][0] for o in load_style_guide().openings.values()}
    )
    refuse_p: list[float] = []
    other_p: list[float] = []
    for start in range(0, len(items), batch):
        texts = [
            prompt_text(tokenizer, [m.model_dump() for m in s.messages()])
            for s in items[start : start + batch]
        ]
        encoded = tokenizer(texts, return_tensors="pt", padding=True, add_special_tokens=False)
        with torch.no_grad():
            probs = model(**encoded, logits_to_keep=1).logits[:, -1].float().softmax(-1)
        refuse_p += probs[:, openings].sum(-1).tolist()
        probs[:, openings] = 0
        other_p += probs.max(-1).values.tolist()
    labels = np.array([s.expect == "refuse" for s in items])
    p_refuse, p_other = np.array(refuse_p), np.array(other_p)
    greedy = p_refuse > p_other
    declined_benign = ~labels & greedy
    return {
        "greedy_declines_refuse_items": round(float(greedy[labels].mean()), 3),
        "greedy_declines_benign_items": round(float(greedy[~labels].mean()), 3),
        "declined_benign_median_p_refusal_opening": round(float(np.median(p_refuse[declined_benign])), 3)
        if declined_benign.any()
        else None,
        "declined_benign_median_p_best_other_token": round(float(np.median(p_other[declined_benign])), 3)
        if declined_benign.any()
        else None,
        "p_refusal_opening_over_half": {
            "refuse_items": round(float((p_refuse[labels] > 0.5).mean()), 3),
            "benign_items": round(float((p_refuse[~labels] > 0.5).mean()), 3),
        },
    }


def encoder_probe(train: list[Sample], test: list[Sample]) -> dict[str, Any]:
    """Logistic regression on the guard encoder's embeddings: train items in, held-out items scored."""
    from sklearn.linear_model import LogisticRegression

    from raikit.guard.resources import Encoder

    encoder = Encoder()

    def embed(items: list[Sample]) -> npt.NDArray[np.float32]:
        return np.asarray(encoder.encode([s.prompt for s in items]))

    y_train = np.array([s.expect == "refuse" for s in train])
    y_test = np.array([s.expect == "refuse" for s in test])
    probe = LogisticRegression(C=0.3, max_iter=3000, class_weight="balanced")
    scores = probe.fit(embed(train), y_train).predict_proba(embed(test))[:, 1]
    return {**separation(y_test, scores), "C": 0.3}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", action="append", default=[], help="LABEL=FOLDER (repeatable)")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--corpus-harmful", type=int, default=300)
    parser.add_argument("--corpus-benign", type=int, default=800)
    parser.add_argument("--corpus-sample", type=int, default=200, help="corpus train prompts asked")
    parser.add_argument("--tokens", type=int, default=16)
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--no-probe", action="store_true", help="skip the encoder probe")
    parser.add_argument("--out", type=Path, default=RESULT)
    args = parser.parse_args()
    models = dict(spec.split("=", 1) for spec in args.model)
    if any(not Path(folder).is_dir() for folder in models.values()):
        parser.error("every --model needs LABEL=FOLDER with an existing folder")

    import torch

    torch.set_num_threads(args.threads)
    suite_train, corpus, held_out = decision_items(args.data, args.corpus_harmful, args.corpus_benign)
    sets = {
        "suite_train": suite_train,
        "corpus_train_sample": random.Random(0).sample(corpus, min(args.corpus_sample, len(corpus))),
        "held_out": held_out,
    }
    result: dict[str, Any] = json.loads(args.out.read_text()) if args.out.is_file() else {}
    result["settings"] = {"tokens": args.tokens, "corpus_sample": args.corpus_sample, "seed": 0}
    if not args.no_probe:
        result["encoder_probe"] = encoder_probe(suite_train + corpus, held_out)
        save(args.out, result)
    for label, folder in models.items():
        started = time.monotonic()
        tokenizer, model = load_model(Path(folder), "cpu")
        entry = model_decisions(tokenizer, model, sets, args.tokens, args.batch)
        entry["first_token_held_out"] = first_token(tokenizer, model, held_out, args.batch)
        entry["folder"] = folder
        entry["seconds"] = round(time.monotonic() - started, 1)
        result.setdefault("models", {})[label] = entry
        save(args.out, result)  # after each model: a long run keeps what it has measured
        print(json.dumps({label: entry}), flush=True)


def save(path: Path, result: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomic(path, json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
