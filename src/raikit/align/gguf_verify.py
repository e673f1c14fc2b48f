"""Greedy decoding and logits from a loaded ``llama_cpp.Llama``, to compare an exported GGUF
with the Hugging Face folder it came from (tests and ``bench/align_gguf_export.py``).

Both work on token ids, so the two runtimes see exactly the same input; the caller loads the
model with ``logits_all=True``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def greedy_tokens(llm: Any, prompt: Sequence[int], steps: int) -> list[int]:
    """Up to ``steps`` greedy tokens after ``prompt``; the end-of-sequence token ends the list."""
    import numpy as np

    llm.reset()
    llm.eval(list(prompt))
    tokens: list[int] = []
    for _ in range(steps):
        tokens.append(int(np.argmax(llm.scores[llm.n_tokens - 1])))
        if tokens[-1] == llm.token_eos():
            break
        llm.eval(tokens[-1:])
    return tokens


def forced_logits(llm: Any, sequence: Sequence[int]) -> Any:
    """The logits at every position of ``sequence`` but the last (each predicts the next token)."""
    import numpy as np

    llm.reset()
    llm.eval(list(sequence))
    return np.array(llm.scores[: len(sequence) - 1])
