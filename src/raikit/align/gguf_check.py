"""Checks that an aligned Hugging Face Llama folder fits the GGUF it was trained from.

The GGUF export copies the tokenizer, chat template and hyper-parameters from the base GGUF and
only replaces the weights, so every structural setting of the fine-tuned model must equal the
base's: a different architecture, layer count, head layout, rope setting or token table would
produce a file that llama.cpp loads but runs wrongly. Each check fails with one line naming
the first difference.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from raikit.align.errors import AlignDataError

SUPPORTED_ARCH = "llama"


def read_config(model_dir: Path) -> dict[str, Any]:
    path = model_dir / "config.json"
    if not path.is_file():
        raise AlignDataError(f"{model_dir} is not a Hugging Face model folder (no config.json)")
    try:
        config: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise AlignDataError(f"{path} is not valid JSON: {exc}") from exc
    if config.get("model_type") != SUPPORTED_ARCH:
        raise AlignDataError(
            f"GGUF export supports Llama models only; {model_dir} is {config.get('model_type')!r}"
        )
    return config


def field_value(reader: Any, key: str) -> Any:
    """The value of a GGUF metadata key (a list for arrays), or None when absent."""
    field = reader.fields.get(key)
    return None if field is None else field.contents()


def _rope_type(config: Mapping[str, Any]) -> str:
    params = config.get("rope_parameters") or config.get("rope_scaling") or {}
    return str(params.get("rope_type") or params.get("type") or "default")


def _rope_theta(config: Mapping[str, Any]) -> float:
    params = config.get("rope_parameters") or {}
    return float(params.get("rope_theta") or config.get("rope_theta") or 10000.0)


def _head_dim(config: Mapping[str, Any]) -> int:
    return int(config.get("head_dim") or config["hidden_size"] // config["num_attention_heads"])


# (Hugging Face setting, GGUF key under the architecture, its default when the GGUF lacks the key)
HPARAMS: tuple[tuple[str, Callable[[Mapping[str, Any]], Any], str, Any], ...] = (
    ("hidden_size", lambda c: c["hidden_size"], "embedding_length", None),
    ("num_hidden_layers", lambda c: c["num_hidden_layers"], "block_count", None),
    ("intermediate_size", lambda c: c["intermediate_size"], "feed_forward_length", None),
    ("num_attention_heads", lambda c: c["num_attention_heads"], "attention.head_count", None),
    (
        "num_key_value_heads",
        lambda c: c.get("num_key_value_heads") or c["num_attention_heads"],
        "attention.head_count_kv",
        None,
    ),
    ("max_position_embeddings", lambda c: c["max_position_embeddings"], "context_length", None),
    ("rms_norm_eps", lambda c: c["rms_norm_eps"], "attention.layer_norm_rms_epsilon", None),
    ("rope_theta", _rope_theta, "rope.freq_base", 10000.0),
    ("head_dim", _head_dim, "rope.dimension_count", None),
)


def _same(ours: Any, theirs: Any) -> bool:
    if isinstance(ours, float) or isinstance(theirs, float):
        return math.isclose(float(ours), float(theirs), rel_tol=1e-6)
    return bool(ours == theirs)


def check_hparams(config: Mapping[str, Any], reader: Any, base: Path) -> None:
    """Refuse a model whose architecture or hyper-parameters differ from the base GGUF's."""
    arch = field_value(reader, "general.architecture")
    if arch != SUPPORTED_ARCH:
        raise AlignDataError(
            f"base GGUF {base} is {arch!r}, not a Llama model; GGUF export supports Llama only"
        )
    if _rope_type(config) != "default":
        raise AlignDataError(
            f"rope type {_rope_type(config)!r} is not supported by the GGUF export (only default rope)"
        )
    for name, read, key, default in HPARAMS:
        theirs = field_value(reader, f"{arch}.{key}")
        theirs = default if theirs is None else theirs
        if theirs is None:
            continue
        ours = read(config)
        if not _same(ours, theirs):
            raise AlignDataError(
                f"the model's {name}={ours} differs from {arch}.{key}={theirs} in base GGUF {base}; "
                "pass the GGUF the model was trained from with --base-gguf"
            )


def _hf_tokens(tokenizer_file: Path) -> dict[int, str]:
    data = json.loads(tokenizer_file.read_text(encoding="utf-8"))
    vocab = data.get("model", {}).get("vocab") or {}
    tokens = {int(i): str(t) for t, i in vocab.items()} if isinstance(vocab, dict) else {}
    for added in data.get("added_tokens", []):
        tokens[int(added["id"])] = str(added["content"])
    return tokens


def check_tokens(model_dir: Path, reader: Any, base: Path) -> int:
    """Compare the folder's token table (``tokenizer.json``) with the GGUF's; the number compared.

    Fine-tuning keeps the tokenizer, so any difference means the model was trained from another
    base or had tokens added, and the copied GGUF tokenizer would not fit it. A folder without
    ``tokenizer.json`` is not compared (0): the tensor shapes are still checked.
    """
    tokenizer_file = model_dir / "tokenizer.json"
    if not tokenizer_file.is_file():
        return 0
    ours = _hf_tokens(tokenizer_file)
    theirs = field_value(reader, "tokenizer.ggml.tokens") or []
    for token_id in sorted(ours):
        if token_id >= len(theirs) or theirs[token_id] != ours[token_id]:
            found = theirs[token_id] if token_id < len(theirs) else "no such id"
            raise AlignDataError(
                f"token {token_id} is {ours[token_id]!r} in {tokenizer_file} "
                f"but {found!r} in base GGUF {base}"
            )
    return len(ours)


def check_tensors(planned: Mapping[str, tuple[int, ...]], reader: Any, base: Path) -> None:
    """Refuse unless the planned GGUF tensors have the base GGUF's names and shapes."""
    theirs = {t.name: tuple(int(d) for d in reversed(list(t.shape))) for t in reader.tensors}
    missing = sorted(set(theirs) - set(planned))
    extra = sorted(set(planned) - set(theirs))
    if missing or extra:
        detail = f"missing {missing[:3]}" if missing else f"not in the base {extra[:3]}"
        raise AlignDataError(f"the model's tensors do not match base GGUF {base}: {detail}")
    for name, shape in planned.items():
        if theirs[name] != shape:
            raise AlignDataError(
                f"tensor {name} has shape {list(shape)} in the model "
                f"but {list(theirs[name])} in base GGUF {base}"
            )
