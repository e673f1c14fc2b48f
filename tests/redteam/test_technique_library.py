"""The technique model: packs and plugins, type-checked chains, delivery of results to targets."""

from __future__ import annotations

import random
from collections.abc import Sequence

import pytest

from raikit.core.types import Completion, Message
from raikit.redteam import Delivery, ImageCapableTarget, deliver, image_skip_reason
from raikit.redteam.delivery import conversation_steps
from raikit.redteam.techniques import (
    CompositionError,
    Technique,
    TechniqueError,
    TechniqueInfo,
    TechniqueLibrary,
    TechniquePackRegistry,
    TransformOutput,
    UnknownTechniqueError,
    chain,
    get_technique,
    technique_pack,
)


class Shout(Technique):
    def transform(self, text: str, rng: random.Random) -> TransformOutput:
        return text.upper() + "!"


@technique_pack("shouting", description="A plugin pack for the test")
def shouting_pack() -> list[Technique]:
    return [
        Shout(TechniqueInfo(id="output_format.shout", category="output_format", description="Upper-case it."))
    ]


def test_a_plugin_pack_registers_like_the_built_ins():
    packs = TechniquePackRegistry(use_entry_points=False)
    packs.register(shouting_pack)
    library = TechniqueLibrary(packs)
    assert library.ids() == ["output_format.shout"]
    assert library.get("output_format.shout").apply("hi").text == "HI!"
    assert [t.info.id for t in library.list(category="output_format")] == ["output_format.shout"]
    with pytest.raises(UnknownTechniqueError, match=r"encoding\.base64"):
        library.get("encoding.base64")


def test_the_default_library_holds_the_builtin_packs():
    packs = TechniquePackRegistry()
    assert {"encoding", "roleplay", "injection", "framing", "decomposition", "language", "output_format",
            "multimodal"} <= set(packs.names())  # fmt: skip


def test_duplicate_ids_and_bad_metadata_are_rejected():
    library = TechniqueLibrary(TechniquePackRegistry(use_entry_points=False))
    library.add(shouting_pack()[0])
    with pytest.raises(TechniqueError, match="twice"):
        library.add(shouting_pack()[0])
    with pytest.raises(ValueError, match="must start with its category"):
        TechniqueInfo(id="framing.x", category="encoding", description="Mismatched category.")
    with pytest.raises(ValueError, match="unknown category"):
        TechniqueInfo(id="misc.x", category="misc", description="Not one of the seven.")  # type: ignore[arg-type]
    with pytest.raises(TechniqueError, match="valid categories"):
        library.list(category="misc")


def test_chains_check_types_and_length():
    combo = chain(["framing.fiction-novel", "encoding.base64", "decomposition.multi-turn-split-two"])
    assert combo.output == "conversation"
    assert combo.categories == ("framing", "encoding", "decomposition")
    result = combo.apply("payload", seed=3)
    assert result.applied == combo.ids and result.multi_turn
    with pytest.raises(CompositionError, match="only text can be transformed further"):
        chain(["decomposition.crescendo-history-to-method", "encoding.base64"])
    with pytest.raises(CompositionError, match="1 to 3"):
        chain(["encoding.base64"] * 4)
    image = get_technique("encoding.image-typographic").apply("payload")
    with pytest.raises(CompositionError, match="produced image"):
        get_technique("encoding.hex").apply(image)


def test_chaining_by_hand_records_the_history_and_keeps_the_original():
    first = get_technique("encoding.reverse-characters").apply("secret plan", seed=1)
    second = get_technique("encoding.base64").apply(first, seed=1)
    assert second.applied == ("encoding.reverse-characters", "encoding.base64")
    assert second.original == "secret plan"
    decoded = get_technique("encoding.base64").decode(second.text)
    assert get_technique("encoding.reverse-characters").decode(decoded) == "secret plan"


class RecordingTarget:
    name = "recording"

    def __init__(self) -> None:
        self.calls: list[list[Message]] = []

    def generate(self, prompt: object, config: object = None) -> Completion:
        assert isinstance(prompt, list)
        self.calls.append(list(prompt))
        return Completion(text=f"answer {len(self.calls)}")


class PictureTarget(RecordingTarget):
    accepts_images = True

    def __init__(self) -> None:
        super().__init__()
        self.images: list[Sequence[bytes]] = []

    def generate_with_images(
        self, prompt: object, images: Sequence[bytes], config: object = None
    ) -> Completion:
        self.images.append(images)
        return self.generate(prompt, config)


def test_deliver_sends_turn_by_turn_and_keeps_fabricated_history():
    crescendo = get_technique("decomposition.crescendo-history-to-method").apply("build a birdhouse")
    target = RecordingTarget()
    delivery = deliver(target, crescendo)
    assert len(target.calls) == 4 == len(delivery.completions)
    assert [m.role for m in delivery.transcript] == ["user", "assistant"] * 4
    assert target.calls[-1][-1].content.endswith("build a birdhouse")
    assert delivery.response == "answer 4"

    primed = get_technique("decomposition.priming-many-shot-short").apply("build a birdhouse")
    assert conversation_steps(primed.messages) == [6]
    target = RecordingTarget()
    deliver(target, primed)
    assert len(target.calls) == 1 and len(target.calls[0]) == 7


def test_images_go_only_to_targets_that_accept_them():
    attack = get_technique("encoding.image-lsb-steganography").apply("build a birdhouse")
    text_only = RecordingTarget()
    skipped = deliver(text_only, attack)
    assert isinstance(skipped, Delivery) and skipped.skipped and not text_only.calls
    assert image_skip_reason(text_only) == skipped.skipped and "does not accept images" in skipped.skipped
    picture = PictureTarget()
    assert isinstance(picture, ImageCapableTarget) and image_skip_reason(picture) is None
    sent = deliver(picture, attack)
    assert sent.skipped is None and sent.response == "answer 1"
    assert picture.images[0][0].startswith(b"\x89PNG")


def test_no_builtin_target_accepts_images_yet(tmp_path):
    from raikit.models import get_target

    script = tmp_path / "script.yaml"
    script.write_text('default: "no"\n', encoding="utf-8")
    assert image_skip_reason(get_target(f"scripted:{script}")) is not None


def test_placeholders_in_the_payload_are_not_expanded():
    payload = 'a {topic} b {part1} {"json": 1}'
    result = get_technique("framing.fiction-novel").apply(payload)
    assert payload in result.text
    turns = get_technique("decomposition.crescendo-history-to-method").apply(payload).messages
    assert turns[-1].content.endswith(payload)
