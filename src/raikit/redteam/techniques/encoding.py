"""Encoding and obfuscation: each codec of :mod:`.codecs` paired with its instruction text."""

from __future__ import annotations

import random

from raikit.redteam.techniques.base import NotReversibleError, Technique, TechniqueInfo, TransformOutput
from raikit.redteam.techniques.codecs import CODECS, Codec
from raikit.redteam.techniques.templates import read_data_file

SEPARATOR = "\n\n"


class CodecTechnique(Technique):
    """``instruction`` + blank line + the encoded payload; reversible when the codec decodes."""

    def __init__(self, info: TechniqueInfo, codec: Codec, instruction: str) -> None:
        super().__init__(info)
        self.codec = codec
        self.instruction = instruction

    def transform(self, text: str, rng: random.Random) -> TransformOutput:
        return self.instruction + SEPARATOR + self.codec.encode(text, rng)

    def decode(self, transformed: str) -> str:
        if self.codec.decode is None:
            raise NotReversibleError(f"technique {self.info.id!r} loses information and cannot be reversed")
        prefix = self.instruction + SEPARATOR
        encoded = transformed[len(prefix) :] if transformed.startswith(prefix) else transformed
        return self.codec.decode(encoded)


def encoding_techniques() -> list[Technique]:
    """The text codecs of ``data/encoding.yaml``."""
    data = read_data_file("encoding")
    source = f"techniques/data/encoding.yaml@{data.get('version', 1)}"
    techniques: list[Technique] = []
    for entry in data["techniques"]:
        codec = CODECS[entry["codec"]]
        info = TechniqueInfo(
            id=f"encoding.{entry['id']}",
            category="encoding",
            description=entry["description"],
            tags=tuple(entry.get("tags", ())),
            family=entry.get("family", ""),
            params={"codec": entry["codec"], **entry.get("params", {})},
            reversible=codec.decode is not None,
            source=source,
        )
        techniques.append(CodecTechnique(info, codec, entry["instruction"]))
    return techniques
