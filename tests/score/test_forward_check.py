"""`escalation-sim forward-check` (issue 19): forward runs of the learned model against train records. A run here is
the run `distribution` makes with the same seed; the record's statistics are what its file says; the dispersion test
tells a burst from an even spread; the ablation arm zeroes the onset weights and nothing else; a test-split case is
refused. Train cases only (gaza2012: 0.1 CPU-s a run)."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from tests.helpers import ROOT
from typer.testing import CliRunner

from escalation_sim.cli import app
from escalation_sim.evaluation.forward_check import ONSET, arm_scenario, forward_runs, record_stats, tasks_of
from escalation_sim.evaluation.forward_stats import dispersion, ppp
from escalation_sim.rules.features import INDEX
from escalation_sim.scenario import load_scenario
from escalation_sim.sweep.runner import distribution


@pytest.fixture(scope="module")
def gaza():
    return load_scenario(ROOT / "scenarios" / "library" / "gaza2012.yaml")


def test_a_run_is_the_run_distribution_makes_with_its_seed(gaza) -> None:
    runs = forward_runs(tasks_of([gaza], ["shipped"], 3, seed=5), workers=1)[("gaza2012", "shipped")]
    theirs = distribution(arm_scenario(gaza, "shipped"), n=3, seed=5, workers=1)
    assert [s.run for s in runs] == [0, 1, 2]
    assert [s.outcome for s in runs] == list(theirs["outcome"])
    for s, row in zip(runs, theirs.itertuples(), strict=True):  # the first hostile act's day, each actor
        for actor in ("ISR", "HAM"):
            day = getattr(row, f"first_response_day_{actor}")
            if s.first[actor] is not None and not (isinstance(day, float) and math.isnan(day)):
                assert day <= s.first[actor]


def test_the_records_statistics_are_its_files(gaza) -> None:
    r = record_stats(gaza)
    assert r.outcome == "protracted" and r.outcome == gaza.observed_outcome
    # after the branch Israel's force is the operations begun before it (no decision), Hamas fires on the branch day
    assert r.first == {"ISR": None, "HAM": 0}
    assert r.force["ISR"] > 0 and r.force["HAM"] > 0 and r.clustered
    assert r.kinds == {"ISR": "state", "HAM": "armed_group"}


def test_dispersion_tells_a_burst_from_an_even_spread() -> None:
    even, clustered = dispersion([3, 10, 17, 24, 31, 38, 45, 52], 56)
    assert even == 0.0 and not clustered
    d, clustered = dispersion([0, 1, 1, 2, 3, 4, 5, 6], 56)  # eight acts in the first week of eight
    assert d == pytest.approx(8.0) and clustered
    assert math.isnan(dispersion([0, 1], 56)[0])  # too few acts to say
    assert ppp([0.0, 0.0, 1.0, 2.0], 0.0) == pytest.approx(0.75)  # ties count half
    assert math.isnan(ppp([1.0], math.nan))


def test_the_ablation_zeroes_the_onset_weights_only(gaza) -> None:
    from escalation_sim.rules.quantal import Quantal

    shipped, ablated = arm_scenario(gaza, "shipped"), arm_scenario(gaza, "no_onset")
    for actor in gaza.actors:
        a = Quantal(shipped.actors[actor].rule).vector("state")
        b = Quantal(ablated.actors[actor].rule).vector("state")
        assert all(b[INDEX[f]] == 0.0 for f in ONSET) and any(a[INDEX[f]] != 0.0 for f in ONSET)
        assert [x for i, x in enumerate(a) if i not in {INDEX[f] for f in ONSET}] == [
            x for i, x in enumerate(b) if i not in {INDEX[f] for f in ONSET}
        ]


def test_the_command_writes_tables_pandas_reads_and_refuses_the_test_split(tmp_path) -> None:
    runner = CliRunner()
    out = tmp_path / "fwd"
    result = runner.invoke(app, ["forward-check", "gaza2012", "--runs", "2", "--workers", "1", "--out", str(out)])
    assert result.exit_code == 0, result.output
    cases = pd.read_csv(out / "cases.csv")
    assert list(cases["arm"]) == ["no_onset", "shipped"] and set(cases["runs"]) == {2}
    assert {"rps", "force_per_30d", "record_force_per_30d", "share_clustered", "ppp_force"} <= set(cases.columns)
    actors = pd.read_csv(out / "actors.csv")
    assert set(actors["actor"]) == {"ISR", "HAM"} and "first_force_day_median" in actors
    assert len(pd.read_csv(out / "runs.csv")) == 2 * 2 * 2 and (out / "forward.png").stat().st_size > 0
    refused = runner.invoke(app, ["forward-check", "kargil1999", "--runs", "2", "--out", str(tmp_path / "x")])
    assert refused.exit_code == 2 and "split is test" in refused.output
    assert not (tmp_path / "x").exists()
    bad = runner.invoke(app, ["forward-check", "gaza2012", "--arms", "shipped,nope", "--out", str(tmp_path / "y")])
    assert bad.exit_code == 2 and "nope" in bad.output
