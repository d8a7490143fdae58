"""Sweeps end to end: sweep files, designs, seeds, executors (serial, process, a real local Dask cluster),
crash-safe storage with a real SIGKILL, failures recorded, re-running one run alone, summaries, Sobol."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from escalation_sim.cli import app
from escalation_sim.sweep import (
    SweepError,
    distribution,
    execute_sweep,
    load_sweep,
    make_points,
    open_sweep,
    run_seed,
    run_sweep,
)
from escalation_sim.sweep.analysis import summarize, wilson_interval
from held_sweep import start_held_sweep

ROOT = Path(__file__).resolve().parents[2]
TWO_STATE = ROOT / "scenarios" / "two_state.yaml"
JAN2020 = ROOT / "scenarios" / "jan2020.yaml"
runner = CliRunner()

SMALL = f"""
name: small
base: {TWO_STATE}
seed: 11
replicates: 6
parameters:
  - path: actors.BLUE.rule.margin
    name: blue_margin
    values: [0.0, 1.0]
  - path: actors.RED.traits.resolve
    name: red_resolve
    values: [0.3, 0.9]
counterfactuals:
  historical: {{}}
  no_clash:
    remove_events: [E1]
"""


def write(tmp_path: Path, text: str, name: str = "sweep.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def comparable(frame: pd.DataFrame) -> pd.DataFrame:
    """A results table without what legitimately differs between executions (timings)."""
    return frame.drop(columns=["wall_time_s"]).sort_values("run_id").reset_index(drop=True)


# --- sweep files ---------------------------------------------------------------------------------------------


def test_sweep_file_errors_name_file_field_line_and_exit_2(tmp_path: Path) -> None:
    bad = write(tmp_path, SMALL.replace("replicates: 6", "replicates: 6\nreplicats: 3"))
    result = runner.invoke(app, ["sweep", str(bad), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert str(bad) in result.stderr and "replicats" in result.stderr and "did you mean 'replicates'" in result.stderr
    assert "line 6" in result.stderr
    assert not (tmp_path / "out").exists()

    typo = write(tmp_path, SMALL.replace("actors.BLUE.rule.margin", "actors.BLUE.rule.margn"), "typo.yaml")
    with pytest.raises(SweepError) as err:
        load_sweep(typo)
    assert "parameters.0.path" in str(err.value) and "margn" in str(err.value)

    missing = write(tmp_path, SMALL.replace(str(TWO_STATE), "nowhere.yaml"), "missing.yaml")
    result = runner.invoke(app, ["sweep", str(missing), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2 and "base" in result.stderr and "nowhere.yaml" in result.stderr

    no_range = write(tmp_path, SMALL + "design: {kind: lhs, samples: 4}\n", "norange.yaml")
    with pytest.raises(SweepError, match=r"parameters\.0\.range.*lhs"):
        load_sweep(no_range)

    event = write(tmp_path, SMALL.replace("[E1]", "[E9]"), "event.yaml")
    with pytest.raises(SweepError, match=r"counterfactuals\.no_clash.*E9.*did you mean 'E1'"):
        load_sweep(event)


def test_bad_options_exit_2(tmp_path: Path) -> None:
    sweep = write(tmp_path, SMALL)
    for args in (["--executor", "threads"], ["--workers", "0"], ["--scheduler", "tcp://127.0.0.1:1"],
                 ["--replicates", "0"]):  # fmt: skip
        result = runner.invoke(app, ["sweep", str(sweep), "--out", str(tmp_path / "o"), *args])
        assert result.exit_code == 2, (args, result.output)
        assert "error" in result.stderr


def test_unreachable_scheduler_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("escalation_sim.sweep.executors.SCHEDULER_TIMEOUT", "1s")
    sweep = write(tmp_path, SMALL)
    args = ["sweep", str(sweep), "--out", str(tmp_path / "o"), "--executor", "dask", "--scheduler",
            "tcp://127.0.0.1:9"]  # fmt: skip
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert "cannot reach the Dask scheduler at tcp://127.0.0.1:9" in result.stderr


# --- designs and seeds --------------------------------------------------------------------------------------------


def test_grid_crosses_parameters_and_counterfactuals(tmp_path: Path) -> None:
    points = make_points(load_sweep(write(tmp_path, SMALL)))
    assert len(points) == 2 * 2 * 2
    assert {(p.counterfactual, p.values["blue_margin"], p.values["red_resolve"]) for p in points} == {
        (cf, m, r) for cf in ("historical", "no_clash") for m in (0.0, 1.0) for r in (0.3, 0.9)
    }
    assert all(p.remove_events == ("E1",) for p in points if p.counterfactual == "no_clash")


@pytest.mark.parametrize("kind", ["random", "lhs"])
def test_samplers_cover_their_ranges(tmp_path: Path, kind: str) -> None:
    text = f"""
name: s
base: {TWO_STATE}
parameters:
  - {{path: actors.BLUE.rule.margin, name: m, range: [-1.0, 2.0]}}
  - {{path: actors.RED.traits.resolve, name: r, range: [0.2, 0.4]}}
  - {{path: actors.BLUE.decision_lag_days, name: lag, range: [1, 5], integer: true}}
  - {{path: branch_date, range: [2030-06-02, 2030-06-06]}}
design: {{kind: {kind}, samples: 200}}
"""
    sweep = load_sweep(write(tmp_path, text))
    points = make_points(sweep)
    m = np.array([p.values["m"] for p in points])
    r = np.array([p.values["r"] for p in points])
    assert len(points) == 200
    assert m.min() >= -1.0 and m.max() <= 2.0 and r.min() >= 0.2 and r.max() <= 0.4
    # spread over the whole range, not bunched: every tenth of it is hit
    assert len(np.unique(np.floor((m + 1.0) / 0.3).clip(0, 9))) == 10
    assert {p.values["lag"] for p in points} == {1, 2, 3, 4, 5}
    assert {p.branch_date for p in points} == {f"2030-06-0{d}" for d in range(2, 7)}
    if kind == "lhs":  # a Latin hypercube puts exactly one sample in each of n equal strata of each axis
        strata = np.floor((m + 1.0) / 3.0 * 200).astype(int)
        assert sorted(strata) == list(range(200))
    assert [p.values for p in make_points(sweep)] == [p.values for p in points]  # deterministic


def test_saltelli_design_has_salib_size(tmp_path: Path) -> None:
    text = f"""
name: s
base: {TWO_STATE}
parameters:
  - {{path: actors.BLUE.rule.margin, name: m, range: [-1.0, 2.0]}}
  - {{path: actors.RED.traits.resolve, name: r, range: [0.2, 0.4]}}
design: {{kind: saltelli, base_samples: 16}}
"""
    points = make_points(load_sweep(write(tmp_path, text)))
    assert len(points) == 16 * (2 + 2)
    m = np.array([p.values["m"] for p in points])
    assert m.min() >= -1.0 and m.max() <= 2.0 and m.max() - m.min() > 2.0


def test_seeds_are_deterministic_distinct_and_fit_int64() -> None:
    seeds = [run_seed(5, p, r) for p in range(50) for r in range(50)]
    assert seeds == [run_seed(5, p, r) for p in range(50) for r in range(50)]
    assert len(set(seeds)) == len(seeds)
    assert all(0 <= s < 2**63 for s in seeds)
    assert run_seed(6, 0, 0) != run_seed(5, 0, 0)
    assert run_seed(5, 3, 1, common_random_numbers=True) == run_seed(5, 7, 1, common_random_numbers=True)


# --- executors give identical tables -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def dask_cluster():
    from distributed import LocalCluster

    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                           dashboard_address=":0")  # fmt: skip
    yield cluster
    cluster.close()


def test_serial_process_and_dask_give_identical_tables(tmp_path: Path, dask_cluster) -> None:
    sweep = write(tmp_path, SMALL)
    serial = execute_sweep(sweep, tmp_path / "serial", executor="serial", trajectories=True, progress=False)
    assert serial.complete and serial.runs_done == 48 and serial.runs_failed == 0
    reference = open_sweep(tmp_path / "serial")
    process = execute_sweep(sweep, tmp_path / "process", executor="process", workers=2, chunk_size=5,
                            trajectories=True, progress=False)  # fmt: skip
    assert process.complete
    dask = execute_sweep(sweep, tmp_path / "dask", executor="dask", scheduler=dask_cluster.scheduler_address,
                         chunk_size=3, trajectories=True, progress=False)  # fmt: skip
    assert dask.complete
    expected = comparable(reference.results)
    assert len(expected) == 48 and expected["run_id"].tolist() == list(range(48))
    # the sweep is not trivially constant (its 48 two_state runs all code de-escalation under the death-based
    # classes since words and deeds, so the check reads what the runs did)
    assert expected["hostile_acts"].nunique() > 1 and expected["max_rung"].nunique() > 1
    for name in ("process", "dask"):
        folder = open_sweep(tmp_path / name)
        pd.testing.assert_frame_equal(comparable(folder.results), expected)
        pd.testing.assert_frame_equal(folder.trajectories(), reference.trajectories())
        # pandas reads the folder whole
        whole = pd.read_parquet(tmp_path / name / "results")
        pd.testing.assert_frame_equal(comparable(whole), expected, check_dtype=False)
    in_memory = run_sweep(sweep, executor="process", workers=1, progress=False)
    pd.testing.assert_frame_equal(comparable(in_memory), expected)


def test_dask_local_cluster_when_no_scheduler(tmp_path: Path) -> None:
    sweep = write(tmp_path, SMALL)
    frame = run_sweep(sweep, executor="dask", workers=1, replicates=2, progress=False)
    serial = run_sweep(sweep, executor="serial", replicates=2, progress=False)
    pd.testing.assert_frame_equal(comparable(frame), comparable(serial))


# --- storage: resume, kill -9, failures -------------------------------------------------------------------------


def _sweep_cli(sweep: Path, out: Path, *extra: str) -> subprocess.Popen:
    command = [sys.executable, "-m", "escalation_sim.cli", "sweep", str(sweep), "--out", str(out), "--no-summary",
               *extra]  # fmt: skip
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)


def _parts(out: Path) -> list[str]:
    folder = out / "results"
    return sorted(os.listdir(folder)) if folder.is_dir() else []


# Each kill lands where the child sweep waits (held_sweep): after a part is recorded, between a part's commit and
# its record in the manifest, or halfway through writing a part; never a race with the machine's speed.
@pytest.mark.parametrize(
    ("executor", "holds"),
    [("serial", ("recorded", "mid-write")), ("process", ("unrecorded",))],
    ids=["serial", "process"],
)
def test_killed_sweep_resumes_to_the_uninterrupted_table(tmp_path: Path, executor: str, holds: tuple) -> None:
    sweep = write(tmp_path, SMALL)
    expected = comparable(run_sweep(sweep, executor="serial", progress=False))
    out = tmp_path / "killed"
    options = ["sweep", str(sweep), "--out", str(out), "--no-summary", "--executor", executor, "--workers", "2",
               "--flush-rows", "7", "--chunk-size", "3", "--trajectories"]  # fmt: skip
    for number, hold in enumerate(holds):
        marker = tmp_path / f"held-{number}"
        proc = start_held_sweep(marker, hold, *options)
        deadline = time.monotonic() + 120
        while not marker.exists() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)
        assert marker.exists(), f"the sweep never reached {hold}: {proc.poll()} {proc.stderr.read().decode()}"
        os.killpg(proc.pid, signal.SIGKILL)  # the sweep and its worker processes, where it waits
        proc.communicate(timeout=30)
        assert all(name.startswith("part-") and name.endswith(".parquet") for name in _parts(out))
        if hold == "mid-write":  # a half-written part in .tmp/, its trajectory part beside no results part
            assert any(name.endswith(".tmp") for name in os.listdir(out / ".tmp"))
            assert len(os.listdir(out / "trajectories")) == len(_parts(out)) + 1
    partial = open_sweep(out).results
    assert len(_parts(out)) == 1 and len(partial) == 9  # one part of three chunks of three runs, of 48
    proc = _sweep_cli(sweep, out, *options[5:])
    stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 0, stderr.decode()
    assert "already stored" in stdout.decode()
    results = open_sweep(out).results
    assert results["run_id"].is_unique
    pd.testing.assert_frame_equal(comparable(results), expected)
    trajectories = open_sweep(out).trajectories()
    assert len(trajectories) == len(expected) * 60 and not trajectories.duplicated(["run_id", "day"]).any()
    assert not os.listdir(out / ".tmp")


def test_rerun_skips_finished_runs_and_refuses_another_sweep(tmp_path: Path) -> None:
    sweep = write(tmp_path, SMALL)
    out = tmp_path / "out"
    first = execute_sweep(sweep, out, executor="serial", progress=False)
    again = execute_sweep(sweep, out, executor="serial", progress=False)
    assert (first.runs_done, again.runs_done, again.runs_skipped) == (48, 0, 48)
    assert len(open_sweep(out).results) == 48
    other = write(tmp_path, SMALL.replace("seed: 11", "seed: 12"), "other.yaml")
    result = runner.invoke(app, ["sweep", str(other), "--out", str(out)])
    assert result.exit_code == 2 and "holds another sweep" in result.stderr and "root_seed" in result.stderr
    result = runner.invoke(app, ["sweep", str(sweep), "--out", str(out), "--replicates", "2"])
    assert result.exit_code == 2 and "replicates" in result.stderr
    assert len(open_sweep(out).results) == 48  # nothing already written is lost


def test_a_failing_point_is_recorded_not_fatal(tmp_path: Path) -> None:
    text = SMALL.replace("values: [0.0, 1.0]", "values: [0.0, 7.5]")  # margin must lie in -3..3
    sweep = write(tmp_path, text)
    out = tmp_path / "out"
    result = runner.invoke(app, ["sweep", str(sweep), "--out", str(out), "--executor", "process", "--workers", "2"])
    assert result.exit_code == 1
    assert "24 run(s) failed" in result.stderr
    results = open_sweep(out).results
    failed = results[results["error"].notna()]
    assert len(results) == 48 and len(failed) == 24
    assert (failed["blue_margin"] == 7.5).all() and failed["outcome"].isna().all()
    assert "margin" in failed["error"].iloc[0] and "less than or equal to 3" in failed["error"].iloc[0]
    ok = results[results["error"].isna()]
    assert ok["outcome"].notna().all() and (ok["blue_margin"] == 0.0).all()
    summary = pd.read_csv(out / "summary.csv")
    assert set(summary.loc[summary["blue_margin"] == 7.5, "failed"]) == {6}


def test_one_run_reruns_alone_with_escalation_sim_run(tmp_path: Path) -> None:
    text = f"""
name: rerun
base: {JAN2020}
seed: 3
replicates: 3
parameters:
  - {{path: actors.USA.rule.regimes.red_line.rung_threshold, name: us_red_line, values: [5, 9]}}
  - {{path: branch_date, values: [2020-01-02, 2020-01-04]}}
counterfactuals:
  historical: {{}}
  no_soleimani: {{remove_events: [A06]}}
"""
    sweep = write(tmp_path, text)
    out = tmp_path / "out"
    execute_sweep(sweep, out, executor="process", workers=2, progress=False)
    folder = open_sweep(out)
    results = folder.results
    for run_id in (0, 7, 23):
        row = results[results["run_id"] == run_id].iloc[0]
        shown = runner.invoke(app, ["sweep-point", str(out), str(run_id)])
        assert shown.exit_code == 0, shown.output
        command = shown.stdout.strip().splitlines()[-1].split()
        assert command[:2] == ["escalation-sim", "run"]
        rerun_out = tmp_path / f"rerun{run_id}"
        result = runner.invoke(app, [*command[1:], "--out", str(rerun_out), "--no-figure", "--show", "0"])
        assert result.exit_code == 0, result.output
        summary = json.loads((rerun_out / "summary.json").read_text())
        assert summary["seed"] == row["seed"] and summary["branch_date"] == row["branch_date"]
        assert summary["outcome"] == row["outcome"]
        assert summary["hostile_deaths"] == row["hostile_deaths"]
        assert (summary["max_rung"] or -99) == (row["max_rung"] if pd.notna(row["max_rung"]) else -99)
        assert summary["casualties"]["killed"].get("USA", 0) == row["killed_USA"]
    assert results.loc[results["run_id"] == 23, "counterfactual"].item() == "no_soleimani"


# --- summaries and APIs ------------------------------------------------------------------------------------------


def test_wilson_intervals_on_known_cases() -> None:
    low, high = wilson_interval(5, 10)
    assert (round(low, 4), round(high, 4)) == (0.2366, 0.7634)
    low, high = wilson_interval(0, 10)
    assert low == 0.0 and round(high, 4) == 0.2775
    low, high = wilson_interval(10, 10)
    assert round(low, 4) == 0.7225 and high == pytest.approx(1.0)
    # the textbook formula, z = 1.959964
    k, n, z = 37, 120, 1.959964
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    assert wilson_interval(k, n) == pytest.approx((centre - half, centre + half), abs=1e-6)


def test_summary_counts_and_quantiles_on_a_known_table() -> None:
    outcomes = ["war"] * 3 + ["de-escalation"] * 7 + ["protracted"] * 2
    frame = pd.DataFrame({
        "point": [0] * 10 + [1] * 2, "counterfactual": "base", "branch_date": "2020-01-04",
        "x": [1.0] * 10 + [2.0] * 2, "outcome": outcomes,
        "hostile_deaths": [*range(10), 5, 5], "days_to_calm": [None] * 3 + [1, 2, 3, 4, 5, 6, 7] + [None] * 2,
        "max_rung": [10] * 3 + [6] * 7 + [7, 7], "error": [None] * 12,
    })  # fmt: skip
    frame.loc[11, ["outcome", "error"]] = [None, "ValueError: boom"]
    summary = summarize(frame, ["x"]).set_index("point")
    assert summary.loc[0, "runs"] == 10 and summary.loc[0, "failed"] == 0
    assert summary.loc[0, "p_war"] == 0.3 and summary.loc[0, "p_de-escalation"] == 0.7
    assert (summary.loc[0, "p_war_low"], summary.loc[0, "p_war_high"]) == pytest.approx(wilson_interval(3, 10))
    assert summary.loc[0, "deaths_q50"] == 4.5 and summary.loc[0, "days_to_calm_q50"] == 4.0
    assert summary.loc[1, "runs"] == 2 and summary.loc[1, "failed"] == 1 and summary.loc[1, "p_protracted"] == 1.0


def test_distribution_api_matches_a_one_point_sweep(tmp_path: Path) -> None:
    frame = distribution(TWO_STATE, n=40, seed=4, workers=2)
    assert len(frame) == 40 and frame["run_id"].tolist() == list(range(40))
    assert frame["error"].isna().all() and set(frame["outcome"]) <= {"war", "de-escalation", "protracted"}
    assert frame["seed"].tolist() == [run_seed(4, 0, r) for r in range(40)]
    serial = distribution(TWO_STATE, n=40, seed=4, workers=1)
    pd.testing.assert_frame_equal(serial.drop(columns="wall_time_s"), frame.drop(columns="wall_time_s"))
    sweep = write(tmp_path, f"name: one\nbase: {TWO_STATE}\nseed: 4\nreplicates: 40\n")
    swept = run_sweep(sweep, executor="serial", progress=False)
    assert swept["outcome"].tolist() == frame["outcome"].tolist()


def test_sweep_cli_writes_summary_and_figures(tmp_path: Path) -> None:
    sweep = write(tmp_path, SMALL)
    out = tmp_path / "out"
    result = runner.invoke(app, ["sweep", str(sweep), "--out", str(out), "--executor", "serial", "--trajectories",
                                 "--replicates", "3"])  # fmt: skip
    assert result.exit_code == 0, result.output
    summary = pd.read_csv(out / "summary.csv")
    assert len(summary) == 8 and (summary["runs"] == 3).all()
    assert ((summary["p_war"] >= summary["p_war_low"]) & (summary["p_war"] <= summary["p_war_high"])).all()
    for name in ("outcome_vs_blue_margin.png", "heatmap_war_blue_margin_red_resolve_historical.png",
                 "fan_charts/point_0000.png", "fan_charts/point_0007.png"):  # fmt: skip
        assert (out / name).stat().st_size > 1000
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "complete" and manifest["runs"] == 24 and manifest["replicates"] == 3
    assert len(manifest["scenario_sha256"]) == 64 and len(manifest["sweep_sha256"]) == 64


def test_sensitivity_reports_sobol_indices(tmp_path: Path) -> None:
    text = f"""
name: sobol
base: {TWO_STATE}
seed: 1
replicates: 1
parameters:
  - {{path: actors.BLUE.rule.margin, name: blue_margin, range: [-1.0, 2.0]}}
  - {{path: actors.RED.traits.resolve, name: red_resolve, range: [0.1, 0.9]}}
design: {{kind: saltelli, base_samples: 16}}
"""
    sweep = write(tmp_path, text)
    out = tmp_path / "sobol"
    result = runner.invoke(app, ["sensitivity", str(sweep), "--out", str(out), "--output", "war", "--output",
                                 "casualties", "--workers", "2"])  # fmt: skip
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out / "sobol.csv")
    assert set(table["parameter"]) == {"blue_margin", "red_resolve"} and set(table["output"]) == {"war", "casualties"}
    assert {"S1", "S1_conf", "ST", "ST_conf"} <= set(table.columns)
    assert (table["ST_conf"] >= 0).all()
    assert (out / "sobol_war_base.png").exists()
    grid = write(tmp_path, SMALL, "grid.yaml")
    result = runner.invoke(app, ["sensitivity", str(grid), "--out", str(tmp_path / "g")])
    assert result.exit_code == 2 and "saltelli" in result.stderr


def test_benchmark_script_runs_at_tiny_sizes(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    proc = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "bench_sweep.py"), "--smoke", "--only", "runner",
         "--json", str(out)],
        capture_output=True, text=True, timeout=240,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    data = json.loads(out.read_text())
    assert data["machine"]["nproc"] >= 1 and data["results"]
