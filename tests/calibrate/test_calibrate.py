"""Calibration (issue 10): a small parameter-recovery check, resuming a chain, and the files it writes.

The full recovery check (20 synthetic records, truth covered in >= 16) is benchmarks/bench_recovery.py."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from escalation_sim.calibrate import Param, calibrate
from escalation_sim.calibrate.synthetic import synthetic_record
from escalation_sim.score import unchoosable
from helpers import shipped

PARAM = "actors.RED.decision_lag_days"


def test_param_parsing_says_what_is_expected() -> None:
    assert Param.parse("actors.KH.rule.base_rate=0.001:0.1") == Param("actors.KH.rule.base_rate", 0.001, 0.1)
    for bad in ("actors.KH.rule.base_rate", "x=1", "x=2:1", "x=a:b"):
        with pytest.raises(ValueError, match="NAME=LO:HI"):
            Param.parse(bad)


def test_a_synthetic_record_is_a_scorable_scenario() -> None:
    record = synthetic_record(shipped("two_state"), {PARAM: 3.0}, seed=1)
    assert record.branch_date is None and len(record.events) > 1
    assert not unchoosable(record)
    assert record.actors["RED"].decision_lag_days == 3.0


def test_recovery_on_synthetic_records_and_resume(tmp_path) -> None:
    """Two records from known lags (1.5 and 5, prior 1-6): each estimate lies within half the prior's width of the
    truth, and they come out in the right order. (90% coverage over 20 records is measured by
    benchmarks/bench_recovery.py: an 8-step chain is too short for its 90% interval to be trusted.)"""
    base = shipped("two_state")
    estimates = {}
    for truth, seed in ((1.5, 3), (5.0, 1)):
        record = synthetic_record(base, {PARAM: truth}, seed=seed)
        out = tmp_path / f"cal{truth}"
        summary = calibrate([record], [Param(PARAM, 1.0, 6.0)], out, walkers=6, steps=8, particles=25,
                            seed=seed, until="horizon")  # fmt: skip
        p = summary["parameters"][PARAM]
        assert abs(p["median"] - truth) < 2.5, (truth, p)
        estimates[truth] = p["median"]
    assert estimates[1.5] < estimates[5.0]
    chain = pd.read_parquet(out / "chain.parquet")
    assert chain["step"].max() == 7 and len(chain) == 6 * 8
    resumed = calibrate([record], [Param(PARAM, 1.0, 6.0)], out, walkers=6, steps=10, particles=25, seed=1,
                        until="horizon")  # fmt: skip
    longer = pd.read_parquet(out / "chain.parquet")
    assert longer["step"].max() == 9
    pd.testing.assert_frame_equal(longer[longer["step"] <= 7].reset_index(drop=True), chain)  # continued, not redone
    assert resumed["steps"] == 10
    written = json.loads((out / "calibration.json").read_text())
    assert {"rhat", "ess_bulk", "low", "high"} <= set(written["parameters"][PARAM])
    assert json.loads((out / "params.json").read_text())["params"][PARAM] == written["parameters"][PARAM]["median"]
    assert len(pd.read_parquet(out / "posterior.parquet")) == 6 * 5
    with pytest.raises(ValueError, match="other settings"):
        calibrate([record], [Param(PARAM, 1.0, 7.0)], out, walkers=6, steps=10, particles=25, seed=1)
