"""Sending a technique's result to a target: single prompts, turn-by-turn conversations, images.

``Message.content`` is text, so a target that can take pictures says so by implementing
:class:`ImageCapableTarget` (``accepts_images = True`` and ``generate_with_images``): the
``openai:`` and ``bedrock:`` adapters do when their target string has ``#vision=true``. For
every other target an image attack is *skipped* and the :class:`Delivery` carries the reason,
so runs count it as not attempted rather than failed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from raikit.core.types import Completion, Message
from raikit.models.base import PromptLike
from raikit.models.config import GenerateConfig
from raikit.redteam.techniques.base import TechniqueResult


@runtime_checkable
class ImageCapableTarget(Protocol):
    """A target that can be sent pictures (PNG bytes) together with a conversation."""

    accepts_images: bool

    def generate_with_images(
        self, prompt: PromptLike, images: Sequence[bytes], config: GenerateConfig | None = None
    ) -> Completion:
        """Answer the conversation; ``images`` belong to its last user message."""
        ...


def image_skip_reason(target: object) -> str | None:
    """Why ``target`` cannot receive image attacks, or None when it can."""
    name = getattr(target, "name", type(target).__name__)
    if isinstance(target, ImageCapableTarget):
        if target.accepts_images:
            return None
        return (
            f"target {name} does not accept images (it is configured as text-only; "
            "add vision=true to its options if the model takes pictures)"
        )
    return f"target {name} does not accept images (it does not implement ImageCapableTarget)"


class TextTarget(Protocol):
    def generate(self, prompt: PromptLike, config: GenerateConfig | None = None) -> Completion: ...


@dataclass(frozen=True)
class Delivery:
    """The outcome of sending one result: the full transcript, or why it was skipped."""

    result: TechniqueResult
    transcript: tuple[Message, ...] = ()
    completions: tuple[Completion, ...] = ()
    skipped: str | None = None

    @property
    def response(self) -> str:
        """The target's last answer ('' when skipped)."""
        return self.completions[-1].text if self.completions else ""


def conversation_steps(messages: Sequence[Message]) -> list[int]:
    """Indexes of the user turns that must be answered by the target (not followed by an answer)."""
    return [
        i
        for i, message in enumerate(messages)
        if message.role == "user" and (i + 1 == len(messages) or messages[i + 1].role != "assistant")
    ]


def deliver(target: TextTarget, result: TechniqueResult, config: GenerateConfig | None = None) -> Delivery:
    """Send ``result`` to ``target``: turn by turn for conversations, with the picture for images.

    Target errors propagate (the caller decides whether to retry or record them).
    """
    if result.output == "image":
        assert result.image is not None
        reason = image_skip_reason(target)
        if reason is not None:
            return Delivery(result, skipped=reason)
        assert isinstance(target, ImageCapableTarget)
        completion = target.generate_with_images(list(result.messages), [result.image.png()], config)
        return Delivery(result, (*result.messages, Message.assistant(completion.text)), (completion,))
    steps = set(conversation_steps(result.messages))
    transcript: list[Message] = []
    completions: list[Completion] = []
    for index, message in enumerate(result.messages):
        transcript.append(message)
        if index in steps:
            completion = target.generate(list(transcript), config)
            completions.append(completion)
            transcript.append(Message.assistant(completion.text))
    return Delivery(result, tuple(transcript), tuple(completions))
