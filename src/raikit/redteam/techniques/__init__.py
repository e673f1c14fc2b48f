"""The red-team technique library: 300+ typed, composable prompt transforms in 7 categories.

See :mod:`raikit.redteam.techniques.base` for the model and an example.
"""

from raikit.redteam.techniques.base import (
    CATEGORIES,
    CATEGORY_TITLES,
    MAX_CHAIN,
    OUTPUTS,
    Category,
    CompositionError,
    ImageAttack,
    NotReversibleError,
    Output,
    Technique,
    TechniqueChain,
    TechniqueError,
    TechniqueInfo,
    TechniqueResult,
    TransformOutput,
    UnknownTechniqueError,
    technique_rng,
)
from raikit.redteam.techniques.registry import (
    TechniqueLibrary,
    TechniquePackInfo,
    TechniquePackRegistry,
    UnknownTechniquePackError,
    chain,
    default_library,
    get_technique,
    list_techniques,
    technique_pack,
)

__all__ = [
    "CATEGORIES",
    "CATEGORY_TITLES",
    "MAX_CHAIN",
    "OUTPUTS",
    "Category",
    "CompositionError",
    "ImageAttack",
    "NotReversibleError",
    "Output",
    "Technique",
    "TechniqueChain",
    "TechniqueError",
    "TechniqueInfo",
    "TechniqueLibrary",
    "TechniquePackInfo",
    "TechniquePackRegistry",
    "TechniqueResult",
    "TransformOutput",
    "UnknownTechniqueError",
    "UnknownTechniquePackError",
    "chain",
    "default_library",
    "get_technique",
    "list_techniques",
    "technique_pack",
    "technique_rng",
]
