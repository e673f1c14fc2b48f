"""The built-in technique packs, declared under ``raikit.techniques`` in ``pyproject.toml``.

Each category's templates live in versioned YAML files under ``data/``; the packs only say which
files (or code-defined families) make up which pack.
"""

from __future__ import annotations

from raikit.redteam.techniques.base import Technique
from raikit.redteam.techniques.registry import technique_pack
from raikit.redteam.techniques.templates import load_techniques


def _from_files(*names: str) -> list[Technique]:
    return [technique for name in names for technique in load_techniques(name)]


@technique_pack(
    "encoding", description="Encoding and obfuscation: base-n, ciphers, Unicode tricks, ASCII art"
)
def encoding_pack() -> list[Technique]:
    from raikit.redteam.techniques.encoding import encoding_techniques

    return encoding_techniques()


@technique_pack("roleplay", description="Role-play and persona jailbreaks")
def roleplay_pack() -> list[Technique]:
    return _from_files("roleplay")


@technique_pack("injection", description="Instruction override, indirect injection, system-prompt extraction")
def injection_pack() -> list[Technique]:
    return _from_files("injection_direct", "injection_indirect", "injection_extraction")


@technique_pack("framing", description="Hypothetical, fiction, research, historical and educational framing")
def framing_pack() -> list[Technique]:
    return _from_files("framing")


@technique_pack("decomposition", description="Payload splitting, crescendo escalation, context priming")
def decomposition_pack() -> list[Technique]:
    return _from_files("decomposition")


@technique_pack("language", description="Language and dialect switching in 9 languages, low-resource framing")
def language_pack() -> list[Technique]:
    return _from_files("language")


@technique_pack("output_format", description="Prefix injection, format wrappers, refusal suppression")
def output_format_pack() -> list[Technique]:
    return _from_files("output_format")


@technique_pack(
    "multimodal", description="Text to image: typographic attacks, contradictions, hidden payloads"
)
def multimodal_pack() -> list[Technique]:
    from raikit.redteam.techniques.multimodal import multimodal_techniques

    return multimodal_techniques()
