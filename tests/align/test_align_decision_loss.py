"""The decision-weighted SFT loss: the first tokens of each answer weigh more, the rest as usual."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

pytest.importorskip("torch")
pytest.importorskip("trl")
pytest.importorskip("peft")

import torch

from raikit.align import read_jsonl, write_jsonl
from raikit.align.data import ChatExample
from raikit.align.train import TrainOptions, decision_weights, train, weighted_token_loss

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tiny_hf_model import build_tiny_llama, greeting_examples

IGNORE = -100


@pytest.mark.parametrize(
    ("labels", "tokens", "weight", "expected"),
    [
        ([IGNORE, IGNORE, 5, 6, 7, 8], 2, 4.0, [0, 0, 4, 4, 1, 1]),
        ([IGNORE, 5, 6, IGNORE, IGNORE, IGNORE], 3, 2.0, [0, 2, 2, 0, 0, 0]),
        ([5, 6, 7], 0, 9.0, [1, 1, 1]),
        ([IGNORE, IGNORE, IGNORE], 2, 3.0, [0, 0, 0]),
    ],
    ids=[
        "prompt-then-answer",
        "answer-shorter-than-n-then-padding",
        "no-decision-tokens",
        "nothing-labelled",
    ],
)
def test_decision_weights(labels: list[int], tokens: int, weight: float, expected: list[float]) -> None:
    got = decision_weights(torch.tensor([labels]), tokens, weight)
    assert got.tolist() == [[float(x) for x in expected]]


def test_counting_restarts_on_each_row() -> None:
    labels = torch.tensor([[IGNORE, 1, 2, 3], [IGNORE, IGNORE, IGNORE, 4]])
    assert decision_weights(labels, 1, 5.0).tolist() == [[0, 5, 1, 1], [0, 0, 0, 5]]


def test_weight_one_is_the_usual_mean_cross_entropy() -> None:
    generator = torch.Generator().manual_seed(0)
    logits = torch.randn(2, 6, 11, generator=generator)
    labels = torch.tensor([[IGNORE, IGNORE, 3, 4, 5, 6], [IGNORE, 1, 2, IGNORE, IGNORE, IGNORE]])
    usual = torch.nn.functional.cross_entropy(
        logits[:, :-1].reshape(-1, 11), labels[:, 1:].reshape(-1), ignore_index=IGNORE
    )
    assert weighted_token_loss(logits, labels, 2, 1.0).item() == pytest.approx(usual.item(), rel=1e-6)


def test_a_wrong_first_token_costs_more_when_it_weighs_more() -> None:
    labels = torch.tensor([[IGNORE, 2, 3, 4]])
    logits = torch.full((1, 4, 5), -10.0)
    logits[0, 0, 1] = 10.0  # the first answer token is predicted wrong (1, not 2) ...
    logits[0, 1, 3] = 10.0  # ... the following ones right
    logits[0, 2, 4] = 10.0
    plain = weighted_token_loss(logits, labels, 1, 1.0).item()
    weighted = weighted_token_loss(logits, labels, 1, 8.0).item()
    assert weighted > 2 * plain > 0


@pytest.mark.integration
def test_weighted_sft_trains_and_records_its_settings(tmp_path: Path) -> None:
    build_tiny_llama(tmp_path / "tiny")
    rows = greeting_examples(4)
    write_jsonl(tmp_path / "sft.jsonl", rows)
    options = TrainOptions(
        max_steps=2, batch_size=2, max_length=48, lora_r=4, decision_tokens=2, decision_weight=5.0
    )
    card = train(
        "sft",
        str(tmp_path / "tiny"),
        read_jsonl(tmp_path / "sft.jsonl", ChatExample),
        tmp_path / "o",
        options,
    )
    assert card["steps"] == 2 and card["final_loss"] > 0
    assert card["options"]["decision_tokens"] == 2 and card["options"]["decision_weight"] == 5.0


@pytest.mark.integration
def test_cli_sft_takes_the_decision_options(tmp_path: Path) -> None:
    import json

    from click.testing import CliRunner

    from raikit.cli.main import cli

    build_tiny_llama(tmp_path / "tiny")
    write_jsonl(tmp_path / "sft.jsonl", greeting_examples(4))
    args = ["align", "sft", "--base", str(tmp_path / "tiny"), "--data", str(tmp_path / "sft.jsonl")]
    args += ["--out", str(tmp_path / "o"), "--max-steps", "1", "--batch-size", "2", "--max-length", "48"]
    result = CliRunner().invoke(
        cli, [*args, "--lora-r", "4", "--decision-tokens", "3", "--decision-weight", "6"]
    )
    assert result.exit_code == 0, result.output
    card = json.loads((tmp_path / "o" / "align.json").read_text())
    assert card["options"]["decision_tokens"] == 3 and card["options"]["decision_weight"] == 6.0
    refused = CliRunner().invoke(cli, [*args, "--decision-weight", "0"])
    assert refused.exit_code == 2 and "decision-weight" in refused.output
