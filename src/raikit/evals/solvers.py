"""Solvers: how a sample is put to a target."""

from __future__ import annotations

from raikit.evals.task import EvalSample, SolverOutput
from raikit.models import GenerateConfig, Target


def generate(target: Target, sample: EvalSample, config: GenerateConfig) -> SolverOutput:
    """Send the sample's conversation as it is (earlier turns included) and take one answer."""
    messages = list(sample.messages)
    return SolverOutput(completion=target.generate(messages, config), messages=messages)
