"""raikit: an offline-first responsible-AI toolkit.

The top-level package stays import-cheap; the public API lives in the sub-packages:
``raikit.models`` (targets), ``raikit.core`` (types, taxonomy, results store).
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
