"""Targets: anything raikit sends conversations to.

Every target is named by one string used across the CLI, config files and this API::

    from raikit.models import get_target
    target = get_target("llamacpp:default")
    print(target.generate("Say hello").text)
"""

from raikit.models.base import BaseTarget, BatchResult, PromptLike, Target
from raikit.models.config import GenerateConfig, RetryPolicy
from raikit.models.errors import (
    TargetConfigError,
    TargetError,
    TargetResponseError,
    TargetTimeoutError,
    TargetUnavailableError,
    TargetUnreachableError,
    UnknownTargetSchemeError,
)
from raikit.models.registry import (
    TargetInfo,
    TargetRegistry,
    default_registry,
    get_target,
    target_factory,
)
from raikit.models.spec import TargetSpec, parse_target_spec

__all__ = [
    "BaseTarget",
    "BatchResult",
    "GenerateConfig",
    "PromptLike",
    "RetryPolicy",
    "Target",
    "TargetConfigError",
    "TargetError",
    "TargetInfo",
    "TargetRegistry",
    "TargetResponseError",
    "TargetSpec",
    "TargetTimeoutError",
    "TargetUnavailableError",
    "TargetUnreachableError",
    "UnknownTargetSchemeError",
    "default_registry",
    "get_target",
    "parse_target_spec",
    "target_factory",
]
