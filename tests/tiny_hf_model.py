"""A tiny random Llama with a word-level tokenizer, built offline for tests (gibberish, but deterministic)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

TEXT = """
system user assistant tool : . , ? !
the quick brown fox jumps over the lazy dog while the cat sleeps in the warm sun .
a helpful assistant answers questions about science , history , music and art .
it refuses to help with harmful requests and explains why it cannot help .
hello how are you today ? i am fine , thank you for asking . what is the capital of france ?
paris is the capital of france and berlin is the capital of germany .
rivers flow to the sea , rain falls from clouds , and plants grow toward the light .
the model should be safe , honest and kind to every person who writes to it .
tell me a story about a small robot who learns to paint pictures of the ocean at night .
numbers one two three four five six seven eight nine ten follow each other in order .
please summarise the text , translate it to french , and list three key points .
never share private data such as passwords , addresses or phone numbers with strangers .
"""
TEMPLATE = (
    "{% for m in messages %}{{ m['role'] }} : {{ m['content'] }} . {% endfor %}"
    "{% if add_generation_prompt %}assistant : {% endif %}"
)


def build_tiny_llama(folder: Path, *, chat_template: str | None = TEMPLATE) -> None:
    import torch
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

    raw = Tokenizer(models.WordLevel(unk_token="<unk>"))
    raw.pre_tokenizer = pre_tokenizers.Whitespace()
    raw.decoder = decoders.WordPiece(prefix="##", cleanup=False)  # joins words with spaces
    raw.train_from_iterator(
        [TEXT], trainers.WordLevelTrainer(special_tokens=["<unk>", "<s>", "</s>", "<pad>"])
    )
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=raw, unk_token="<unk>", bos_token="<s>", eos_token="</s>", pad_token="<pad>"
    )
    if chat_template is not None:
        tokenizer.chat_template = chat_template
    tokenizer.save_pretrained(folder)
    torch.manual_seed(0)
    config = LlamaConfig(
        vocab_size=len(tokenizer),
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=512,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
    )
    LlamaForCausalLM(config).save_pretrained(folder)


def greeting_examples(n: int) -> list[Any]:
    """``n`` one-turn SFT examples in the tiny model's vocabulary."""
    from raikit.align.data import ChatExample

    return [
        ChatExample(
            id=str(i),
            messages=[
                {"role": "user", "content": "hello how are you today ?"},
                {"role": "assistant", "content": "i am fine , thank you for asking ."},
            ],
            dimension="safety",
            language="en",
            source="test",
        )
        for i in range(n)
    ]
