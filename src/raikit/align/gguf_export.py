"""Export an aligned Hugging Face Llama folder to GGUF, so ``llamacpp:OUT.gguf`` serves it.

Fine-tuning changes weights only, so the export is the inverse of loading the base GGUF: the
tensors are renamed to llama.cpp's names (``token_embd``, ``blk.N.attn_q``, ``output_norm``...),
the Q and K projections get back the row order llama.cpp's rope expects (transformers undoes it
when it reads a GGUF), and every non-tensor key (tokenizer, merges, special tokens, chat template,
rope and context settings) is copied from the base GGUF. ``gguf_check`` refuses a model that does
not fit its base.

Tensors are converted and written one at a time, so memory stays at one tensor plus the base's
metadata. The file is written beside ``OUT`` under a temporary name and renamed at the end: a
failed or killed export never leaves a half-written ``OUT``; running it again starts over.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal, get_args

from raikit.align.errors import AlignDataError, AlignError
from raikit.align.gguf_check import SUPPORTED_ARCH, check_hparams, check_tensors, check_tokens, read_config
from raikit.core.files import write_text_atomic

GgufType = Literal["f32", "f16", "bf16", "q8_0", "q5_1", "q5_0", "q4_1", "q4_0"]
GGUF_TYPES: tuple[str, ...] = get_args(GgufType)
# 4- and 5-bit files keep the embedding (which is also the output layer when tied) at q8_0, as
# llama-quantize keeps the output layer at a higher precision; the shipped SmolLM2 is built so.
LOW_BIT = frozenset({"q5_1", "q5_0", "q4_1", "q4_0"})
EMBEDDING_TENSORS = frozenset({"token_embd.weight", "output.weight"})
UNQUANTISED = frozenset({"f32", "f16", "bf16"})
# Base keys the writer sets itself: the header's counts and the architecture.
HEADER_KEYS = frozenset({"GGUF.version", "GGUF.tensor_count", "GGUF.kv_count", "general.architecture"})
Progress = Callable[[int, int], None]


def _gguf() -> Any:
    try:
        import gguf
    except ImportError as exc:
        raise AlignError("GGUF export needs the gguf package: pip install 'raikit[align]'") from exc
    return gguf


def base_gguf_of(spec: str) -> Path | None:
    """The GGUF behind a base spec: the file itself, or the one a trained folder descends from.

    A trained folder's ``align.json`` names its own base, so DPO on an SFT folder leads back to
    the GGUF the SFT started from; None for a plain Hugging Face folder.
    """
    from raikit.align.base import resolve_base

    seen: set[Path] = set()
    while True:
        try:
            folder, gguf_file = resolve_base(spec)
        except AlignDataError:
            return None
        if gguf_file is not None:
            return gguf_file
        card_file = folder / "align.json"
        if folder.resolve() in seen or not card_file.is_file():
            return None
        seen.add(folder.resolve())
        base = json.loads(card_file.read_text(encoding="utf-8")).get("base")
        if not isinstance(base, str):
            return None
        spec = base


def _base_gguf(model_dir: Path, base_gguf: str | Path | None) -> Path:
    from raikit.align.base import resolve_base

    if base_gguf is None:
        found = base_gguf_of(str(model_dir))
        if found is None:
            raise AlignDataError(
                f"cannot tell which GGUF {model_dir} was trained from (no align.json leads to one); "
                "pass --base-gguf PATH (or default for the embedded SmolLM2)"
            )
        return found
    _, gguf_file = resolve_base(str(base_gguf))
    if gguf_file is None:
        raise AlignDataError(f"--base-gguf {base_gguf} is not a .gguf file")
    return gguf_file


def _weight_files(model_dir: Path) -> list[Path]:
    index = model_dir / "model.safetensors.index.json"
    if index.is_file():
        shards = sorted(set(json.loads(index.read_text(encoding="utf-8"))["weight_map"].values()))
        return [model_dir / s for s in shards]
    single = model_dir / "model.safetensors"
    if single.is_file():
        return [single]
    raise AlignDataError(f"{model_dir} has no safetensors weights (model.safetensors or its index)")


def _permute_for_rope(weights: Any, n_head: int) -> Any:
    """llama.cpp's row order for a Q or K projection: the inverse of transformers' GGUF reader."""
    rows = weights.shape[0]
    return (
        weights.reshape(n_head, 2, rows // n_head // 2, *weights.shape[1:])
        .swapaxes(1, 2)
        .reshape(weights.shape)
    )


class _Plan:
    """Which Hugging Face tensor becomes which GGUF tensor, with its GGML type."""

    def __init__(self, config: Mapping[str, Any], files: list[Path], out_type: str) -> None:
        gguf = _gguf()
        from safetensors import safe_open

        names = gguf.get_tensor_name_map(gguf.MODEL_ARCH.LLAMA, int(config["num_hidden_layers"]))
        tied = bool(config.get("tie_word_embeddings", False))
        self.heads = int(config["num_attention_heads"])
        self.kv_heads = int(config.get("num_key_value_heads") or self.heads)
        self.out_type = out_type
        self.tensors: dict[str, tuple[Path, str, tuple[int, ...]]] = {}
        for file in files:
            with safe_open(str(file), framework="pt") as handle:
                for hf_name in handle.keys():  # noqa: SIM118 - safe_open is not a Mapping
                    if hf_name.endswith("rotary_emb.inv_freq") or (tied and hf_name == "lm_head.weight"):
                        continue
                    name = names.get_name(hf_name, try_suffixes=(".weight", ".bias"))
                    if name is None:
                        raise AlignDataError(f"tensor {hf_name} in {file} has no llama.cpp equivalent")
                    shape = tuple(int(d) for d in handle.get_slice(hf_name).get_shape())
                    self.tensors[name] = (file, hf_name, shape)

    def shapes(self) -> dict[str, tuple[int, ...]]:
        return {name: shape for name, (_, _, shape) in self.tensors.items()}

    def ggml_type(self, name: str, shape: tuple[int, ...]) -> Any:
        """The GGML type of one tensor: vectors stay f32; rows a block does not divide fall back to f16."""
        kinds = _gguf().GGMLQuantizationType
        if len(shape) < 2 or self.out_type == "f32":
            return kinds.F32
        wanted = "q8_0" if self.out_type in LOW_BIT and name in EMBEDDING_TENSORS else self.out_type
        qtype = kinds[wanted.upper()]
        block, _ = _gguf().GGML_QUANT_SIZES[qtype]
        return qtype if shape[-1] % block == 0 else kinds.F16

    def load(self, name: str) -> Any:
        """The tensor as float32 numpy in llama.cpp's layout."""
        from safetensors import safe_open

        file, hf_name, _ = self.tensors[name]
        with safe_open(str(file), framework="pt") as handle:
            weights = handle.get_tensor(hf_name).float().numpy()
        if ".attn_q." in name:  # weight and, where there is one, bias
            return _permute_for_rope(weights, self.heads)
        if ".attn_k." in name:
            return _permute_for_rope(weights, self.kv_heads)
        return weights


def _copy_metadata(writer: Any, reader: Any, out_type: str) -> None:
    """Every base key in the base's order, with the file type (and quantisation version) of ``out_type``."""
    gguf = _gguf()
    own = {"general.file_type": (_file_type(out_type), gguf.GGUFValueType.UINT32)}
    if out_type not in UNQUANTISED:
        own["general.quantization_version"] = (gguf.GGML_QUANT_VERSION, gguf.GGUFValueType.UINT32)
    for key, field in reader.fields.items():
        if key in own:
            writer.add_key_value(key, *own.pop(key))
        elif key in HEADER_KEYS:
            continue
        elif field.types[0] != gguf.GGUFValueType.ARRAY:
            writer.add_key_value(key, field.contents(), field.types[0])
        elif len(field.types) == 2:
            writer.add_key_value(key, field.contents(), field.types[0], sub_type=field.types[1])
        else:
            raise AlignError(f"base GGUF key {key} is a nested array, which the export cannot copy")
    for key, (value, kind) in own.items():
        writer.add_key_value(key, value, kind)


def _file_type(out_type: str) -> int:
    names = {"f32": "ALL_F32", "f16": "MOSTLY_F16", "bf16": "MOSTLY_BF16"}
    return int(_gguf().LlamaFileType[names.get(out_type, f"MOSTLY_{out_type.upper()}")])


@contextmanager
def _partial_file(out: Path) -> Iterator[Path]:
    """A temporary path beside ``out``, renamed over it on success and removed on any failure."""
    fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".partial")
    os.close(fd)
    try:
        yield Path(tmp)
        with Path(tmp).open("rb+") as written:
            os.fsync(written.fileno())
        Path(tmp).chmod(0o644)
        Path(tmp).replace(out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def export_gguf(
    model_dir: str | Path,
    out: str | Path,
    *,
    base_gguf: str | Path | None = None,
    out_type: GgufType = "f16",
    on_progress: Progress | None = None,
) -> dict[str, Any]:
    """Write ``model_dir`` (a trained Llama folder) as the GGUF ``out``; a summary of the export.

    ``base_gguf`` is the GGUF the model was trained from (a path or ``default``); without it the
    folder's ``align.json`` chain is followed. ``on_progress(done, total)`` is called per tensor.
    """
    if out_type not in GGUF_TYPES:
        raise AlignDataError(f"unknown GGUF type {out_type!r}; choose one of {', '.join(GGUF_TYPES)}")
    started = time.monotonic()
    folder, target = Path(model_dir), Path(out)
    if target.suffix != ".gguf":
        raise AlignDataError(f"the output {target} must end in .gguf")
    config = read_config(folder)
    base = _base_gguf(folder, base_gguf)
    gguf = _gguf()
    import numpy as np

    try:
        reader = gguf.GGUFReader(base)
    except (OSError, ValueError) as exc:
        raise AlignDataError(f"cannot read base GGUF {base}: {exc}") from exc
    check_hparams(config, reader, base)
    compared = check_tokens(folder, reader, base)
    plan = _Plan(config, _weight_files(folder), out_type)
    check_tensors(plan.shapes(), reader, base)
    order = [t.name for t in reader.tensors]
    types = {name: plan.ggml_type(name, plan.tensors[name][2]) for name in order}

    target.parent.mkdir(parents=True, exist_ok=True)
    with _partial_file(target) as partial:
        writer = gguf.GGUFWriter(partial, SUPPORTED_ARCH)
        try:
            _copy_metadata(writer, reader, out_type)
            for name in order:
                byte_shape = gguf.quant_shape_to_byte_shape(plan.tensors[name][2], types[name])
                nbytes = math.prod(int(d) for d in byte_shape)
                writer.add_tensor_info(name, byte_shape, np.dtype(np.uint8), nbytes, raw_dtype=types[name])
            writer.write_header_to_file()
            writer.write_kv_data_to_file()
            writer.write_ti_data_to_file()
            for done, name in enumerate(order, start=1):
                writer.write_tensor_data(gguf.quants.quantize(plan.load(name), types[name]))
                if on_progress is not None:
                    on_progress(done, len(order))
        finally:
            writer.close()
    summary = {
        "gguf": str(target),
        "base_gguf": str(base),
        "model_dir": str(folder),
        "type": out_type,
        "tensors": len(order),
        "tokens_compared": compared,
        "bytes": target.stat().st_size,
        "seconds": round(time.monotonic() - started, 1),
        "serve_with": f"llamacpp:{target}",
    }
    _record_in_card(folder, summary)
    return summary


def _record_in_card(model_dir: Path, summary: Mapping[str, Any]) -> None:
    """Add the export to a trained folder's ``align.json`` (``gguf``: the latest export)."""
    card_file = model_dir / "align.json"
    if card_file.is_file():
        card = json.loads(card_file.read_text(encoding="utf-8"))
        card["gguf"] = dict(summary)
        write_text_atomic(card_file, json.dumps(card, indent=2))
