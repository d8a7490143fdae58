"""Tremble sensitivity of the evaluation (issue 22 item 4; evaluation/tremble.py): every actor's tremble at 0, 1 and
2 times its value, the quantal model's tremble the floor its weights were fitted under, a scale that changes
nothing not run again, and a move of 5 points flagged. Train cases and two_state only: the test split is sealed."""

from __future__ import annotations

import pytest
from tests.helpers import ROOT

from escalation_sim.evaluation import tremble
from escalation_sim.evaluation.measure import learned
from escalation_sim.scenario import load_scenario
from escalation_sim.score.record import TREMBLE
from escalation_sim.sweep.runner import distribution


def _epsilons(scenario) -> dict[str, float]:
    return {name: float(actor.rule.epsilon) for name, actor in scenario.actors.items()}


def test_each_actor_s_tremble_is_its_own_or_the_score_s_floor_and_the_quantal_model_s_is_the_floor() -> None:
    case = load_scenario(ROOT / "scenarios" / "library" / "gaza2012.yaml")  # one actor with a 1e-3 tremble
    own = _epsilons(case)
    assert sorted(own.values())[-1] == 1e-3 and min(own.values()) == 0.0
    assert set(_epsilons(tremble.trembled(case, 0.0)).values()) == {0.0}
    assert set(_epsilons(tremble.trembled(case, 2.0)).values()) == {2 * max(1e-3, TREMBLE)}
    quantal = learned(case)
    assert set(_epsilons(quantal).values()) == {0.0}  # the runs leave the fitted floor out: scale 0
    assert tremble.trembled(quantal, 0.0).sha256() == quantal.sha256()
    assert set(_epsilons(tremble.trembled(quantal, 1.0)).values()) == {TREMBLE}


def test_a_scale_that_changes_nothing_is_not_rerun_and_a_large_tremble_is_flagged(monkeypatch) -> None:
    two_state = load_scenario(ROOT / "scenarios" / "two_state.yaml")  # no actor trembles: scale 0 is the case
    base = distribution(two_state, n=40, seed=0, workers=1)
    ran: list[str] = []
    real = tremble.distribution

    def counted(scenario, **kwargs):
        ran.append(scenario.sha256())
        return real(scenario, **kwargs)

    monkeypatch.setattr(tremble, "distribution", counted)
    row = tremble.tremble_row(two_state, base, seed=0, workers=1)
    assert len(ran) == 2 and two_state.sha256() not in ran  # x1 and x2 only
    assert row["move_tremble_x0"] == 0.0 and row["move_se_tremble_x0"] == 0.0
    for scale in tremble.SCALES:
        total = sum(row[f"share_{k}_{tremble.label(scale)}"] for k in ("de-escalation", "protracted", "war"))
        assert total == pytest.approx(1)
    assert row["tremble_max_move"] == max(row[f"move_{tremble.label(s)}"] for s in tremble.SCALES)
    assert row["tremble_sensitive"] == (row["tremble_max_move"] >= 0.05)
    monkeypatch.setattr(tremble, "TREMBLE", 0.3)  # a hand that trembles on 30% of days moves the outcome
    shaken = tremble.tremble_row(two_state, base, seed=0, workers=1)
    assert shaken["tremble_sensitive"] and shaken["tremble_beyond_noise"] and shaken["tremble_max_move"] >= 0.05
