"""Training of the guard classifier heads (needs scikit-learn; not imported at run time).

Run ``python -m raikit.guard.training --data ../shared/data --out src/raikit/guard/weights``.
"""
