"""Event series of a sweep's runs (issue 10 item 5): `sweep-events` re-runs stored runs, each under its own
point's scenario (parameter edits and removed events applied), and writes what those runs did as Parquet."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from escalation_sim.cli import app
from escalation_sim.scenario import load_scenario
from escalation_sim.sweep import open_sweep
from escalation_sim.sweep.events import rerun_events

ROOT = Path(__file__).resolve().parents[2]
TWO_STATE = ROOT / "scenarios" / "two_state.yaml"
runner = CliRunner()

SWEEP = f"""
name: events
base: {TWO_STATE}
seed: 5
replicates: 5
parameters:
  - path: actors.RED.traits.resolve
    name: red_resolve
    values: [0.1, 0.95]
  - path: actors.BLUE.traits.cost_sensitivity
    name: blue_cost
    values: [0.05, 0.95]
counterfactuals:
  historical: {{}}
  no_clash:
    remove_events: [E1]
"""


def _totals(events: pd.DataFrame, runs: pd.Series) -> pd.DataFrame:
    """Dead and wounded per run, 0 for a run with no act at all (no rows in event data)."""
    return events.groupby("run")[["killed", "wounded"]].sum().reindex(sorted(runs), fill_value=0)


def test_sweep_events_rerun_each_run_under_its_points_scenario(tmp_path: Path) -> None:
    spec = tmp_path / "sweep.yaml"
    spec.write_text(SWEEP)
    out = tmp_path / "sweep"
    done = runner.invoke(app, ["sweep", str(spec), "--out", str(out), "--executor", "serial", "--no-summary"])
    assert done.exit_code == 0, done.output
    done = runner.invoke(app, ["sweep-events", str(out)])
    assert done.exit_code == 0, done.output
    events = pd.read_parquet(out / "events.parquet")
    results = open_sweep(out).results
    points = open_sweep(out).points
    assert len(results) == 40 and set(events["run"]) <= set(results["run_id"])  # a run with no act has no rows
    # the same runs as the results describe: every run's dead and wounded, summed over its acts
    killed = [c for c in results.columns if c.startswith("killed_") and "after_branch" not in c]
    wounded = [c for c in results.columns if c.startswith("wounded_")]
    stored = pd.DataFrame({"killed": results[killed].fillna(0).sum(axis=1).to_numpy(),
                           "wounded": results[wounded].fillna(0).sum(axis=1).to_numpy()},
                          index=results["run_id"].to_numpy())  # fmt: skip
    assert (_totals(events, results["run_id"]).to_numpy() == stored.sort_index().to_numpy()).all()
    # the counterfactual's removed event is gone from its runs only
    no_clash = set(points.loc[points["counterfactual"] == "no_clash", "point"])
    removed = results.loc[results["point"].isin(no_clash), "run_id"]
    with_e1 = set(events.loc[events["event_id"] == "E1", "run"])
    assert with_e1 and not with_e1 & set(removed) and with_e1 | set(removed) == set(results["run_id"])
    # re-running under the base scenario alone (what the re-run did before each point's edits were applied) gives
    # other runs: the edits matter, so the test above would catch their being dropped
    base = pd.read_parquet(rerun_events(load_scenario(TWO_STATE), results.drop(columns="point"),
                                        tmp_path / "base.parquet", progress=False))  # fmt: skip
    assert not _totals(base, results["run_id"]).equals(_totals(events, results["run_id"]))
    assert set(base.loc[base["event_id"] == "E1", "run"]) != with_e1

    # chosen runs and points, another file
    part = tmp_path / "part.parquet"
    done = runner.invoke(app, ["sweep-events", str(out), "--points", "1,3", "--runs", "0-29", "--out", str(part)])
    assert done.exit_code == 0, done.output
    chosen = pd.read_parquet(part)
    expected = set(results.loc[results["point"].isin({1, 3}) & (results["run_id"] <= 29), "run_id"])
    assert set(chosen["run"]) == expected
    same = events[events["run"].isin(expected)].reset_index(drop=True)
    pd.testing.assert_frame_equal(chosen.reset_index(drop=True), same)


def test_sweep_events_bad_input_exits_2_naming_the_option(tmp_path: Path) -> None:
    spec = tmp_path / "sweep.yaml"
    spec.write_text(SWEEP.replace("replicates: 5", "replicates: 1"))
    out = tmp_path / "sweep"
    assert runner.invoke(app, ["sweep", str(spec), "--out", str(out), "--executor", "serial",
                               "--no-summary"]).exit_code == 0  # fmt: skip
    for args, message in ((["--runs", "x"], "--runs"), (["--runs", "5-2"], "--runs"), (["--points", "99"], "no run"),
                          (["--runs", "1000"], "no run 1000"), (["--out", "/dev/null"], "--out"),
                          (["--out", str(tmp_path)], "--out")):  # fmt: skip
        done = runner.invoke(app, ["sweep-events", str(out), *args])
        assert done.exit_code == 2, (args, done.output)
        assert message in done.output, (args, done.output)
    done = runner.invoke(app, ["sweep-events", str(tmp_path / "nowhere")])
    assert done.exit_code == 2 and "not a sweep folder" in done.output
