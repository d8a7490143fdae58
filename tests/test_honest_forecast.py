"""Honest forecasts (issue 17): the forecast of a strike reads the harm model the strike draws from, the
channels open today, and the threats the target has declared."""

from __future__ import annotations

import pytest

from escalation_sim.mechanics.harm import kill_chance, salvo_casualties
from escalation_sim.minds.anticipation import Forecaster
from escalation_sim.model import EscalationModel
from escalation_sim.rules import Forecast
from escalation_sim.scenario import Scenario, ThreatTerms
from escalation_sim.state.ledgers import Threat
from helpers import at_branch, shipped


def strike_odds(scenario: Scenario, alert: float) -> tuple[float, Forecaster, EscalationModel]:
    model = at_branch(scenario, 3)
    irn, usa = model.by_id["IRN"], model.by_id["USA"]
    usa.alert = alert
    strike = next(o for o in irn.options if o.action == "calibrated_strike")
    forecaster = Forecaster(irn, model)
    return forecaster.kill_odds(strike, usa)[0], forecaster, model


@pytest.mark.parametrize("warned", [True, False])
def test_kill_chance_is_one_minus_the_harm_models_chance_of_no_death(warned: bool) -> None:
    scenario = shipped("jan2020")
    action, defence = scenario.actions["calibrated_strike"], scenario.actors["USA"].defence
    model = EscalationModel(scenario=scenario, rng=7, collect=False)
    draws = 6000
    killed = sum(bool(salvo_casualties(model, action, "USA", defence, 0.5, warned)[0]) for _ in range(draws))
    p = kill_chance(action, defence, 0.5, warned)
    assert abs(killed / draws - p) < 4 * (p * (1 - p) / draws) ** 0.5 + 1e-3


def test_forecast_kill_odds_follow_the_warning_channel() -> None:
    scenario = shipped("jan2020")
    action, defence = scenario.actions["calibrated_strike"], scenario.actors["USA"].defence
    open_p, _, _ = strike_odds(scenario, 0.5)
    closed_p, _, _ = strike_odds(scenario.with_edits({"channels.iraq_pm.open": False}), 0.5)
    reliability = scenario.channels["iraq_pm"].reliability
    warned, unwarned = kill_chance(action, defence, 0.5, True), kill_chance(action, defence, 0.5, False)
    assert closed_p == pytest.approx(unwarned)
    assert open_p == pytest.approx(reliability * warned + (1 - reliability) * unwarned)
    assert closed_p > open_p + 0.1  # a salvo can cross the red line in the forecast, more so unwarned


def test_a_live_threat_on_rung_6_raises_the_forecast_answer_to_a_rung_7_strike() -> None:
    scenario = shipped("jan2020")
    model = at_branch(scenario, 3)
    irn, usa = model.by_id["IRN"], model.by_id["USA"]
    strike = next(o for o in irn.options if o.action == "calibrated_strike")
    assert strike.rung == 7
    model.signals.threats.pop((usa.index, irn.index), None)
    without = Forecaster(irn, model).forecast(strike)
    terms = ThreatTerms(kind="deterrent", condition_rung=6, condition_killed=1)
    model.signals.threats[(usa.index, irn.index)] = Threat(usa.index, irn.index, terms, 10, model.day)
    with_threat = Forecaster(irn, model).forecast(strike)
    assert with_threat.rung > without.rung + 0.5
    assert with_threat.escalate >= without.escalate


def iran_forecasts(edits: dict[str, object]) -> list[Forecast]:
    model = at_branch(shipped("jan2020").with_edits(edits), 0)  # the eve of the branch: history as recorded
    return list(Forecaster(model.by_id["IRN"], model).forecasts())


@pytest.mark.parametrize("beliefs", [True, False])
def test_a_forecast_ignores_what_iran_cannot_observe_of_the_us(beliefs: bool) -> None:
    """Perturb what Iran cannot see of the US (its doctrine, its regime's start and triggers, its resolve, its
    other dispositions, its mood, and its memory: how it weighs its dead, how fast it forgets, how slowly it
    answers): Iran's forecasts on the eve of the branch are unchanged, with and without its beliefs. (Its alert
    is seen: a salvo's harm reads it, section 5a.)"""
    base: dict[str, object] = {} if beliefs else {"actors.IRN.beliefs": {}}
    reference = iran_forecasts(base)
    for edits in (
        {"actors.USA.rule": {"name": "massive_retaliation"}},
        {"actors.USA.rule.start": {"red_line": 0.1, "restore_deterrence": 0.9}},
        {"actors.USA.traits.resolve": 0.1},
        {"actors.USA.traits.cost_sensitivity": 0.95, "actors.USA.traits.risk_tolerance": 0.05},
        {"actors.USA.traits.domestic_pressure": 0.9},
        {"actors.USA.perception.casualty_weight": 4.0, "actors.USA.grievance_half_life_days": 2.0},
        {"actors.USA.decision_lag_days": 9.0},
    ):
        assert iran_forecasts({**base, **edits}) == reference, edits
