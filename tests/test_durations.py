"""The outcome as a duration (results/durations.py, docs/outcomes.md): time to the last hostile act, censored."""

from __future__ import annotations

from escalation_sim.model import EscalationModel
from escalation_sim.results.durations import running
from escalation_sim.runner import summary_dict
from helpers import shipped


def run(seed: int, **edits) -> EscalationModel:
    scenario = shipped("jan2020").with_edits(edits) if edits else shipped("jan2020")
    model = EscalationModel(scenario=scenario, rng=seed, collect=False)
    model.run_model()
    return model


def test_the_duration_is_the_time_to_the_last_hostile_act_censored_at_the_horizon() -> None:
    # the headline class is death-based (results/standard_coding.py, issue 22); the duration stands beside it
    calm = shipped("jan2020").outcomes
    seen = set()
    for seed in range(12):
        model = run(seed)
        o = model.outcome
        seen.add(o.duration_censored)
        assert o.observed_days == model.horizon - model.branch_day
        assert 0 <= o.duration_days <= o.observed_days
        if running(model):  # an operation still under way keeps the crisis open through the last day
            assert (o.duration_days, o.duration_censored) == (o.observed_days, True)
            continue
        rungs = model.daily_rung[model.branch_day :].max(axis=1)
        breaking = [d for d, r in enumerate(rungs) if r >= calm.calm_rung]
        assert o.duration_days == (breaking[-1] + 1 if breaking else 0)
        # still active at the horizon: the duration is at least what was seen, and it is flagged
        assert o.duration_censored == (o.duration_days > 0 and o.observed_days - o.duration_days < calm.calm_days)
        if not o.duration_censored and o.duration_days > 0:
            assert o.days_to_calm == o.duration_days
    assert False in seen


def test_a_crisis_cut_off_by_the_horizon_is_censored_and_shown() -> None:
    # a calm that must last longer than the horizon leaves: whatever follows, the crisis is not seen to end
    cut = 0
    for seed in range(4):
        model = run(seed, **{"outcomes.calm_days": 60, "outcomes.calm_rung": 1})
        o = model.outcome
        assert o.duration_censored == (o.duration_days > 0)
        cut += o.duration_censored
    assert cut  # some hostile act (rung 1 and up) after the branch in at least one of four runs
    summary = summary_dict(model, 0)
    for key in ("duration_days", "duration_censored", "observed_days"):
        assert key in summary
    assert summary["observed_days"] == model.horizon - model.branch_day == 57
