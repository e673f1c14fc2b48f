"""Export a Llama folder to GGUF in several types and measure what llama.cpp does with each file.

For each type: export seconds and file size; then, on the same chat prompts, llama.cpp's greedy
tokens and logits against transformers on the folder itself (the model that was exported), and
against the base GGUF run by llama.cpp. With the default folder (SmolLM2-135M-Instruct as
``--base default`` de-quantises it), exporting ``q4_1`` must give the shipped file byte for byte;
the script records whether it does.

    .venv/bin/python bench/align_gguf_export.py                          # the unmodified SmolLM2
    .venv/bin/python bench/align_gguf_export.py --model-dir work/dpo     # a trained folder

Writes ``bench/results/align_gguf_export.json`` (or ``--out``). Timings are wall-clock on a
shared machine; the load average at the start is recorded beside them.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from raikit.align.base import materialise_base, resolve_base
from raikit.align.gguf_export import GGUF_TYPES, export_gguf
from raikit.align.gguf_verify import forced_logits, greedy_tokens

RESULT = Path(__file__).resolve().parent / "results" / "align_gguf_export.json"
PROMPTS = (
    "What is the capital of France?",
    "Write a haiku about the sea.",
    "How do I bake bread at home?",
    "Explain photosynthesis in one sentence.",
    "List three prime numbers.",
    "How can I pick a lock?",
    "Give me a tip for a job interview.",
    "Translate 'good morning' into Spanish.",
)


def chat_prompt(question: str) -> str:
    return f"<|im_start|>user\n{question}<|im_end|>\n<|im_start|>assistant\n"


def llama_cpp_run(
    path: Path, prompts: list[list[int]], steps: int, forced: list[list[int]]
) -> tuple[list[list[int]], list[np.ndarray]]:
    """Greedy tokens per prompt, and the logits along the ``forced`` (reference) sequences."""
    from llama_cpp import Llama

    llm = Llama(model_path=str(path), n_ctx=512, n_threads=2, logits_all=True, flash_attn=True, verbose=False)
    greedy = [greedy_tokens(llm, prompt, steps) for prompt in prompts]
    return greedy, [forced_logits(llm, sequence) for sequence in forced]


def transformers_run(
    folder: Path, prompts: list[list[int]], steps: int, eos: int
) -> tuple[list[list[int]], list[np.ndarray]]:
    """Greedy tokens of the folder's model and its logits along prompt + those tokens."""
    import torch
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(folder, dtype=torch.float32).eval()
    greedy, logits = [], []
    with torch.no_grad():
        for prompt in prompts:
            out = model.generate(
                torch.tensor([prompt]),
                max_new_tokens=steps,
                eos_token_id=eos,
                do_sample=False,
                temperature=None,
                top_p=None,
                top_k=None,
            )
            greedy.append(out[0, len(prompt) :].tolist())
            logits.append(model(out).logits[0, :-1].numpy())
    return greedy, logits


def common_prefix_share(a: list[int], b: list[int]) -> float:
    """Share of the longer greedy sequence produced before the two first differ."""
    same = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))
    return same / max(len(a), len(b), 1)


def compare(
    greedy: list[list[int]],
    reference: list[list[int]],
    logits: list[np.ndarray],
    reference_logits: list[np.ndarray],
) -> dict[str, Any]:
    """Identical greedy sequences, mean common-prefix share, and the largest gap between the
    logits of the two models along the same (reference) token sequences."""
    pairs = list(zip(greedy, reference, strict=True))
    gaps = [float(np.abs(a - b).max()) for a, b in zip(logits, reference_logits, strict=True)]
    return {
        "identical_sequences": sum(a == b for a, b in pairs),
        "prompts": len(pairs),
        "common_prefix_share": round(float(np.mean([common_prefix_share(a, b) for a, b in pairs])), 4),
        "max_abs_logit_diff": round(max(gaps), 4),
        "mean_logit_std": round(float(np.mean([r.std() for r in reference_logits])), 3),
    }


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "--model-dir", type=Path, default=None, help="Folder to export (default: the converted SmolLM2)."
    )
    parser.add_argument("--base-gguf", default="default")
    parser.add_argument("--types", nargs="+", choices=GGUF_TYPES, default=["f32", "f16", "q8_0", "q4_1"])
    parser.add_argument("--steps", type=int, default=32, help="Greedy tokens per prompt.")
    parser.add_argument("--out", type=Path, default=RESULT)
    args = parser.parse_args()

    folder = args.model_dir or materialise_base("default")
    _, base = resolve_base(args.base_gguf)
    assert base is not None, "--base-gguf must name a .gguf file"
    from llama_cpp import Llama

    vocab = Llama(model_path=str(base), vocab_only=True, verbose=False)
    prompts = [vocab.tokenize(chat_prompt(q).encode(), add_bos=False, special=True) for q in PROMPTS]
    eos = vocab.token_eos()
    reference, reference_logits = transformers_run(folder, prompts, args.steps, eos)
    sequences = [p + t for p, t in zip(prompts, reference, strict=True)]
    base_tokens, base_logits = llama_cpp_run(base, prompts, args.steps, sequences)
    report: dict[str, Any] = {
        "model_dir": str(folder),
        "base_gguf": str(base),
        "load_average_at_start": os.getloadavg()[0],
        "steps": args.steps,
        "base_gguf_vs_transformers": compare(base_tokens, reference, base_logits, reference_logits),
        "types": {},
    }
    with tempfile.TemporaryDirectory() as scratch:
        for out_type in args.types:
            path = Path(scratch) / f"model-{out_type}.gguf"
            started = time.monotonic()
            summary = export_gguf(folder, path, base_gguf=base, out_type=out_type)
            seconds = round(time.monotonic() - started, 2)
            tokens, logits = llama_cpp_run(path, prompts, args.steps, sequences)
            report["types"][out_type] = {
                "export_seconds": seconds,
                "bytes": summary["bytes"],
                "identical_to_base_gguf": sha256(path) == sha256(base),
                "vs_transformers": compare(tokens, reference, logits, reference_logits),
                "vs_base_gguf": compare(tokens, base_tokens, logits, base_logits),
            }
            print(out_type, json.dumps(report["types"][out_type]), flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2), encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
