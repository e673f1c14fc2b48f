"""The RAI reward model: how acceptable a response is, per RAI dimension, for a prompt.

Features of a (prompt, response) pair, from the multilingual sentence encoder the guard uses:
the response embedding, its element-wise product with the prompt embedding, the prompt
embedding gated by whether the response is a refusal (and by whether it is not), and the
refusal judge's score. The gating lets a linear head learn the thing that matters most here:
a refusal is good after a harmful prompt and bad after a benign one.

One logistic head per RAI dimension is fitted on the rows of that dimension (preference pairs:
chosen = acceptable, rejected = not; human-labelled rows from ToxiGen and INVITE), with a
general head over all rows for dimensions with too few rows of either class. Saved as
``reward.npz`` + ``reward.json``; :meth:`RewardModel.validate` reports agreement with held-out
labels (accuracy, ROC AUC) and with held-out pairs (chosen scored above rejected).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from raikit.align.data import PreferencePair
from raikit.align.errors import AlignDataError
from raikit.align.labelled import LabelledRow, RewardExample
from raikit.core.taxonomy import DIMENSION_IDS
from raikit.evals.judges.refusal import RefusalJudge

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from raikit.guard.resources import Encoder

    Matrix = npt.NDArray[np.float64]

GENERAL = "general"
MIN_PER_CLASS = 40
"""A dimension gets its own head only with this many rows of each class; else the general head."""


def pair_examples(pairs: Sequence[PreferencePair]) -> list[RewardExample]:
    """Each pair as two labelled examples: chosen acceptable, rejected not."""
    rows = []
    for p in pairs:
        prompt = "\n".join(t.content for t in p.prompt if t.role == "user")
        for turns, ok in ((p.chosen, True), (p.rejected, False)):
            rows.append(
                RewardExample(
                    prompt=prompt,
                    response=turns[-1].content,
                    acceptable=ok,
                    dimension=p.dimension,
                    source=p.source,
                )
            )
    return rows


def labelled_examples(rows: Sequence[LabelledRow]) -> list[RewardExample]:
    return [RewardExample.model_validate(r.model_dump(exclude={"split"})) for r in rows]


class RewardModel:
    """Per-dimension logistic heads on sentence-encoder features of (prompt, response)."""

    def __init__(self, heads: dict[str, tuple[Matrix, float]], meta: dict[str, Any] | None = None) -> None:
        self.heads = heads
        self.meta = meta or {}
        self._encoder: Encoder | None = None
        self._judge = RefusalJudge()

    # -- features ------------------------------------------------------------------------------
    def encoder(self) -> Encoder:
        if self._encoder is None:
            from raikit.guard.resources import Resources

            self._encoder = Resources().encoder
        return self._encoder

    def features(self, prompts: Sequence[str], responses: Sequence[str]) -> Matrix:
        import numpy as np

        encoder = self.encoder()
        e_p = encoder.encode([p or " " for p in prompts]).astype(np.float64)
        e_r = encoder.encode([r or " " for r in responses]).astype(np.float64)
        has_prompt = np.array([[1.0 if p.strip() else 0.0] for p in prompts])
        verdicts = [self._judge.judge(r) for r in responses]
        refusal = np.array([[v.score if v.refusal else 0.0] for v in verdicts])
        e_p = e_p * has_prompt
        return np.hstack([e_r, e_p * e_r * 8.0, e_p * refusal, e_p * (1.0 - refusal), refusal, has_prompt])

    # -- training ------------------------------------------------------------------------------
    @classmethod
    def fit(cls, examples: Sequence[RewardExample], *, c: float = 1.0, seed: int = 0) -> RewardModel:
        import numpy as np
        from sklearn.linear_model import LogisticRegression

        if not examples:
            raise AlignDataError("the reward model needs training examples")
        model = cls({})
        x = model.features([e.prompt for e in examples], [e.response for e in examples])
        y = np.array([1 if e.acceptable else 0 for e in examples])
        dims = np.array([e.dimension for e in examples])
        counts: dict[str, int] = {}
        for name, mask in [(GENERAL, np.ones(len(y), dtype=bool))] + [(d, dims == d) for d in DIMENSION_IDS]:
            labels = y[mask]
            if min(int(labels.sum()), int((1 - labels).sum())) < MIN_PER_CLASS:
                continue
            head = LogisticRegression(C=c, max_iter=2000, class_weight="balanced", random_state=seed)
            head.fit(x[mask], labels)
            model.heads[name] = (head.coef_[0].astype(np.float64), float(head.intercept_[0]))
            counts[name] = int(mask.sum())
        if GENERAL not in model.heads:
            raise AlignDataError("the reward model needs acceptable and unacceptable examples")
        sources: dict[str, int] = {}
        for e in examples:
            sources[e.source] = sources.get(e.source, 0) + 1
        model.meta = {"rows_per_head": counts, "sources": sources, "c": c}
        return model

    # -- scoring -------------------------------------------------------------------------------
    def _apply(self, head: str, x: Matrix) -> Matrix:
        import numpy as np

        weights, bias = self.heads[head] if head in self.heads else self.heads[GENERAL]
        result: Matrix = 1.0 / (1.0 + np.exp(-(x @ weights + bias)))
        return result

    def score_dimension(
        self, dimension: str, prompts: Sequence[str], responses: Sequence[str]
    ) -> list[float]:
        """P(acceptable) on ``dimension`` for each (prompt, response)."""
        if not prompts:
            return []
        return [float(v) for v in self._apply(dimension, self.features(prompts, responses))]

    def score(self, prompt: str, response: str) -> dict[str, float]:
        """P(acceptable) for every RAI dimension, and ``overall`` (the lowest of them)."""
        x = self.features([prompt], [response])
        scores = {d: float(self._apply(d, x)[0]) for d in DIMENSION_IDS}
        scores["overall"] = min(scores.values())
        return scores

    # -- validation ----------------------------------------------------------------------------
    def validate(self, labelled: Sequence[RewardExample], pairs: Sequence[PreferencePair]) -> dict[str, Any]:
        """Agreement with held-out labels per source, and with held-out preference pairs."""
        from sklearn.metrics import roc_auc_score

        report: dict[str, Any] = {}
        for source in sorted({e.source for e in labelled}):
            rows = [e for e in labelled if e.source == source]
            probs: list[float] = []
            for dim in sorted({e.dimension for e in rows}):
                part = [e for e in rows if e.dimension == dim]
                probs += self.score_dimension(dim, [e.prompt for e in part], [e.response for e in part])
            ordered = [e for dim in sorted({e.dimension for e in rows}) for e in rows if e.dimension == dim]
            truth = [1 if e.acceptable else 0 for e in ordered]
            agree = sum(1 for p, t in zip(probs, truth, strict=True) if (p >= 0.5) == bool(t))
            report[source] = {
                "n": len(truth),
                "accuracy": round(agree / len(truth), 4),
                "roc_auc": round(float(roc_auc_score(truth, probs)), 4)
                if 0 < sum(truth) < len(truth)
                else None,
            }
        if pairs:
            wins = 0
            for p in pairs:
                prompt = "\n".join(t.content for t in p.prompt if t.role == "user")
                chosen, rejected = self.score_dimension(
                    p.dimension, [prompt, prompt], [p.chosen[-1].content, p.rejected[-1].content]
                )
                wins += chosen > rejected
            report["pairs"] = {"n": len(pairs), "pairwise_agreement": round(wins / len(pairs), 4)}
        return report

    # -- persistence ---------------------------------------------------------------------------
    def save(self, folder: str | Path) -> Path:
        import numpy as np

        target = Path(folder)
        target.mkdir(parents=True, exist_ok=True)
        arrays: dict[str, Any] = {f"{k}__w": w for k, (w, _) in self.heads.items()}
        np.savez(target / "reward.npz", **arrays)
        meta = {**self.meta, "biases": {k: b for k, (_, b) in self.heads.items()}}
        (target / "reward.json").write_text(json.dumps(meta, indent=2), encoding="utf-8")
        return target

    @classmethod
    def load(cls, folder: str | Path) -> RewardModel:
        import numpy as np

        source = Path(folder)
        if not (source / "reward.npz").is_file() or not (source / "reward.json").is_file():
            raise AlignDataError(f"no reward model in {source} (reward.npz and reward.json)")
        meta = json.loads((source / "reward.json").read_text(encoding="utf-8"))
        biases = meta.pop("biases")
        with np.load(source / "reward.npz") as arrays:
            heads = {k: (arrays[f"{k}__w"].astype(np.float64), float(b)) for k, b in biases.items()}
        return cls(heads, meta)


def train_reward(
    pairs: Sequence[PreferencePair], out: str | Path, *, data_dir: Path | None = None, val_share: float = 0.2
) -> dict[str, Any]:
    """Fit the reward model on pairs (less a held-out share) and labelled data; save it and its report."""
    from raikit.align.labelled import labelled_rows
    from raikit.guard.training.data import stable_fraction

    held = [p for p in pairs if stable_fraction(p.id, "align-reward") < val_share]
    kept = [p for p in pairs if stable_fraction(p.id, "align-reward") >= val_share]
    rows = labelled_rows(data_dir) if data_dir is not None and data_dir.is_dir() else []
    model = RewardModel.fit(pair_examples(kept) + labelled_examples([r for r in rows if r.split == "train"]))
    report = {
        "train": model.meta,
        "validation": model.validate(labelled_examples([r for r in rows if r.split == "val"]), held),
    }
    model.meta["validation"] = report["validation"]
    model.save(out)
    (Path(out) / "report.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
    return report
