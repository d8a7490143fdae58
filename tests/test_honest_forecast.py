"""Honest forecasts (issue 17): the forecast of a strike reads the harm model the strike draws from, the
channels open today, and the threats the target has declared."""

from __future__ import annotations

import math

import pytest

from escalation_sim.mechanics.harm import expected_deaths, kill_chance, salvo_casualties
from escalation_sim.minds.anticipation import Forecaster
from escalation_sim.model import EscalationModel
from escalation_sim.rules import Forecast
from escalation_sim.scenario import Scenario, ThreatTerms
from escalation_sim.state.ledgers import Threat
from helpers import at_branch, shipped


def strike_odds(scenario: Scenario, alert: float) -> tuple[float, Forecaster, EscalationModel]:
    model = at_branch(scenario, 3)
    irn, usa = model.by_id["IRN"], model.by_id["USA"]
    model.public[usa.index].alert = alert  # the US alert as the record shows it: what Iran's forecast reads
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


def certain_of(doctrine: str) -> EscalationModel:
    """jan2020 on the eve of the branch, Iran certain the US follows `doctrine` with resolve 0.8."""
    types = [{"rule": {"name": doctrine}, "resolve": 0.8, "prior": 1.0}]
    return at_branch(shipped("jan2020").with_edits({"actors.IRN.beliefs.USA.types": types}), 0)


def test_a_statement_is_forecast_to_be_answered_by_words_never_by_force() -> None:
    """The forecast reads the target's two channels as the one pipeline makes them (issue 17, item 5): a
    words-only grievance is answered by words (section 5a), so Iran's denunciation is forecast to draw no
    force, even from a US it is sure restores deterrence by larger blows (before: 8 expected deaths)."""
    model = certain_of("restore_deterrence")
    irn, usa = model.by_id["IRN"], model.by_id["USA"]
    forecaster = Forecaster(irn, model)
    denounce = next(o for o in irn.options if o.action == "denounce" and o.target == "USA")
    strike = next(o for o in irn.options if o.action == "calibrated_strike")
    deeds, words = forecaster.answer(usa, forecaster.suppose(usa, denounce, 0.0))
    assert not any(deeds[o.index] for o in usa.options if o.force and o.target == "IRN")
    assert any(words[o.index] > 0.01 for o in usa.options if o.hostile and o.target == "IRN")  # said, not done
    assert forecaster.forecast(denounce).deaths == 0.0
    assert forecaster.forecast(strike).deaths > 1.0  # a strike still is answered by force


def test_the_forecast_answer_is_the_stronger_of_a_deed_and_a_word() -> None:
    """The answer's rung is the day's rung (the stronger of the two acts, drawn independently, section 1c), and
    it climbs above the provocation if either act does: checked against a sum over every (deed, word) pair."""
    model = certain_of("red_line")
    irn, usa = model.by_id["IRN"], model.by_id["USA"]
    forecaster = Forecaster(irn, model)
    strike = next(o for o in irn.options if o.action == "calibrated_strike")
    deeds, words = forecaster.answer(usa, forecaster.suppose(usa, strike, 0.0))
    rung = {o.index: o.rung if o.hostile and o.target == "IRN" else 0 for o in usa.options}
    pairs = [(p * q, max(rung[d], rung[w])) for d, p in enumerate(deeds) for w, q in enumerate(words) if p * q]
    _, expected, expected_sq, expected_up = forecaster.tally(usa, deeds, words, strike.rung)
    assert expected == pytest.approx(sum(pq * r for pq, r in pairs), abs=1e-9)
    assert expected_sq == pytest.approx(sum(pq * r * r / 100 for pq, r in pairs), abs=1e-9)
    assert expected_up == pytest.approx(sum(pq for pq, r in pairs if r > strike.rung), abs=1e-9)
    assert sum(words[o.index] for o in usa.options if o.hostile and o.target == "IRN") > 0.0  # words count


def test_the_war_cost_of_a_salvo_reads_the_harm_model_of_today() -> None:
    """Iran's war cost for its warned strike counts the deaths the strike would cause at the US alert of today,
    through the channels open today (the harm model's `expected_deaths`, as the forecast's P(kill) does), not
    the menu's estimate at the scenario's start: a US on higher alert shelters more of its troops."""
    scenario = shipped("jan2020")
    action, defence = scenario.actions["calibrated_strike"], scenario.actors["USA"].defence
    reliability = scenario.channels["iraq_pm"].reliability
    model = at_branch(scenario, 3)
    irn, usa = model.by_id["IRN"], model.by_id["USA"]
    strike = next(o for o in irn.options if o.action == "calibrated_strike")
    war: dict[float, float] = {}
    for alert in (0.3, 0.9):
        model.public[usa.index].alert = alert  # the US alert as the record shows it (its own is not Iran's to read)
        irn.forecaster = Forecaster(irn, model)  # a fresh forecast at this alert
        war[alert] = irn.rule.utilities(irn)[1][strike.index][2]
    deaths = {
        a: reliability * expected_deaths(action, defence, a, True)
        + (1 - reliability) * expected_deaths(action, defence, a, False)
        for a in war
    }
    weight = (1.0 - irn.risk_tolerance) * irn.rule.params.war_weight / math.log1p(300.0)
    assert deaths[0.9] < deaths[0.3]
    assert war[0.9] - war[0.3] == pytest.approx(weight * (math.log1p(deaths[0.9]) - math.log1p(deaths[0.3])))
