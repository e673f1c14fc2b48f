"""A model's answers to suite items, cached in JSONL so an interrupted run resumes where it stopped.

Each line is ``{"id", "answers": [...]}``; items already in the cache are not generated again.
Batches are appended and flushed as they finish, so a kill loses at most the batch in flight.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from raikit.evals.dataset import Sample


class AnswerSettings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    max_new_tokens: int = 96
    temperature: float = 0.0
    num_answers: int = 1
    seed: int = 0
    batch_size: int = 8
    device: str = "auto"
    threads: int | None = None
    """CPU threads for generation (None: torch's default). A small model's decoding is a long
    series of tiny matrix products; two threads on a busy 2-core machine wait on each other at
    every product (measured: 64 tokens took 29 s with 2 threads, 5.4 s with 1)."""


def read_cache(path: Path) -> dict[str, list[str]]:
    cached: dict[str, list[str]] = {}
    if path.is_file():
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                row = json.loads(line)
                cached[str(row["id"])] = [str(a) for a in row["answers"]]
            except (json.JSONDecodeError, KeyError, TypeError):
                continue  # a line cut short by a kill: generated again
    return cached


@contextlib.contextmanager
def _torch_threads(threads: int | None) -> Iterator[None]:
    if threads is None:
        yield
        return
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def answer_items(
    model_folder: Path,
    samples: Sequence[Sample],
    cache: Path,
    settings: AnswerSettings | None = None,
    *,
    advance: Callable[[int], None] | None = None,
) -> dict[str, list[str]]:
    """Answers (``num_answers`` each) of the model in ``model_folder`` to ``samples``, via ``cache``."""
    settings = settings or AnswerSettings()
    done = read_cache(cache)
    # Similar lengths share a batch, so little of a batch is padding; the order is fixed by the
    # items alone, so two models answering the same items get the same batches.
    todo = sorted(
        (s for s in samples if s.id not in done),
        key=lambda s: (sum(len(m.content) for m in s.messages()), s.id),
    )
    if advance is not None:
        advance(len(samples) - len(todo))
    if todo:
        from raikit.align.base import generate_batch, load_model

        tokenizer, model = load_model(model_folder, settings.device)
        cache.parent.mkdir(parents=True, exist_ok=True)
        with _torch_threads(settings.threads), cache.open("a", encoding="utf-8") as handle:
            for start in range(0, len(todo), settings.batch_size):
                batch = todo[start : start + settings.batch_size]
                conversations = [
                    [{"role": m.role, "content": m.content} for m in s.messages()] for s in batch
                ]
                outputs = generate_batch(
                    tokenizer,
                    model,
                    conversations,
                    max_new_tokens=settings.max_new_tokens,
                    temperature=settings.temperature,
                    seed=settings.seed + start,
                    num_return_sequences=settings.num_answers,
                )
                for s, answers in zip(batch, outputs, strict=True):
                    done[s.id] = answers
                    handle.write(json.dumps({"id": s.id, "answers": answers}, ensure_ascii=False) + "\n")
                handle.flush()
                if advance is not None:
                    advance(len(batch))
    return {s.id: done[s.id] for s in samples}
