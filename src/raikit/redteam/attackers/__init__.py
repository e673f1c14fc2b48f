"""Automated red teaming: FLIRT's feedback loop, its baselines, exemplar queues and scorers."""

from raikit.redteam.attackers.exemplars import Exemplar, SeedError, load_builtin_seeds, load_seed_file
from raikit.redteam.attackers.flirt import Attacker, AttackPlan, FlirtAttacker, SfsAttacker, SweepAttacker
from raikit.redteam.attackers.operators import TechniqueOperators
from raikit.redteam.attackers.queue import (
    QUEUE_STRATEGIES,
    ExemplarQueue,
    ScoredExemplar,
    ScoringWeights,
    make_queue,
    pairwise_diversity,
    queue_objective,
)
from raikit.redteam.attackers.red_lm import RedLM, extract_payload
from raikit.redteam.attackers.scoring import AttackScorer, AttackScores

__all__ = [
    "QUEUE_STRATEGIES",
    "AttackPlan",
    "AttackScorer",
    "AttackScores",
    "Attacker",
    "Exemplar",
    "ExemplarQueue",
    "FlirtAttacker",
    "RedLM",
    "ScoredExemplar",
    "ScoringWeights",
    "SeedError",
    "SfsAttacker",
    "SweepAttacker",
    "TechniqueOperators",
    "extract_payload",
    "load_builtin_seeds",
    "load_seed_file",
    "make_queue",
    "pairwise_diversity",
    "queue_objective",
]
