"""What happens on a client and in the server's evaluation: data preparation, local training, accuracy.

Client data is a pure function of the experiment spec: the Dirichlet partition, then the corruptions
of :mod:`raikit.fedmm.corruptions`, all seeded by the spec. Each process (a Ray actor running Flower
clients, or the server) prepares it once per spec and keeps it in a small per-process cache.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import torch
from torch import Tensor, nn

from raikit.fedmm.corruptions import ClientData, clients_missing_a_modality, corrupt_client
from raikit.fedmm.data import MultimodalDataset, MultimodalSplit, dirichlet_partition, load_dataset_cached
from raikit.fedmm.errors import FedMMConfigError
from raikit.fedmm.models import build_model
from raikit.fedmm.spec import ExperimentSpec


@dataclass(frozen=True)
class PreparedData:
    """The dataset restricted to the spec's modalities, and every client's corrupted training data."""

    dataset: MultimodalDataset
    clients: tuple[ClientData, ...]


def select_modalities(dataset: MultimodalDataset, modalities: tuple[str, ...] | None) -> MultimodalDataset:
    if modalities is None:
        return dataset
    unknown = sorted(set(modalities) - set(dataset.modalities))
    if unknown:
        raise FedMMConfigError(
            f"dataset {dataset.name!r} has no modality {', '.join(unknown)}; "
            f"it has {', '.join(dataset.modalities)}"
        )

    def keep(split: MultimodalSplit) -> MultimodalSplit:
        return MultimodalSplit({m: split.features[m] for m in modalities}, split.labels)

    return MultimodalDataset(dataset.name, keep(dataset.train), keep(dataset.test), dataset.n_classes)


def prepare(spec: ExperimentSpec) -> PreparedData:
    """Partition and corrupt the training data of every client of ``spec`` (deterministic)."""
    dataset = select_modalities(load_dataset_cached(spec.dataset), spec.modalities)
    if spec.corruption.missing_modality > 0 and len(dataset.modalities) < 2:
        raise FedMMConfigError("a missing-modality rate needs at least two modalities")
    rng = np.random.default_rng([spec.seed, 0xDA7A])
    parts = dirichlet_partition(dataset.train.labels, spec.clients, spec.alpha, rng)
    dropping = (
        clients_missing_a_modality(spec.clients, spec.corruption.missing_modality, rng)
        if spec.corruption.missing_modality_mode == "client"
        else set()
    )
    clients = tuple(
        corrupt_client(
            dataset.train.subset(idx),
            spec.corruption,
            n_classes=dataset.n_classes,
            client_id=cid,
            client_drops_modality=cid in dropping,
            seed=spec.seed,
        )
        for cid, idx in enumerate(parts)
    )
    return PreparedData(dataset, clients)


@functools.lru_cache(maxsize=8)
def _prepare_by_key(data_key: str) -> PreparedData:
    return prepare(ExperimentSpec.model_validate_json(data_key))


def prepare_cached(spec: ExperimentSpec) -> PreparedData:
    """:func:`prepare`, memoised per process on the fields that decide the data."""
    return _prepare_by_key(spec.data_key())


def new_model(spec: ExperimentSpec, dataset: MultimodalDataset) -> nn.Module:
    return build_model(dataset.input_dims(), dataset.n_classes, spec.fusion, hidden=spec.hidden)


def _tensors(split: MultimodalSplit, mask: np.ndarray | None = None) -> tuple[list[Tensor], Tensor]:
    features = [torch.from_numpy(split.features[m]) for m in split.features]
    if mask is None:
        mask = np.ones((len(split), len(features)), dtype=np.float32)
    return features, torch.from_numpy(mask.astype(np.float32))


def evaluate(model: nn.Module, split: MultimodalSplit) -> tuple[float, float]:
    """Accuracy and mean cross-entropy of ``model`` on a clean split (all modalities present)."""
    features, mask = _tensors(split)
    labels = torch.from_numpy(split.labels)
    model.eval()
    with torch.no_grad():
        logits = model(features, mask)
        loss = float(nn.functional.cross_entropy(logits, labels))
        accuracy = float((logits.argmax(dim=1) == labels).float().mean())
    return accuracy, loss


def _training_targets(
    model: nn.Module, data: ClientData, threshold: float, semi_supervised: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Indices and labels to train on: labelled samples, plus confident pseudo-labels when asked."""
    labelled = np.flatnonzero(data.label_mask)
    targets = data.labels.copy()
    if not semi_supervised or labelled.size == data.label_mask.size:
        return labelled, targets
    unlabelled = np.flatnonzero(~data.label_mask)
    features, mask = _tensors(data.split.subset(unlabelled), data.modality_mask[unlabelled])
    model.eval()
    with torch.no_grad():
        probs = torch.softmax(model(features, mask), dim=1)
    confidence, guess = probs.max(dim=1)
    keep = confidence.numpy() >= threshold
    targets[unlabelled[keep]] = guess.numpy()[keep]
    return np.sort(np.concatenate([labelled, unlabelled[keep]])), targets


def train_local(
    model: nn.Module, data: ClientData, spec: ExperimentSpec, *, proximal_mu: float, round_seed: int
) -> tuple[int, float]:
    """Train ``model`` in place on one client's data; return the samples used and the mean loss.

    ``proximal_mu > 0`` adds FedProx's proximal term towards the weights the model started from.
    """
    use, targets = _training_targets(
        model, data, spec.pseudo_label_threshold, spec.corruption.semi_supervised
    )
    if use.size == 0:
        return 0, 0.0
    features, mask = _tensors(data.split.subset(use), data.modality_mask[use])
    labels = torch.from_numpy(targets[use])
    anchor = [p.detach().clone() for p in model.parameters()]
    optimiser = torch.optim.SGD(model.parameters(), lr=spec.lr, momentum=0.9)
    generator = torch.Generator().manual_seed(round_seed)
    model.train()
    total, batches = 0.0, 0
    for _ in range(spec.local_epochs):
        order = torch.randperm(use.size, generator=generator)
        for start in range(0, use.size, spec.batch_size):
            batch = order[start : start + spec.batch_size]
            loss = nn.functional.cross_entropy(
                model([f[batch] for f in features], mask[batch]), labels[batch]
            )
            if proximal_mu > 0:
                loss = loss + proximal_mu / 2 * sum(
                    ((p - a) ** 2).sum() for p, a in zip(model.parameters(), anchor, strict=True)
                )
            optimiser.zero_grad()
            loss.backward()  # type: ignore[no-untyped-call]
            optimiser.step()
            total, batches = total + float(loss.detach()), batches + 1
    return int(use.size), total / max(batches, 1)
