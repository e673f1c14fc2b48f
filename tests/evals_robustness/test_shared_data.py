"""The benchmarks built from the real public data in ../shared/data (skipped when it is absent),
and a tiny real run on the embedded model."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from raikit.evals import BenchmarkOptions, run_eval
from raikit.evals.benchmarks.fever import fever_benchmark
from raikit.evals.benchmarks.pieval import pieval_benchmark
from raikit.evals.benchmarks.slang import slang_benchmark
from support import SHARED_DATA

pytestmark = pytest.mark.skipif(not SHARED_DATA.is_dir(), reason="../shared/data is absent")


def test_pieval_from_bipia_mixes_sources_positions_and_contexts() -> None:
    task = pieval_benchmark(BenchmarkOptions(data_dir=SHARED_DATA))
    attacked = [s for s in task.samples if s.metadata["injected"]]
    assert (
        len(task.samples) == 300 and len(attacked) == 150
    )  # 50 email + 100 table contexts, clean + attacked
    assert {s.metadata["attack_source"] for s in attacked} == {"raikit", "bipia"}
    assert {s.metadata["position"] for s in attacked} == {"start", "middle", "end"}
    assert {s.metadata["context_type"] for s in attacked} == {"email", "table"}
    first = pieval_benchmark(BenchmarkOptions(data_dir=SHARED_DATA, limit=8))
    assert Counter(s.metadata["context_type"] for s in first.samples) == {"email": 4, "table": 4}


def test_fever_dev_is_balanced_and_deterministic() -> None:
    task = fever_benchmark(BenchmarkOptions(data_dir=SHARED_DATA, limit=30))
    assert Counter(s.metadata["label"] for s in task.samples) == {"SUPPORTS": 10, "REFUTES": 10,
                                                                   "NOT ENOUGH INFO": 10}  # fmt: skip
    again = fever_benchmark(BenchmarkOptions(data_dir=SHARED_DATA, limit=30))
    assert [s.id for s in task.samples] == [s.id for s in again.samples]


def test_slang_adds_opensub_term_meanings() -> None:
    task = slang_benchmark(BenchmarkOptions(data_dir=SHARED_DATA))
    opensub = [s for s in task.samples if s.metadata["part"] == "opensub"]
    assert len(opensub) == 467  # agreed, paraphrased, distinct terms (one item per term)
    assert all(s.metadata["answer"] in "ABCD" for s in opensub)
    assert {s.metadata["region"] for s in opensub} == {"US", "UK"}
    assert [s.metadata["part"] for s in task.samples[:3]] == ["pairs", "pairs", "opensub"]


@pytest.mark.integration
@pytest.mark.slow
def test_real_run_on_the_embedded_model(default_gguf: Path, tmp_path: Path) -> None:
    for name in ("slang", "fever"):
        options = BenchmarkOptions(data_dir=SHARED_DATA, limit=2, quick=True)
        result = run_eval(name, "llamacpp:default", tmp_path / name, options=options, progress=False)
        assert result.n_items == 2
        metrics = result.summary["metrics"]
        json.dumps(metrics)
        scored = [m for m in metrics if m["n"]]
        assert scored and all(m["value"] is None or 0.0 <= abs(m["value"]) <= 1.0 for m in scored)
