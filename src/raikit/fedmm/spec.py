"""The settings of one federated experiment and what it produced (no heavy imports here)."""

from __future__ import annotations

from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from raikit.fedmm.corruptions import CorruptionConfig
from raikit.fedmm.data import DatasetRef
from raikit.fedmm.errors import FedMMConfigError

StrategyName = Literal["fedavg", "fedprox", "fedopt"]
FusionName = Literal["early", "late", "attention"]
STRATEGIES: tuple[str, ...] = get_args(StrategyName)
FUSION_NAMES: tuple[str, ...] = get_args(FusionName)


class ExperimentSpec(BaseModel):
    """Everything that defines one federated training run; clients rebuild their data from it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    dataset: DatasetRef
    modalities: tuple[str, ...] | None = None  # None: all modalities of the dataset
    fusion: FusionName = "attention"
    strategy: StrategyName = "fedavg"
    clients: int = Field(default=5, ge=2, le=1000)
    rounds: int = Field(default=10, ge=1, le=10_000)
    local_epochs: int = Field(default=1, ge=1, le=100)
    batch_size: int = Field(default=32, ge=1)
    lr: float = Field(default=0.05, gt=0)
    alpha: float = Field(default=0.5, gt=0)
    proximal_mu: float = Field(default=0.01, ge=0)
    server_lr: float = Field(default=0.03, gt=0)  # FedOpt's eta
    fedopt_variant: Literal["adam", "yogi"] = "adam"
    pseudo_label_threshold: float = Field(default=0.9, gt=0, le=1)
    hidden: int = Field(default=64, ge=1)
    corruption: CorruptionConfig = CorruptionConfig()
    seed: int = 0

    @model_validator(mode="after")
    def _modalities_known(self) -> ExperimentSpec:
        if self.modalities is not None and (
            not self.modalities or len(set(self.modalities)) != len(self.modalities)
        ):
            raise ValueError("modalities must be a non-empty list without repeats")
        return self

    def data_key(self) -> str:
        """The fields that decide the clients' data: runs sharing it can share prepared partitions."""
        return self.model_dump_json(
            include={"dataset", "modalities", "clients", "alpha", "corruption", "seed"}
        )


class ExperimentResult(BaseModel):
    """The outcome of one experiment: global test accuracy after each round, the final one, timing."""

    spec: ExperimentSpec
    accuracy: float
    accuracy_by_round: list[float]
    loss: float
    wall_s: float
    client_stats: dict[str, int] = Field(default_factory=dict)


def make_spec(**settings: Any) -> ExperimentSpec:
    """Build a spec, turning validation failures into one-line :class:`FedMMConfigError` messages."""
    try:
        return ExperimentSpec.model_validate(settings)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "experiment"
        raise FedMMConfigError(f"invalid {where}: {first['msg']}") from None
