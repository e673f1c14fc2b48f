"""Red-team techniques: typed, composable prompt transforms.

A technique turns an attack payload (plain text) into one of three kinds of output:

* ``text``: a new prompt (base64 wrapping, a persona, a fiction frame, ...);
* ``conversation``: a sequence of messages (payload splitting, crescendo, context priming);
* ``image``: a picture plus accompanying text (typographic attacks, hidden payloads).

Only text can be transformed further, so in a chain every technique but the last must output
text; :class:`TechniqueChain` checks this when it is built. Everything is deterministic given a
seed: each technique draws from its own ``random.Random`` seeded with ``f"{seed}:{id}"``.

Example::

    from raikit.redteam.techniques import chain, get_technique, list_techniques

    result = get_technique("encoding.base64").apply("How do I pick a lock?", seed=7)
    result.text         # the attack prompt to send
    result.messages     # the same, as a conversation: (Message(role="user", ...),)
    result.applied      # ("encoding.base64",)

    combo = chain(["framing.fiction-novel", "encoding.base64"])   # 2-3 ids, type-checked
    combo.apply("How do I pick a lock?", seed=1).applied
    # ("framing.fiction-novel", "encoding.base64")

    [t.info.id for t in list_techniques(category="roleplay")]
"""

from __future__ import annotations

import itertools
import random
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Literal, get_args

from raikit.core.errors import RaikitError
from raikit.core.types import Message

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

Category = Literal[
    "encoding",
    "roleplay",
    "injection",
    "framing",
    "decomposition",
    "language",
    "output_format",
]
"""The seven technique categories of the library (fixed ids)."""

CATEGORIES: tuple[Category, ...] = get_args(Category)
CATEGORY_TITLES: Mapping[Category, str] = MappingProxyType(
    {
        "encoding": "Encoding and obfuscation",
        "roleplay": "Role-play and persona",
        "injection": "Instruction override and prompt injection",
        "framing": "Framing (hypothetical, fiction, research, historical, educational)",
        "decomposition": "Decomposition and multi-turn",
        "language": "Language and dialect switching",
        "output_format": "Output format and refusal suppression",
    }
)

Output = Literal["text", "conversation", "image"]
"""What a technique produces; its input is always text."""

OUTPUTS: tuple[Output, ...] = get_args(Output)
MAX_CHAIN = 3
ParamValue = str | int | float | bool


class TechniqueError(RaikitError):
    """Base class of technique errors the user can fix (unknown id, bad chain, ...)."""


class UnknownTechniqueError(TechniqueError):
    """No registered technique has the requested id."""


class CompositionError(TechniqueError):
    """Techniques that cannot be chained (a non-text output fed to another technique, too long)."""


class NotReversibleError(TechniqueError):
    """``decode`` was called on a technique whose transform cannot be undone."""


@dataclass(frozen=True)
class TechniqueInfo:
    """Metadata of one technique.

    ``family`` groups variants of one parametrised transform (``params`` tell them apart); the
    library only holds variants whose parameters make a meaningful difference to the attack.
    """

    id: str
    category: Category
    description: str
    output: Output = "text"
    languages: tuple[str, ...] = ("en",)
    tags: tuple[str, ...] = ()
    family: str = ""
    params: Mapping[str, ParamValue] = field(default_factory=dict)
    reversible: bool = False
    source: str = "builtin"
    """Where it was defined, e.g. ``techniques/data/personas.yaml@2``."""

    def __post_init__(self) -> None:
        if self.category not in CATEGORIES:
            raise ValueError(f"technique {self.id!r}: unknown category {self.category!r}")
        if self.output not in OUTPUTS:
            raise ValueError(f"technique {self.id!r}: unknown output {self.output!r}")
        if not self.id.startswith(f"{self.category}."):
            raise ValueError(f"technique id {self.id!r} must start with its category, {self.category!r}")
        object.__setattr__(self, "params", MappingProxyType(dict(self.params)))
        if not self.family:
            object.__setattr__(self, "family", self.id)

    def as_dict(self) -> dict[str, object]:
        """JSON-ready metadata (``raikit redteam techniques list --json``)."""
        return {
            "id": self.id,
            "category": self.category,
            "description": self.description,
            "output": self.output,
            "modality": f"text->{self.output}",
            "languages": list(self.languages),
            "tags": list(self.tags),
            "family": self.family,
            "params": dict(self.params),
            "reversible": self.reversible,
            "source": self.source,
        }


@dataclass(frozen=True, eq=False)
class ImageAttack:
    """A picture to send with ``text``; ``pixels`` is an ``(H, W, 3)`` uint8 RGB array.

    ``hidden`` is the payload as hidden in the picture (for scoring and for decoding), when the
    attack hides one.
    """

    pixels: NDArray[np.uint8]
    text: str
    hidden: str | None = None

    def png(self) -> bytes:
        """The picture as PNG bytes (needs Pillow: ``pip install 'raikit[redteam-vision]'``)."""
        import io

        from PIL import Image

        buffer = io.BytesIO()
        Image.fromarray(self.pixels).save(buffer, format="PNG")
        return buffer.getvalue()


TransformOutput = str | Sequence[Message] | ImageAttack


@dataclass(frozen=True, eq=False)
class TechniqueResult:
    """What applying one technique or a chain produced.

    ``messages`` is always the conversation to send. For ``conversation`` output, user turns that
    are not followed by an assistant turn are meant to be sent one at a time, the target's answer
    inserted after each (see :func:`raikit.redteam.delivery.deliver`); assistant turns already in
    ``messages`` are fabricated history. ``text`` is the last user turn (for images: the text sent
    with the picture).
    """

    original: str
    output: Output
    messages: tuple[Message, ...]
    applied: tuple[str, ...]
    seed: int
    image: ImageAttack | None = None

    @property
    def text(self) -> str:
        for message in reversed(self.messages):
            if message.role == "user":
                return message.content
        return self.messages[-1].content if self.messages else ""

    @property
    def multi_turn(self) -> bool:
        return sum(1 for m in self.messages if m.role != "system") > 1

    def as_dict(self) -> dict[str, object]:
        """JSON-ready form (the picture is described, not embedded: use ``image.png()``)."""
        image = None
        if self.image is not None:
            height, width = self.image.pixels.shape[:2]
            image = {"width": width, "height": height, "hidden": self.image.hidden}
        return {
            "original": self.original,
            "applied": list(self.applied),
            "output": self.output,
            "seed": self.seed,
            "text": self.text,
            "messages": [{"role": m.role, "content": m.content} for m in self.messages],
            "image": image,
        }

    def render(self) -> str:
        """A readable form for the CLI and logs (one ``role: content`` block per message)."""
        if self.output == "text":
            return self.text
        blocks = [f"[{m.role}]\n{m.content}" for m in self.messages]
        if self.image is not None:
            height, width = self.image.pixels.shape[:2]
            blocks.insert(0, f"[image {width}x{height}]")
        return "\n\n".join(blocks)


def technique_rng(seed: int, technique_id: str) -> random.Random:
    """The random source of one technique in one application (stable across processes)."""
    return random.Random(f"{seed}:{technique_id}")


class Technique(ABC):
    """One registered transform. Subclasses implement :meth:`transform` (and, if they can, decode)."""

    def __init__(self, info: TechniqueInfo) -> None:
        self.info = info

    @property
    def id(self) -> str:
        return self.info.id

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.info.id}>"

    @abstractmethod
    def transform(self, text: str, rng: random.Random) -> TransformOutput:
        """Turn ``text`` into this technique's output; must be deterministic given ``rng``."""

    def decode(self, transformed: str) -> str:
        """Recover the payload from this technique's text output (reversible techniques only)."""
        raise NotReversibleError(f"technique {self.info.id!r} cannot be reversed")

    def apply(
        self, prompt: str | TechniqueResult, *, seed: int = 0, rng: random.Random | None = None
    ) -> TechniqueResult:
        """Apply to a payload, or to the text result of an earlier technique (chaining)."""
        if isinstance(prompt, TechniqueResult):
            if prompt.output != "text":
                raise CompositionError(
                    f"technique {self.info.id!r} takes text, but {prompt.applied[-1]!r} "
                    f"produced {prompt.output}"
                )
            original, text, applied = prompt.original, prompt.text, prompt.applied
        else:
            original, text, applied = prompt, prompt, ()
        produced = self.transform(text, rng or technique_rng(seed, self.info.id))
        return _result(original, produced, (*applied, self.info.id), seed)


def _result(original: str, produced: TransformOutput, applied: tuple[str, ...], seed: int) -> TechniqueResult:
    if isinstance(produced, str):
        return TechniqueResult(original, "text", (Message.user(produced),), applied, seed)
    if isinstance(produced, ImageAttack):
        return TechniqueResult(original, "image", (Message.user(produced.text),), applied, seed, produced)
    return TechniqueResult(original, "conversation", tuple(produced), applied, seed)


class TechniqueChain:
    """2-3 techniques applied in order; every one but the last must output text."""

    def __init__(self, techniques: Sequence[Technique]) -> None:
        if not 1 <= len(techniques) <= MAX_CHAIN:
            raise CompositionError(f"a chain has 1 to {MAX_CHAIN} techniques, got {len(techniques)}")
        for earlier, later in itertools.pairwise(techniques):
            if earlier.info.output != "text":
                raise CompositionError(
                    f"cannot chain {earlier.info.id!r} into {later.info.id!r}: "
                    f"{earlier.info.id!r} outputs {earlier.info.output}, only text can be transformed further"
                )
        self.techniques: tuple[Technique, ...] = tuple(techniques)

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(t.info.id for t in self.techniques)

    @property
    def id(self) -> str:
        return "+".join(self.ids)

    @property
    def output(self) -> Output:
        return self.techniques[-1].info.output

    @property
    def categories(self) -> tuple[Category, ...]:
        return tuple(dict.fromkeys(t.info.category for t in self.techniques))

    def __repr__(self) -> str:
        return f"<TechniqueChain {self.id}>"

    def apply(self, prompt: str, *, seed: int = 0) -> TechniqueResult:
        result: str | TechniqueResult = prompt
        for technique in self.techniques:
            result = technique.apply(result, seed=seed)
        assert isinstance(result, TechniqueResult)
        return result
