"""Strategy mapping onto Flower's strategies, the sweep grid, and the summary's verdicts."""

from __future__ import annotations

import pytest

from raikit.fedmm.errors import FedMMConfigError
from raikit.fedmm.spec import ExperimentResult, make_spec
from raikit.fedmm.sweep import SweepOutcome, baseline_items, expand, make_sweep_config

BASE = {"dataset": {"name": "synthetic"}, "clients": 3, "rounds": 2}


def test_strategies_are_flowers() -> None:
    from flwr.serverapp.strategy import FedAdam, FedAvg, FedProx, FedYogi

    from raikit.fedmm.strategies import build_strategy

    def build(**kw: object):
        return build_strategy(make_spec(**BASE, **kw))

    fedavg, fedprox = build(strategy="fedavg"), build(strategy="fedprox", proximal_mu=0.3)
    adam, yogi = build(strategy="fedopt", server_lr=0.02), build(strategy="fedopt", fedopt_variant="yogi")
    assert type(fedavg) is FedAvg and type(fedprox) is FedProx and fedprox.proximal_mu == 0.3
    assert type(adam) is FedAdam and adam.eta == 0.02 and type(yogi) is FedYogi
    assert fedavg.min_available_nodes == 3 and fedavg.fraction_evaluate == 0.0


def test_grid_shares_clean_runs_and_covers_every_cell() -> None:
    config = make_sweep_config(base=make_spec(**BASE), fusions=("attention", "late"))
    items = expand(config)
    strategy_items = [i for i in items if i.study == "strategy"]
    # 3 strategies x 3 seeds x (1 shared clean run + 4 corruption types x 4 non-zero rates)
    assert len(strategy_items) == 3 * 3 * (1 + 4 * 4)
    assert len([i for i in items if i.study == "fusion"]) == 3 * (1 + 4 * 4)
    assert len({i.item_id for i in items}) == len(items) == len({i.spec for i in items})
    combined = next(i for i in items if i.corruption == "combined" and i.rate == 0.6)
    c = combined.spec.corruption
    assert (c.missing_modality, c.missing_labels, c.label_noise) == (0.6, 0.6, 0.6)
    noise = next(i for i in items if i.corruption == "label-noise" and i.rate == 0.2)
    assert (noise.spec.corruption.missing_labels, noise.spec.corruption.label_noise) == (0.0, 0.2)
    baselines = baseline_items(config, ("a", "b"))
    assert {i.spec.modalities for i in baselines} == {("a",), ("b",)} and len(baselines) == 6


@pytest.mark.parametrize(
    "bad", [{"rates": (0.0, 1.5)}, {"seeds": ()}, {"strategies": ("fedavg", "fedavg")}, {"fusions": ("mid",)}]
)
def test_bad_sweep_config(bad: dict[str, object]) -> None:
    with pytest.raises(FedMMConfigError, match="invalid sweep"):
        make_sweep_config(base=make_spec(**BASE), **bad)


def test_summary_names_least_degrading_strategy_and_checks_modality_baselines() -> None:
    from raikit.fedmm.report import render_sweep_markdown, summarize_sweep

    config = make_sweep_config(
        base=make_spec(**BASE),
        strategies=("fedavg", "fedprox"),
        corruptions=("label-noise",),
        rates=(0.0, 0.5),
        seeds=(0,),
    )
    items = expand(config) + baseline_items(config, ("a", "b"))
    accuracy = {
        "strategy/fedavg/attention/all/clean/0/seed0": 0.9,
        "strategy/fedavg/attention/all/label-noise/0.5/seed0": 0.5,  # loses 40 points
        "strategy/fedprox/attention/all/clean/0/seed0": 0.8,
        "strategy/fedprox/attention/all/label-noise/0.5/seed0": 0.7,  # loses 10 points
        "baseline/fedavg/a/seed0": 0.6,
        "baseline/fedavg/b/seed0": 0.85,
    }
    results = {
        i.item_id: ExperimentResult(
            spec=i.spec, accuracy=accuracy[i.item_id], accuracy_by_round=[], loss=0, wall_s=1
        )
        for i in items
    }
    summary = summarize_sweep(SweepOutcome(config, items, results, 1.0, len(items)))
    assert summary["least_degradation"]["strategy"] == "fedprox"
    drops = summary["strategy_curves"]["degradation"]
    assert drops["fedavg"]["label-noise"] == pytest.approx(0.4) and drops["fedprox"]["mean"] == pytest.approx(
        0.1
    )
    baselines = summary["modality_baselines"]
    assert baselines["best_single"] == "b" and baselines["fused_beats_best_single"] is True
    assert "**fedprox**" in render_sweep_markdown(summary)
