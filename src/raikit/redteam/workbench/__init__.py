"""The human red-teaming workbench: a local web page over the results store.

``create_workbench_app`` needs the ``server`` extra (FastAPI); import it from
:mod:`raikit.redteam.workbench.app`.
"""
