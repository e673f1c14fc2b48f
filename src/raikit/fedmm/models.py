"""Small multimodal classifiers on CPU torch: per-modality encoders and early, late or attention fusion.

Every model takes ``features`` (one ``(batch, dim)`` tensor per modality, zeros where missing) and
``mask`` (``(batch, n_modalities)``, 1 where the modality is present) and returns class logits.

- ``early``: fusion at the input. The masked features of all modalities and the mask bits are
  concatenated and go through one shared MLP.
- ``late``: fusion at the decision. Each modality has its own encoder and classifier; the logits of
  the modalities present are averaged.
- ``attention``: fusion of embeddings. Each modality is encoded to a common width; a learned score
  per embedding, softmax-normalised over the modalities present, gates each embedding before they are
  concatenated and classified (a missing modality gets weight 0 and the others are scaled up).

This module imports torch at the top: import it lazily, from code that already needs torch.
"""

from __future__ import annotations

from typing import Literal, get_args

import torch
from torch import Tensor, nn

Fusion = Literal["early", "late", "attention"]
FUSIONS: tuple[str, ...] = get_args(Fusion)


def _mlp(in_dim: int, hidden: int, out_dim: int, dropout: float) -> nn.Sequential:
    return nn.Sequential(
        nn.Linear(in_dim, hidden), nn.ReLU(), nn.Dropout(dropout), nn.Linear(hidden, out_dim)
    )


class EarlyFusion(nn.Module):
    def __init__(self, input_dims: dict[str, int], n_classes: int, hidden: int, dropout: float) -> None:
        super().__init__()
        width = sum(input_dims.values()) + len(input_dims)
        self.net = nn.Sequential(
            _mlp(width, hidden, hidden, dropout), nn.ReLU(), nn.Linear(hidden, n_classes)
        )

    def forward(self, features: list[Tensor], mask: Tensor) -> Tensor:
        return self.net(torch.cat([*features, mask], dim=1))  # type: ignore[no-any-return]


class LateFusion(nn.Module):
    def __init__(self, input_dims: dict[str, int], n_classes: int, hidden: int, dropout: float) -> None:
        super().__init__()
        self.heads = nn.ModuleList(
            nn.Sequential(_mlp(dim, hidden, hidden, dropout), nn.ReLU(), nn.Linear(hidden, n_classes))
            for dim in input_dims.values()
        )

    def forward(self, features: list[Tensor], mask: Tensor) -> Tensor:
        logits = torch.stack([head(x) for head, x in zip(self.heads, features, strict=True)], dim=1)
        weights = mask.unsqueeze(-1)
        return (logits * weights).sum(dim=1) / weights.sum(dim=1).clamp(min=1.0)


class AttentionFusion(nn.Module):
    def __init__(self, input_dims: dict[str, int], n_classes: int, hidden: int, dropout: float) -> None:
        super().__init__()
        self.encoders = nn.ModuleList(
            nn.Sequential(_mlp(dim, hidden, hidden, dropout), nn.ReLU()) for dim in input_dims.values()
        )
        self.score = nn.Linear(hidden, 1)
        self.classifier = nn.Linear(hidden * len(input_dims), n_classes)

    def forward(self, features: list[Tensor], mask: Tensor) -> Tensor:
        embeddings = torch.stack([enc(x) for enc, x in zip(self.encoders, features, strict=True)], dim=1)
        scores = self.score(embeddings).squeeze(-1).masked_fill(mask <= 0, float("-inf"))
        # A sample with no modality at all gets uniform weights over zero embeddings, not NaNs.
        scores = torch.where(mask.sum(dim=1, keepdim=True) > 0, scores, torch.zeros_like(scores))
        # Weights sum to the number of modalities, so a sample with all of them sees unit gates.
        weights = torch.softmax(scores, dim=1).unsqueeze(-1) * embeddings.shape[1]
        return self.classifier((weights * embeddings).flatten(start_dim=1))  # type: ignore[no-any-return]


_FUSION_MODELS: dict[str, type[nn.Module]] = {
    "early": EarlyFusion,
    "late": LateFusion,
    "attention": AttentionFusion,
}


def build_model(
    input_dims: dict[str, int], n_classes: int, fusion: str, *, hidden: int = 64, dropout: float = 0.1
) -> nn.Module:
    """A classifier over the modalities in ``input_dims`` (in that order) with the given fusion."""
    try:
        model_type = _FUSION_MODELS[fusion]
    except KeyError:
        raise ValueError(f"unknown fusion {fusion!r}; valid: {', '.join(FUSIONS)}") from None
    return model_type(input_dims, n_classes, hidden, dropout)
