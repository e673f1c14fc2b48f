"""Multi-VALUE-style dialect transformations of Standard American English, keyed by eWAVE feature."""

from raikit.evals.dialect.ewave import VarietyProfile, load_variety_profiles
from raikit.evals.dialect.features import DialectFeature, dialect_features, transform

__all__ = ["DialectFeature", "VarietyProfile", "dialect_features", "load_variety_profiles", "transform"]
