"""Harm that depends on warning and defence (harm.py), drawn through the real model's act mechanics."""

from __future__ import annotations

import math

import pytest
from scipy import stats

from escalation_sim.mechanics.harm import expected_deaths, interception
from escalation_sim.model import EscalationModel
from escalation_sim.scenario import Defence, Scenario
from helpers import at_branch, shipped

DRAWS = 4000


def p_any_death(scenario: Scenario, alert: float) -> float:
    """Share of Iranian warned-missile strikes on the US that kill at least one American, at this US alert."""
    model = at_branch(scenario, 11)
    irn, usa = model.by_id["IRN"], model.by_id["USA"]
    option = next(o for o in irn.options if o.action == "calibrated_strike")
    deaths = 0
    for _ in range(DRAWS):
        usa.alert = alert
        deaths += model.act(irn, option, 0.1, "test").killed.get("USA", 0) > 0
    return deaths / DRAWS


def analytic_p_any(scenario: Scenario, alert: float, warned: bool) -> float:
    """1 - E[P(no death | hits)], hits ~ Binomial(salvo, reliability): the formula of docs/model.md 5a."""
    action = scenario.actions["calibrated_strike"]
    defence = scenario.actors["USA"].defence
    per_hit = expected_deaths(action, defence, alert, warned) / (action.salvo * action.reliability)
    r = action.killed_dispersion
    binom = stats.binom(action.salvo, action.reliability)
    p_none = sum(binom.pmf(h) * (r / (r + per_hit)) ** (r * h) for h in range(action.salvo + 1))
    return 1.0 - p_none


def certain_warning() -> Scenario:
    """jan2020 with Iraq's line certain to deliver: isolates a warning received in time."""
    return shipped("jan2020").with_edits({"channels.iraq_pm.reliability": 1.0})


def closed_channel() -> Scenario:
    return shipped("jan2020").with_edits({"channels.iraq_pm.open": False})


@pytest.mark.parametrize("alert", [0.6, 1.0])
def test_warned_strike_kills_as_the_formula_says(alert: float) -> None:
    # a warning received raises the target's alert (warning_alert x the sender's credibility) before the
    # missiles land, so the formula is evaluated at that raised alert
    scenario = certain_warning()
    rise = scenario.signals.warning_alert * scenario.actors["IRN"].traits.credibility
    p = p_any_death(scenario, alert)
    expected = analytic_p_any(scenario, min(1.0, alert + rise), warned=True)
    assert abs(p - expected) < 4 * math.sqrt(expected * (1 - expected) / DRAWS)


def test_unwarned_strike_kills_at_least_once_in_four_in_ten() -> None:
    for alert in (0.6, 1.0):
        assert p_any_death(closed_channel(), alert) >= 0.4


@pytest.mark.xfail(
    strict=True,
    reason="issue 9's target P <= 0.10; the sourced defaults give 0.137 at full alert "
    "(warned_exposure 0.025, lethality 1 per landing missile, 12 of 16 landing): reported, not tuned",
)
def test_warned_strike_on_an_alert_target_kills_at_most_one_time_in_ten() -> None:
    assert p_any_death(certain_warning(), 1.0) <= 0.10


def test_warning_and_alert_each_lower_expected_deaths() -> None:
    action = shipped("jan2020").actions["calibrated_strike"]
    defence = Defence()
    assert expected_deaths(action, defence, 1.0, False) < expected_deaths(action, defence, 0.0, False)
    assert expected_deaths(action, defence, 0.0, True) == pytest.approx(
        defence.warned_exposure * expected_deaths(action, defence, 0.0, False)
    )


def test_a_large_salvo_mostly_intercepted_is_expressible_in_a_scenario() -> None:
    """200 missiles against a defence that stops 90% of what it can engage (capacity 400): few land."""
    scenario = closed_channel().with_edits(
        {
            "ladder.calibrated_strike.salvo": 200,
            "actors.USA.defence.air_defence": 0.9,
            "actors.USA.defence.intercept_capacity": 400,
        }
    )
    model = at_branch(scenario, 11)
    irn = model.by_id["IRN"]
    option = next(o for o in irn.options if o.action == "calibrated_strike")
    landed = []
    for _ in range(300):
        reason = model.act(irn, option, 0.1, "test").reason
        landed.append(int(reason.rsplit("; ", 1)[1].split(" of ")[0]))
    share = sum(landed) / (300 * 200)
    assert share == pytest.approx(0.75 * 0.1, abs=0.01)


def test_a_saturated_defence_intercepts_less() -> None:
    defence = Defence(air_defence=0.9, intercept_capacity=20)
    assert interception(defence, 10) == pytest.approx(0.9)
    assert interception(defence, 200) == pytest.approx(0.09)
    assert interception(Defence(), 50) == 0.0


def test_the_history_replay_of_al_asad_keeps_its_recorded_toll() -> None:
    model = EscalationModel(scenario=shipped("jan2020"), rng=3, replay_only=True, collect=False)
    model.run_model()
    a13 = next(r for r in model.records if r.event_id == "A13")
    assert a13.killed == {} and a13.wounded == {"USA": 110}
