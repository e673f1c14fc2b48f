"""``raikit fedmm`` end to end: real Flower simulations (Ray backend), resume after a kill, bad input."""

from __future__ import annotations

import functools
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from support import free_port, run_raikit

pytest.importorskip("flwr")
pytest.importorskip("torch")

RAIKIT = [sys.executable, "-m", "raikit.cli"]
TINY = ["--dataset", "synthetic", "--clients", "3", "--rounds", "2", "--cpus", "2"]


raikit = functools.partial(run_raikit, timeout=300)


def completed_ids(run_dir: Path) -> dict[str, str]:
    db = run_dir / "results.sqlite"
    if not db.exists():
        return {}
    with sqlite3.connect(f"{db.as_uri()}?mode=ro", uri=True) as conn:
        try:
            rows = conn.execute("SELECT item_id, created_at FROM attempt WHERE error IS NULL").fetchall()
        except sqlite3.OperationalError:  # schema not created yet
            return {}
    return dict(rows)


@pytest.mark.integration
@pytest.mark.slow
@pytest.mark.timeout(900)  # Ray's start-up alone takes minutes on a 2-core machine shared with other jobs
def test_run_trains_with_flower_and_writes_the_report(tmp_path: Path) -> None:
    out = tmp_path / "run"
    result = raikit(
        "fedmm",
        "run",
        *TINY,
        "--strategy",
        "fedprox",
        "--missing-modality",
        "0.3",
        "--missing-labels",
        "0.2",
        "--label-noise",
        "0.1",
        "--executor",
        "local",
        "-o",
        str(out),
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "accuracy" in result.stdout
    summary = json.loads((out / "results.json").read_text())
    assert summary["kind"] == "fedmm-run"
    assert summary["spec"]["strategy"] == "fedprox"
    assert len(summary["accuracy_by_round"]) == 3  # initial weights + 2 rounds
    assert summary["accuracy"] > 0.5  # 4 balanced classes: chance is 0.25
    stats = summary["client_stats"]
    assert stats["samples"] == 600 and 0 < stats["missing_modality"] < 600 and stats["unlabelled"] > 0
    page = (out / "index.html").read_text()
    assert "<svg" in page and "<script" not in page and 'id="accuracy"' in page
    # Resuming a finished run does not train again.
    again = raikit(
        "fedmm",
        "run",
        *TINY,
        "--strategy",
        "fedprox",
        "--missing-modality",
        "0.3",
        "--missing-labels",
        "0.2",
        "--label-noise",
        "0.1",
        "-o",
        str(out),
        "--resume",
        timeout=60,
    )
    assert again.returncode == 0, again.stderr[-2000:]
    assert json.loads((out / "results.json").read_text())["accuracy"] == summary["accuracy"]


@pytest.mark.integration
@pytest.mark.slow
@pytest.mark.timeout(900)
def test_executor_ray_joins_an_existing_cluster(tmp_path: Path) -> None:
    """`--executor ray --ray-address` runs the clients on a cluster the user started (`ray start`)."""
    ray_cli = Path(sys.executable).with_name("ray")
    if not ray_cli.exists():
        pytest.skip("the ray command is not installed next to this Python")
    import shutil
    import tempfile

    port = free_port()
    ray_tmp = Path(tempfile.mkdtemp(prefix="rk-ray-"))  # short: Ray's socket paths must fit 107 bytes
    env = {**os.environ, "RAY_USAGE_STATS_ENABLED": "0"}
    head = [str(ray_cli), "start", "--head", "--node-ip-address", "127.0.0.1", "--port", str(port),
            "--num-cpus", "2", "--include-dashboard", "false", "--disable-usage-stats",
            "--temp-dir", str(ray_tmp)]  # fmt: skip
    started = subprocess.run(head, capture_output=True, text=True, env=env, timeout=300, check=False)
    try:
        assert started.returncode == 0, started.stderr[-3000:]
        out = tmp_path / "cluster-run"
        result = raikit(
            "fedmm", "run", "--dataset", "synthetic", "--clients", "2", "--rounds", "1",
            "--executor", "ray", "--ray-address", f"127.0.0.1:{port}", "-o", str(out), env=env, timeout=600,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr[-3000:]
        summary = json.loads((out / "results.json").read_text())
        assert len(summary["accuracy_by_round"]) == 2 and summary["accuracy"] > 0.4
        # The clients ran on that cluster: its session folder has the job's worker logs.
        assert list(ray_tmp.glob("session_*/logs/worker-*")), "no worker of the cluster ran"
    finally:
        stop = [str(ray_cli), "stop", "--force"]
        subprocess.run(stop, capture_output=True, env=env, timeout=120, check=False)
        shutil.rmtree(ray_tmp, ignore_errors=True)


@pytest.mark.integration
@pytest.mark.slow
@pytest.mark.timeout(900)  # Ray's start-up alone takes minutes on a 2-core machine shared with other jobs
def test_sweep_resumes_after_a_kill(tmp_path: Path) -> None:
    out = tmp_path / "sweep"
    grid = [
        "fedmm",
        "sweep",
        *TINY,
        "--strategies",
        "fedavg,fedopt",
        "--fusions",
        "attention,late",
        "--corruptions",
        "label-noise",
        "--rates",
        "0,0.5",
        "--seeds",
        "0",
        "-o",
        str(out),
    ]
    # 2 strategies x 2 rates + late fusion x 2 rates + 2 single-modality baselines = 8 experiments
    proc = subprocess.Popen(
        [*RAIKIT, *grid], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True
    )
    try:
        deadline = time.monotonic() + 240
        while len(completed_ids(out)) < 2:
            assert proc.poll() is None, proc.stdout.read().decode()[-3000:] if proc.stdout else ""
            assert time.monotonic() < deadline, "the sweep recorded nothing in time"
            time.sleep(0.2)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # the CLI and the Ray processes it started
        proc.wait()
    before = completed_ids(out)
    assert 2 <= len(before) < 8
    refused = raikit(*grid, timeout=60)  # same folder without --resume
    assert refused.returncode == 2 and "--resume" in refused.stderr
    resumed = raikit(*grid, "--resume")
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    after = completed_ids(out)
    assert len(after) == 8
    assert all(after[item] == created for item, created in before.items())  # nothing redone
    summary = json.loads((out / "results.json").read_text())
    assert summary["n_completed"] == 8
    assert set(summary["strategy_curves"]["curves"]) == {"fedavg", "fedopt"}
    assert summary["least_degradation"]["strategy"] in {"fedavg", "fedopt"}
    assert summary["modality_baselines"]["best_single"] in {"a", "b"}
    assert "<svg" in (out / "index.html").read_text()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["run", "--missing-labels", "1.5"], "--missing-labels"),
        (["run", "--dataset", "nope"], "unknown dataset 'nope'"),
        (["run", "--dataset", "synthetic", "--modalities", "a,zzz"], "no modality zzz"),
        (
            ["run", "--dataset", "synthetic", "--modalities", "a", "--missing-modality", "0.5"],
            "two modalities",
        ),
        (["run", "--dataset", "av-digits", "--data-dir", "/nonexistent"], "FSDD recordings not found"),
        (["run", "--strategy", "fedsgd"], "--strategy"),
        (["sweep", "--dataset", "synthetic", "--strategies", "fedavg,fedfoo"], "fedfoo"),
        (["sweep", "--dataset", "synthetic", "--rates", "0,2"], "rates must lie in [0, 1]"),
        (["sweep", "--dataset", "synthetic", "--seeds", "1,1"], "without repeats"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(tmp_path: Path, args: list[str], message: str, capsys) -> None:
    from raikit.cli.main import main

    out = tmp_path / "out"
    with pytest.raises(SystemExit) as exit_info:
        main(["fedmm", *args, "-o", str(out)])
    stderr = capsys.readouterr().err
    assert exit_info.value.code == 2, stderr
    assert message in stderr
    assert len([line for line in stderr.splitlines() if line.strip()]) == 1
    assert not (out / "results.sqlite").exists()  # nothing stored for a rejected command


def test_a_folder_in_use_by_another_sweep_is_refused(tmp_path: Path) -> None:
    import fcntl

    from raikit.fedmm.errors import FedMMConfigError
    from raikit.fedmm.spec import make_spec
    from raikit.fedmm.sweep import make_sweep_config, run_sweep

    out = tmp_path / "busy"
    out.mkdir()
    config = make_sweep_config(base=make_spec(dataset={"name": "synthetic"}, clients=2, rounds=1), seeds=(0,))
    with (out / ".fedmm.lock").open("a") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        with pytest.raises(FedMMConfigError, match="another raikit fedmm process"):
            run_sweep(config, out)
    assert not (out / "results.sqlite").exists()
