"""The Axelrod classics on scenarios/two_state.yaml (real scenario, real model): one noisy defection (the border
clash E1 that opens the scenario) echoes under tit-for-tat, and generous tit-for-tat and win-stay lose-shift
recover cooperation (Nowak & Sigmund 1992, 1993); grim trigger never does (Axelrod 1984)."""

from __future__ import annotations

from functools import cache

from escalation_sim.model import EscalationModel
from helpers import shipped

SEEDS = range(100)
# the iterated game has no clock: every class of action ready every day (docs/model.md section 1a)
READY = {"min_days": 0, "shape": 1.0, "scale_days": 0.01}
INSTANT = {c: READY for c in ("words", "force", "operations", "diplomacy")}


@cache
def exchange(rule: str) -> tuple[float, float]:
    """Both sides follow `rule`: mean hostile acts the model decides after the clash, and the share of runs at war."""
    scenario = shipped("two_state").with_edits(
        {
            "actors.BLUE.rule": {"name": rule},
            "actors.RED.rule": {"name": rule},
            "actors.BLUE.hazards": INSTANT,
            "actors.RED.hazards": INSTANT,
        }
    )
    acts = wars = 0
    for seed in SEEDS:
        model = EscalationModel(scenario=scenario, rng=seed, collect=False)
        model.run_model()
        acts += sum(1 for r in model.records if r.origin == "model" and r.rung > 0 and r.action != "justify")
        # two_state's "war" is reaching rung 6 (war_rung), an exchange of fire: since issue 22 that is the
        # major_force flag, the class itself being death-based (a border exchange never kills 1,000)
        wars += model.outcome.major_force
    return acts / len(SEEDS), wars / len(SEEDS)


def test_tit_for_tat_echoes_a_single_defection() -> None:
    acts, _ = exchange("tit_for_tat")
    assert acts > 4, "under tit-for-tat one clash should set off a long echo of answers"


def test_generous_tit_for_tat_recovers_cooperation_where_tit_for_tat_echoes() -> None:
    tft_acts, tft_war = exchange("tit_for_tat")
    gtft_acts, gtft_war = exchange("generous_tit_for_tat")
    assert gtft_acts < tft_acts / 3
    assert gtft_war < tft_war


def test_win_stay_lose_shift_corrects_the_error_too() -> None:
    assert exchange("win_stay_lose_shift")[0] < exchange("tit_for_tat")[0] / 3


def test_grim_trigger_never_recovers() -> None:
    acts, war = exchange("grim_trigger")
    assert acts > exchange("tit_for_tat")[0] and war > 0.5
