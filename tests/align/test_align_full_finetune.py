"""Full fine-tuning (``TrainOptions.full`` / ``--full``): every weight trains, no adapter is saved."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

pytest.importorskip("torch")
pytest.importorskip("trl")
pytest.importorskip("peft")

import torch

from raikit.align import write_jsonl
from raikit.align.train import TrainOptions, train

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tiny_hf_model import build_tiny_llama, greeting_examples

pytestmark = pytest.mark.integration


def _weights(folder: Path) -> dict[str, torch.Tensor]:
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(folder)
    return {name: p.detach().clone() for name, p in model.named_parameters()}


def test_full_sft_moves_every_trained_matrix_and_saves_a_plain_model(tmp_path: Path) -> None:
    build_tiny_llama(tmp_path / "tiny")
    options = TrainOptions(max_steps=2, batch_size=2, max_length=48, learning_rate=1e-2, full=True)
    card = train("sft", str(tmp_path / "tiny"), greeting_examples(4), tmp_path / "o", options)
    assert card["steps"] == 2 and card["options"]["full"] is True
    assert not (tmp_path / "o" / "adapter_config.json").exists()
    before, after = _weights(tmp_path / "tiny"), _weights(tmp_path / "o")
    assert before.keys() == after.keys()
    # LoRA on "all-linear" leaves norms and embeddings as they were; full training moves them too.
    moved = {name for name in before if not torch.equal(before[name], after[name])}
    assert any("norm" in name for name in moved)
    assert any("embed_tokens" in name for name in moved)


def test_lora_sft_leaves_the_norms_alone(tmp_path: Path) -> None:
    build_tiny_llama(tmp_path / "tiny")
    options = TrainOptions(max_steps=2, batch_size=2, max_length=48, learning_rate=1e-2, lora_r=4)
    train("sft", str(tmp_path / "tiny"), greeting_examples(4), tmp_path / "o", options)
    before, after = _weights(tmp_path / "tiny"), _weights(tmp_path / "o")
    assert all(torch.equal(before[name], after[name]) for name in before if "norm" in name)
    assert any(not torch.equal(before[name], after[name]) for name in before if "proj" in name)


def test_cli_sft_full(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from raikit.cli.main import cli

    build_tiny_llama(tmp_path / "tiny")
    write_jsonl(tmp_path / "sft.jsonl", greeting_examples(4))
    args = ["align", "sft", "--base", str(tmp_path / "tiny"), "--data", str(tmp_path / "sft.jsonl")]
    args += ["--out", str(tmp_path / "o"), "--max-steps", "1", "--batch-size", "2", "--max-length", "48"]
    result = CliRunner().invoke(cli, [*args, "--full", "--lr", "1e-4"])
    assert result.exit_code == 0, result.output
    card = json.loads((tmp_path / "o" / "align.json").read_text())
    assert card["options"]["full"] is True and card["options"]["learning_rate"] == 1e-4
