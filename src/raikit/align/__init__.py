"""Alignment: SFT demonstrations, preference pairs, an RAI reward model, LoRA SFT and DPO.

Data builders and the reward model need only the core install (plus the guard extra for the
sentence encoder); training needs the ``align`` extra (torch, transformers, TRL, PEFT), imported
on first use. ``export_gguf`` writes a trained Llama folder as a GGUF for ``llamacpp:PATH``
(needs the ``gguf`` package, in the ``align`` extra).
"""

from raikit.align.corpus import CorpusCounts, corpus_items
from raikit.align.data import (
    ChatExample,
    PreferencePair,
    helpful_examples,
    read_jsonl,
    safe_completion,
    safe_completion_examples,
    write_jsonl,
)
from raikit.align.errors import AlignDataError, AlignError
from raikit.align.gguf_export import GGUF_TYPES, base_gguf_of, export_gguf
from raikit.align.preferences import pairs_from_answers, pairs_from_redteam, ranked_pairs, select_pairs
from raikit.align.style import StyleGuide, load_style_guide

__all__ = [
    "GGUF_TYPES",
    "AlignDataError",
    "AlignError",
    "ChatExample",
    "CorpusCounts",
    "PreferencePair",
    "StyleGuide",
    "base_gguf_of",
    "corpus_items",
    "export_gguf",
    "helpful_examples",
    "load_style_guide",
    "pairs_from_answers",
    "pairs_from_redteam",
    "ranked_pairs",
    "read_jsonl",
    "safe_completion",
    "safe_completion_examples",
    "select_pairs",
    "write_jsonl",
]
