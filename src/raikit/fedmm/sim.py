"""Run federated experiments on Flower's simulation engine.

One call of :func:`run_experiments` is one Flower simulation (``flwr.simulation.run_simulation``, a
``ServerApp`` and a ``ClientApp`` on the Ray backend, Flower's only simulation backend in 1.41).
Its ``ServerApp`` runs the experiments one after the other, each a complete Flower strategy run
(``Strategy.start``) with fresh initial weights and its own clients' data, so the cost of starting
Ray and the client actors (tens of seconds on 2 cores) is paid once per batch, not per experiment.
Experiments with different client counts need different simulations and are run as separate batches.

Executors: ``local`` starts a private Ray instance on this machine sized to ``num_cpus`` and shuts it
down afterwards (Flower has no in-process backend); ``ray`` joins an existing Ray cluster
(``ray_address``, default ``auto``: ``$RAY_ADDRESS`` or the cluster started with ``ray start``), whose
nodes need raikit installed, and spreads the client actors over it.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field

from raikit.fedmm.errors import FedMMSimulationError
from raikit.fedmm.spec import ExperimentResult, ExperimentSpec

if TYPE_CHECKING:
    from flwr.app import Context, Message, MetricRecord, RecordDict
    from flwr.clientapp import ClientApp
    from flwr.serverapp import Grid, ServerApp

Executor = Literal["local", "ray"]
OnResult = Callable[[ExperimentResult], None]
OnRound = Callable[[ExperimentSpec, int, float], None]
PULL_INTERVAL_S = 0.01  # how often the server polls for client replies (Flower's grid: 0.1 s)


class SimulationSettings(BaseModel):
    """Where the simulated clients run."""

    model_config = ConfigDict(frozen=True)

    executor: Executor = "local"
    ray_address: str | None = None
    num_cpus: int | None = Field(default=None, ge=1)  # local executor: CPUs of the private Ray instance
    client_cpus: float = Field(default=1.0, gt=0)  # CPUs reserved per client actor
    round_timeout_s: float = Field(default=600.0, gt=0)
    verbose: bool = False

    def backend_config(self) -> dict[str, dict[str, object]]:
        if self.executor == "ray":
            init_args: dict[str, object] = {"address": self.ray_address or "auto"}
        else:
            # Ray starts its workers at niceness 15; at that priority the client actors starve behind any
            # other job on the machine while the server (niceness 0) waits for them.
            init_args = {
                "address": "local",
                "num_cpus": self.num_cpus or os.cpu_count() or 1,
                "_system_config": {"worker_niceness": 0},
            }
        init_args |= {
            "include_dashboard": False,
            "log_to_driver": self.verbose,
            "logging_level": logging.WARNING,
        }
        return {"client_resources": {"num_cpus": self.client_cpus, "num_gpus": 0.0}, "init_args": init_args}


@dataclass
class _Batch:
    specs: Sequence[ExperimentSpec]
    settings: SimulationSettings
    on_result: OnResult | None
    on_round: OnRound | None
    results: list[ExperimentResult] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)


def _number(value: object) -> float:
    """A number from a Flower record (typed there as a union of every record value type)."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise TypeError(f"expected a number in the Flower message, got {value!r}")
    return float(value)


def _client_train(msg: Message, context: Context) -> Message:
    """Flower ``ClientApp`` train handler: local training on this client's corrupted data."""
    import torch
    from flwr.app import ArrayRecord, Message, MetricRecord, RecordDict

    from raikit.fedmm.training import new_model, prepare_cached, train_local

    torch.set_num_threads(1)
    config = msg.content.config_records["config"]
    spec = ExperimentSpec.model_validate_json(str(config["spec"]))
    partition = int(_number(context.node_config["partition-id"]))
    prepared = prepare_cached(spec)
    model = new_model(spec, prepared.dataset)
    model.load_state_dict(msg.content.array_records["arrays"].to_torch_state_dict())
    round_seed = spec.seed * 1_000_003 + int(_number(config["server-round"])) * 1009 + partition
    mu = _number(config["proximal-mu"]) if "proximal-mu" in config else 0.0
    used, loss = train_local(model, prepared.clients[partition], spec, proximal_mu=mu, round_seed=round_seed)
    # A client left with no usable sample still answers; weight 1 keeps the weighted average defined.
    metrics = MetricRecord({"num-examples": max(used, 1), "train-loss": loss, "samples-used": used})
    return Message(RecordDict({"arrays": ArrayRecord(model.state_dict()), "metrics": metrics}), reply_to=msg)


def build_client_app() -> ClientApp:
    from flwr.clientapp import ClientApp

    app = ClientApp()
    app.train()(_client_train)
    return app


def _count_replies(records: list[RecordDict], weighted_by_key: str) -> MetricRecord:
    """Flower's weighted metric average, plus how many clients answered (to detect failed clients)."""
    from flwr.serverapp.strategy.strategy_utils import aggregate_metricrecords

    metrics = aggregate_metricrecords(records, weighted_by_key)
    metrics["replies"] = len(records)
    return metrics


def _run_one(grid: Grid, spec: ExperimentSpec, batch: _Batch) -> ExperimentResult:
    import torch
    from flwr.app import ArrayRecord, ConfigRecord, MetricRecord

    from raikit.fedmm.strategies import build_strategy
    from raikit.fedmm.training import evaluate, new_model, prepare_cached

    start = time.perf_counter()
    prepared = prepare_cached(spec)
    torch.manual_seed(spec.seed)
    model = new_model(spec, prepared.dataset)
    curve: list[tuple[float, float]] = []

    def evaluate_fn(server_round: int, arrays: ArrayRecord) -> MetricRecord:
        model.load_state_dict(arrays.to_torch_state_dict())
        accuracy, loss = evaluate(model, prepared.dataset.test)
        curve.append((accuracy, loss))
        if batch.on_round is not None:
            batch.on_round(spec, server_round, accuracy)
        return MetricRecord({"accuracy": accuracy, "loss": loss})

    strategy = build_strategy(spec, train_metrics_aggr_fn=_count_replies)
    result = strategy.start(
        grid=grid,
        initial_arrays=ArrayRecord(model.state_dict()),
        num_rounds=spec.rounds,
        timeout=batch.settings.round_timeout_s,
        train_config=ConfigRecord({"spec": spec.model_dump_json()}),
        evaluate_fn=evaluate_fn,
    )
    rounds = result.train_metrics_clientapp
    answered = [int(_number(rounds[r]["replies"])) for r in sorted(rounds)]
    if len(answered) != spec.rounds or min(answered) < spec.clients:
        raise FedMMSimulationError(
            f"clients failed during training (replies per round: {answered}, expected {spec.clients}); "
            "rerun with --verbose to see the client errors"
        )
    stats: dict[str, int] = {}
    for client in prepared.clients:
        for key, value in client.stats.items():
            stats[key] = stats.get(key, 0) + value
    return ExperimentResult(
        spec=spec,
        accuracy=curve[-1][0],
        accuracy_by_round=[acc for acc, _ in curve],
        loss=curve[-1][1],
        wall_s=time.perf_counter() - start,
        client_stats=stats,
    )


def build_server_app(batch: _Batch) -> ServerApp:
    import torch
    from flwr.serverapp import ServerApp

    app = ServerApp()

    @app.main()
    def main(grid: Grid, context: Context) -> None:
        from raikit.fedmm.grid import InterruptibleGrid, SimulationStopped

        torch.set_num_threads(1)
        interruptible = InterruptibleGrid(grid, batch.stop, PULL_INTERVAL_S)
        try:
            for spec in batch.specs:
                result = _run_one(interruptible, spec, batch)
                batch.results.append(result)
                if batch.on_result is not None:
                    batch.on_result(result)
        except SimulationStopped:
            return

    return app


def _simulate(batch: _Batch) -> None:
    from flwr.simulation import run_simulation

    from raikit.fedmm.training import prepare_cached

    for spec in batch.specs:
        prepare_cached(spec)  # bad data or settings fail here, before Ray starts
    os.environ.setdefault("RAY_ACCEL_ENV_VAR_OVERRIDE_ON_ZERO", "0")
    flwr_logger = logging.getLogger("flwr")
    level = flwr_logger.level
    flwr_logger.setLevel(logging.INFO if batch.settings.verbose else logging.ERROR)
    try:
        run_simulation(
            server_app=build_server_app(batch),
            client_app=build_client_app(),
            num_supernodes=batch.specs[0].clients,
            backend_config=batch.settings.backend_config(),  # type: ignore[arg-type]
        )
    except KeyboardInterrupt:
        batch.stop.set()  # let the ServerApp thread end now rather than at the round timeout
        raise
    except FedMMSimulationError:
        raise
    except (RuntimeError, ConnectionError) as exc:
        raise FedMMSimulationError(f"Flower simulation failed: {exc}") from exc
    finally:
        flwr_logger.setLevel(level)


def run_experiments(
    specs: Sequence[ExperimentSpec],
    settings: SimulationSettings | None = None,
    *,
    on_result: OnResult | None = None,
    on_round: OnRound | None = None,
) -> list[ExperimentResult]:
    """Run ``specs`` on Flower's simulation engine; one simulation per distinct client count.

    ``on_result`` is called as soon as each experiment finishes (a sweep records it then), and
    ``on_round`` after each round's centralised evaluation (for progress bars).
    """
    settings = settings or SimulationSettings()
    results: list[ExperimentResult] = []
    for clients in dict.fromkeys(spec.clients for spec in specs):
        batch = _Batch([s for s in specs if s.clients == clients], settings, on_result, on_round)
        _simulate(batch)
        if len(batch.results) != len(batch.specs):
            raise FedMMSimulationError(
                f"the Flower simulation ended after {len(batch.results)} of {len(batch.specs)} experiments"
            )
        results.extend(batch.results)
    return results
