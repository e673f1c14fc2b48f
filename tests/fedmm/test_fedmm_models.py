"""Fusion variants: forward and backward, masking, local training with and without FedProx's term."""

from __future__ import annotations

import pytest
import torch

from raikit.fedmm.models import FUSIONS, build_model
from raikit.fedmm.spec import make_spec
from raikit.fedmm.training import evaluate, new_model, prepare, train_local

DIMS = {"audio": 12, "image": 5}


@pytest.mark.parametrize("fusion", FUSIONS)
def test_forward_backward_reaches_every_encoder(fusion: str) -> None:
    torch.manual_seed(0)
    model = build_model(DIMS, 4, fusion, hidden=8)
    features = [torch.randn(6, 12), torch.randn(6, 5)]
    logits = model(features, torch.ones(6, 2))
    assert logits.shape == (6, 4)
    torch.nn.functional.cross_entropy(logits, torch.tensor([0, 1, 2, 3, 0, 1])).backward()
    grads = {name: p.grad for name, p in model.named_parameters()}
    assert all(g is not None and torch.isfinite(g).all() for g in grads.values())
    first_layers = [g for name, g in grads.items() if name.endswith("0.0.weight") or name == "net.0.0.weight"]
    assert first_layers and all(g.abs().sum() > 0 for g in first_layers)


@pytest.mark.parametrize("fusion", ["late", "attention"])
def test_missing_modality_features_are_ignored(fusion: str) -> None:
    torch.manual_seed(0)
    model = build_model(DIMS, 3, fusion, hidden=8).eval()
    audio = torch.randn(4, 12)
    mask = torch.tensor([[1.0, 0.0]] * 4)
    with torch.no_grad():
        one = model([audio, torch.randn(4, 5)], mask)
        two = model([audio, torch.randn(4, 5) * 100], mask)
    assert torch.allclose(one, two)


@pytest.mark.parametrize("fusion", FUSIONS)
def test_no_modality_at_all_gives_finite_logits(fusion: str) -> None:
    model = build_model(DIMS, 3, fusion, hidden=8).eval()
    with torch.no_grad():
        out = model([torch.zeros(2, 12), torch.zeros(2, 5)], torch.zeros(2, 2))
    assert torch.isfinite(out).all()


def test_unknown_fusion() -> None:
    with pytest.raises(ValueError, match="unknown fusion"):
        build_model(DIMS, 3, "mid")


def test_local_training_learns_and_proximal_term_anchors() -> None:
    spec = make_spec(dataset={"name": "synthetic"}, clients=2, alpha=100.0, local_epochs=3, fusion="early")
    prepared = prepare(spec)
    torch.manual_seed(0)
    start = new_model(spec, prepared.dataset)
    before, _ = evaluate(start, prepared.dataset.test)
    distances = {}
    for mu in (0.0, 50.0):
        model = new_model(spec, prepared.dataset)
        model.load_state_dict(start.state_dict())
        used, loss = train_local(model, prepared.clients[0], spec, proximal_mu=mu, round_seed=1)
        assert used == len(prepared.clients[0].split) and loss > 0
        distances[mu] = sum(
            float((p - q).detach().norm())
            for p, q in zip(model.parameters(), start.parameters(), strict=True)
        )
        if mu == 0.0:
            after, _ = evaluate(model, prepared.dataset.test)
            assert after > max(before + 0.2, 0.6)
    assert distances[50.0] < 0.5 * distances[0.0]


def test_semi_supervised_pseudo_labels_confident_unlabelled_samples() -> None:
    base = {
        "dataset": {"name": "synthetic"},
        "clients": 2,
        "alpha": 100.0,
        "fusion": "late",
        "local_epochs": 5,
    }
    supervised = make_spec(**base, corruption={"missing_labels": 0.5})
    semi = make_spec(**base, corruption={"missing_labels": 0.5, "semi_supervised": True})
    client = prepare(supervised).clients[0]
    assert prepare(semi).clients[0].label_mask.sum() == client.label_mask.sum()  # same draw
    torch.manual_seed(0)
    model = new_model(supervised, prepare(supervised).dataset)
    used, _ = train_local(model, client, supervised, proximal_mu=0.0, round_seed=0)
    assert used == client.label_mask.sum()  # unlabelled samples are dropped
    used, _ = train_local(model, prepare(semi).clients[0], semi, proximal_mu=0.0, round_seed=1)
    assert used > client.label_mask.sum()  # the trained model pseudo-labels confident ones
