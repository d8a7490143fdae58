"""`samples.sample_runs` (the notebooks' table): each row is the run `escalation-sim run --seed` makes."""

from __future__ import annotations

import pytest

from escalation_sim.runner import run
from escalation_sim.samples import notebook_runs, outcome_shares, sample_runs
from helpers import shipped


def test_each_row_is_the_seeded_run_with_whom_the_actor_hit_and_struck() -> None:
    jan = shipped("jan2020")
    rows = sample_runs(jan, n=6, seed=3, branch_date="2019-12-28", actor="USA")
    assert rows["seed"].tolist() == list(range(3, 9))
    branch_day = (jan.start_date.replace(day=28) - jan.start_date).days
    struck_any = False
    for _, row in rows.iterrows():
        result = run(jan, seed=int(row["seed"]), branch_date=jan.start_date.replace(day=28), collect=False)
        assert result.summary["outcome"] == row["outcome"]
        events = result.events
        mine = events[(events["day"] >= branch_day) & (events["actor"] == "USA") & (events["target"] != "")]
        hostile = mine[[jan.actions[a].is_hostile for a in mine["action"]]]
        force = hostile[[jan.actions[a].force for a in hostile["action"]]]
        assert row["hit"] == ("+".join(sorted(set(hostile["target"]))) or "nobody")
        assert row["struck"] == ("+".join(sorted(set(force["target"]))) or "nobody")
        struck_any |= row["struck"] != "nobody"
    assert struck_any  # the check above compared real targets at least once
    assert rows["max_rung"].dtype.name == "Int64" and not (rows["max_rung"] == -99).any()
    shares = outcome_shares(rows)
    assert list(shares.index) == ["de-escalation", "protracted", "war"] and shares.sum() == pytest.approx(1)


def test_bad_arguments_say_what_was_expected() -> None:
    with pytest.raises(ValueError, match="unknown 'XX'"):
        sample_runs(shipped("two_state"), n=1, actor="XX")
    with pytest.raises(ValueError, match="n: expected"):
        sample_runs(shipped("two_state"), n=0)


def test_notebook_runs_are_all_or_the_share_the_environment_asks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ESCALATION_SIM_NOTEBOOK_RUNS", raising=False)
    assert notebook_runs(200) == 200
    monkeypatch.setenv("ESCALATION_SIM_NOTEBOOK_RUNS", "0.1")
    assert (notebook_runs(200), notebook_runs(4), notebook_runs(1)) == (20, 1, 1)
    for bad in ("0", "2", "a tenth"):
        monkeypatch.setenv("ESCALATION_SIM_NOTEBOOK_RUNS", bad)
        with pytest.raises(ValueError, match="ESCALATION_SIM_NOTEBOOK_RUNS"):
            notebook_runs(200)
