"""The federated algorithms, each one of Flower's message-based strategies (``flwr.serverapp.strategy``).

- ``fedavg``: FedAvg (McMahan et al., 2017).
- ``fedprox``: FedProx (Li et al., 2020); Flower sends ``proximal-mu`` to the clients, which add
  ``mu / 2 * ||w - w_global||^2`` to their loss (see :mod:`raikit.fedmm.training`).
- ``fedopt``: FedAdam or FedYogi (Reddi et al., 2021): server-side adaptive optimisation of the
  averaged client update, with server learning rate ``server_lr``.

Every client takes part in every round; evaluation is centralised on the server (clean test split),
so the client-side evaluation round is switched off.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from raikit.fedmm.spec import ExperimentSpec

if TYPE_CHECKING:
    from flwr.app import MetricRecord, RecordDict
    from flwr.serverapp.strategy import Strategy

    MetricsAggregator = Callable[[list[RecordDict], str], MetricRecord]


def _fedavg(spec: ExperimentSpec, common: dict[str, Any]) -> Strategy:
    from flwr.serverapp.strategy import FedAvg

    return FedAvg(**common)


def _fedprox(spec: ExperimentSpec, common: dict[str, Any]) -> Strategy:
    from flwr.serverapp.strategy import FedProx

    return FedProx(**common, proximal_mu=spec.proximal_mu)


def _fedopt(spec: ExperimentSpec, common: dict[str, Any]) -> Strategy:
    from flwr.serverapp.strategy import FedAdam, FedYogi

    optimiser = FedAdam if spec.fedopt_variant == "adam" else FedYogi
    return optimiser(**common, eta=spec.server_lr, eta_l=spec.lr)


STRATEGY_BUILDERS: dict[str, Callable[[ExperimentSpec, dict[str, Any]], Strategy]] = {
    "fedavg": _fedavg,
    "fedprox": _fedprox,
    "fedopt": _fedopt,
}


def build_strategy(
    spec: ExperimentSpec, *, train_metrics_aggr_fn: MetricsAggregator | None = None
) -> Strategy:
    """The Flower strategy for ``spec.strategy`` (the spec's validation already rejected unknown names).

    ``train_metrics_aggr_fn`` replaces Flower's weighted average of the clients' training metrics.
    """
    n = spec.clients
    common: dict[str, Any] = {
        "fraction_evaluate": 0.0,
        "min_train_nodes": n,
        "min_available_nodes": n,
        "train_metrics_aggr_fn": train_metrics_aggr_fn,
    }
    return STRATEGY_BUILDERS[spec.strategy](spec, common)
