"""`icb scenario` and `icb predict` end to end on real crises (a CSV of a few rows written by the test)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from escalation_sim.cli import app
from escalation_sim.icb.data import load, shipped_paths
from escalation_sim.icb.grid import simulate_point
from escalation_sim.icb.mapping import Shared, map_crisis
from escalation_sim.icb.predict import build_jobs
from escalation_sim.icb.render import render
from escalation_sim.icb.simulate import KEEP, simulate
from escalation_sim.scenario import load_scenario, validate_scenario_data
from escalation_sim.sweep.design import Point, run_seed
from escalation_sim.sweep.worker import BaseScenario, RunTask, run_chunk

WIDE = {"COLUMNS": "250"}


def test_every_shipped_crisis_maps_to_a_valid_small_scenario():
    data = load()
    for crisno in data.crises["crisno"]:
        mapped = map_crisis(data, int(crisno))
        scenario = validate_scenario_data(mapped.data, f"icb{crisno}")
        assert len(scenario.actors) == 2 and scenario.days == 60
        assert all(path in mapped.reasons for path in ("actors", "events.T0", "outcomes"))


def test_scenario_command_writes_commented_yaml_that_loads_and_runs(tmp_path):
    out = tmp_path / "icb1.yaml"
    result = CliRunner().invoke(app, ["icb", "scenario", "1", "--out", str(out)], env=WIDE)
    assert result.exit_code == 0, result.output
    text = out.read_text()
    assert "# traits.domestic_pressure: grievance_scale" in text and "# the trigger," in text
    scenario = load_scenario(out)
    assert scenario == validate_scenario_data(map_crisis(load(), 1).data, "x")
    assert render(map_crisis(load(), 1)) == text
    result = CliRunner().invoke(app, ["distribution", str(out), "-n", "5", "--workers", "1"], env=WIDE)
    assert result.exit_code == 0, result.output
    result = CliRunner().invoke(app, ["icb", "scenario", "100000"], env=WIDE)
    assert result.exit_code == 2 and "cannot map" in result.output


def test_predict_on_a_few_rows_gives_a_row_per_crisis_summing_to_one(tmp_path):
    one, two = shipped_paths()
    crises, actors = pd.read_csv(one), pd.read_csv(two)
    chosen = crises["crisno"].iloc[[0, 50, 100]].tolist()
    actors = actors[actors["crisno"].isin(chosen[:2])]  # the third crisis loses its actor rows: unmappable
    crises[crises["crisno"].isin(chosen)].to_csv(tmp_path / "c.csv", index=False)
    actors.to_csv(tmp_path / "a.csv", index=False)
    out = tmp_path / "pred"
    args = ["icb", "predict", str(tmp_path / "c.csv"), str(tmp_path / "a.csv"), "--out", str(out), "--runs", "20",
            "--workers", "1"]  # fmt: skip
    result = CliRunner().invoke(app, args, env=WIDE)
    assert result.exit_code == 0, result.output
    frame = pd.read_csv(out / "predictions.csv")
    assert frame["crisno"].tolist() == chosen
    ok = frame[frame["status"] == "ok"]
    assert len(ok) == 2
    levels = ok[[f"p_viol_{k}" for k in (1, 2, 3, 4)]].sum(axis=1)
    assert ((levels - 1).abs() < 1e-9).all()
    forms = ok[[c for c in frame.columns if c.startswith("p_out_")]].sum(axis=1)
    assert ((forms - 1).abs() < 1e-9).all()
    assert ok["p_violent_cm"].between(0, 1).all() and (ok["expected_days"] >= 1).all()
    lost = frame[frame["status"] != "ok"].iloc[0]
    assert "no crisis-actor rows" in lost["reason"]
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["violence_variable"] == "sevviosy" and manifest["runs"] == 20
    assert {"version", "commit", "parameters", "parameters_hash", "seeds"} <= set(manifest)
    again = CliRunner().invoke(app, args, env=WIDE)
    assert again.exit_code == 0
    assert pd.read_csv(out / "predictions.csv").equals(frame)  # same seed, same predictions


def test_shared_parameters_enter_the_scenario_and_the_grid_cache_is_keyed_by_them(tmp_path):
    full = load()
    keep = full.crises["crisno"].iloc[:2]
    data = full.only(keep)
    crisno = int(keep.iloc[0])
    prior = Shared(tremble=0.0, risk_shift=0.0)
    base, moved = map_crisis(data, crisno, prior), map_crisis(data, crisno, Shared(tremble=0.02, risk_shift=0.2))
    for actor in base.data["actors"]:
        assert moved.data["actors"][actor]["rule"]["epsilon"] == 0.02
        before = base.data["actors"][actor]["traits"]["risk_tolerance"]
        assert moved.data["actors"][actor]["traits"]["risk_tolerance"] == pytest.approx(min(0.95, before + 0.2))
    first = simulate_point(data, prior, 10, 0, 1, cache=tmp_path)
    assert len(list(tmp_path.glob("point_*.csv"))) == 1 and list(first.index) == keep.tolist()
    again = simulate_point(data, prior, 10, 0, 1, cache=tmp_path)  # read from the cache
    assert np.allclose(again.filter(like="p_viol").to_numpy(), first.filter(like="p_viol").to_numpy())
    simulate_point(data, Shared(tremble=0.02), 10, 0, 1, cache=tmp_path)
    assert len(list(tmp_path.glob("point_*.csv"))) == 2


def test_icb_runs_are_the_sweeps_runs_and_do_not_depend_on_the_pool():
    """icb.simulate's lean worker (the validated scenario shipped once, seven fields kept) gives, run by run, what
    the sweep's `run_chunk` files for the same scenario and seeds; and the same in one process or on two workers."""
    data = load()
    keep = data.crises["crisno"].iloc[[3, 120]].tolist()  # two real crises: one non-violent trigger, one violent
    jobs, reasons = build_jobs(data.only(keep), Shared())
    assert not reasons
    runs = 12
    here = simulate(jobs, runs, seed=7, workers=1)
    pooled = simulate(jobs, runs, seed=7, workers=2)
    point = Point(0, "base", {}, {}, (), None)
    for job in jobs:
        mine = here[job.key]
        assert mine.equals(pooled[job.key])
        s = job.scenario
        base = BaseScenario(s.sha256(), s.model_dump(mode="json"), tuple(s.actors), s.days)
        tasks = [RunTask(r, point, r, run_seed(7, job.crisno, r)) for r in range(runs)]
        sweep = pd.DataFrame(run_chunk(tasks, base).columns)
        sweep["termination"] = sweep["dyad_{}_{}_termination".format(*s.actors)]
        assert mine["error"].isna().all() and sweep["error"].isna().all()
        for name in KEEP:
            if name != "error":
                pd.testing.assert_series_equal(mine[name], sweep[name], check_dtype=False, obj=name)
    assert any(here[j.key]["max_rung"].notna().any() for j in jobs)  # something happened: the check can fail
