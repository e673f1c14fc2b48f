"""Red teaming: the technique library, delivery of attacks to targets, automated attackers.

from raikit.redteam import chain, deliver, get_technique
result = chain(["framing.fiction-novel", "encoding.base64"]).apply("payload", seed=1)
delivery = deliver(target, result)        # turn by turn for multi-turn results
"""

from raikit.redteam.delivery import Delivery, ImageCapableTarget, deliver, image_skip_reason
from raikit.redteam.techniques import (
    CATEGORIES,
    Category,
    CompositionError,
    ImageAttack,
    Technique,
    TechniqueChain,
    TechniqueError,
    TechniqueInfo,
    TechniqueResult,
    UnknownTechniqueError,
    chain,
    get_technique,
    list_techniques,
)

__all__ = [
    "CATEGORIES",
    "Category",
    "CompositionError",
    "Delivery",
    "ImageAttack",
    "ImageCapableTarget",
    "Technique",
    "TechniqueChain",
    "TechniqueError",
    "TechniqueInfo",
    "TechniqueResult",
    "UnknownTechniqueError",
    "chain",
    "deliver",
    "get_technique",
    "image_skip_reason",
    "list_techniques",
]
