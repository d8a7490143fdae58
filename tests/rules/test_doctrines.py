"""The five doctrines of issue 8, each on a hand-set View: where its probability goes and why.

restore_deterrence, compellence, grim_trigger, generous_tit_for_tat, win_stay_lose_shift.
"""

from __future__ import annotations

from escalation_sim.rules import RULES, Rule, make_rule
from helpers import iran_view, likeliest, mass, mean_rung, us_view


def rule(name: str, **params: object) -> Rule:
    return make_rule(RULES[name].Params(name=name, **params))


def hostile_against(target: str) -> object:
    return lambda o: o.hostile and o.target == target


# --- restore_deterrence -------------------------------------------------------------------------------------


def test_restore_deterrence_answers_an_embassy_siege_with_a_larger_blow_partly_at_the_sponsor() -> None:
    view = us_view().provoke("KH", 5, action="siege")
    policy = rule("restore_deterrence").policy(view)
    assert mean_rung(policy, view, hostile_against("KH")) >= 7.5  # well above the siege's rung 5
    assert likeliest(policy, view, hostile_against("IRN")).action == "leadership_strike"
    assert abs(mass(policy, view, hostile_against("IRN")) - mass(policy, view, hostile_against("KH"))) < 1e-9
    assert "siege by KH" in policy.reason and "sponsor IRN" in policy.reason


def test_restore_deterrence_answers_routine_harassment_in_kind() -> None:
    view = us_view().provoke("KH", 5, action="harassment")
    policy = rule("restore_deterrence").policy(view)
    assert (
        likeliest(policy, view, hostile_against("KH")).rung == 6 or mean_rung(policy, view, hostile_against("KH")) < 6.5
    )
    assert mass(policy, view, hostile_against("IRN")) == 0.0
    assert "routine" in policy.reason


def test_restore_deterrence_counts_own_dead_as_high_value() -> None:
    view = us_view().provoke("KH", 5, killed=1, action="harassment")
    routine = us_view().provoke("KH", 5, killed=0, action="harassment")
    r = rule("restore_deterrence")
    assert (
        mean_rung(r.policy(view), view, hostile_against("KH"))
        > mean_rung(r.policy(routine), routine, hostile_against("KH")) + 1.5
    )
    assert mass(rule("restore_deterrence", sponsor_share=0.0).policy(view), view, hostile_against("IRN")) == 0.0


# --- compellence --------------------------------------------------------------------------------------------


def test_compellence_keeps_up_pressure_until_the_adversary_conciliates() -> None:
    view = iran_view()
    view.grievance[0] = 6.0  # no act outstanding, but a grievance: the demand is unmet
    r = rule("compellence")
    pressed = r.policy(view)
    assert 3.5 <= mean_rung(pressed, view, hostile_against("USA")) <= 5.5
    assert mass(pressed, view, hostile_against("USA")) > 0.3
    view.conciliatory[0] = True  # the US offered talks: the demand is met
    assert mass(r.policy(view), view, hostile_against("USA")) < 0.01


def test_compellence_turns_the_screw_with_defiance_up_to_its_ceiling() -> None:
    low, high, extreme = iran_view(), iran_view(), iran_view()
    low.grievance[0], high.grievance[0], extreme.grievance[0] = 5.0, 15.0, 500.0
    r = rule("compellence")
    rungs = [mean_rung(r.policy(v), v, hostile_against("USA")) for v in (low, high, extreme)]
    assert rungs[0] < rungs[1] < rungs[2]
    assert rungs[2] < 7.6  # max_rung 7: limited force, not war


# --- grim trigger -------------------------------------------------------------------------------------------


def test_grim_trigger_never_forgives() -> None:
    r = rule("grim_trigger")
    view = us_view()
    assert likeliest(r.policy(view), view).action == "hold"
    view.provoke("IRN", 6)
    assert mass(r.policy(view), view, hostile_against("IRN")) > 0.9
    view.outstanding[1] = view.grievance[1] = 0.0  # long forgotten by any other rule
    view.last_rung[1] = 0
    assert mass(r.policy(view), view, hostile_against("IRN")) > 0.9
    assert "for good" in r.policy(view).reason


def test_grim_trigger_ignores_words() -> None:
    view = us_view().provoke("IRN", 2, severity=3.0)
    policy = rule("grim_trigger").policy(view)
    assert mass(policy, view, lambda o: o.force) < 1e-6  # only the quiet day's stray words
    assert "grim" not in policy.reason


# --- generous tit-for-tat -----------------------------------------------------------------------------------


def test_generous_tit_for_tat_forgives_a_third() -> None:
    view = us_view().provoke("IRN", 6)
    tft = make_rule(RULES["tit_for_tat"].Params()).policy(view)
    gtft = rule("generous_tit_for_tat").policy(view)
    assert abs(mass(gtft, view, hostile_against("IRN")) - 2 / 3 * mass(tft, view, hostile_against("IRN"))) < 1e-5
    assert mass(gtft, view, lambda o: o.action == "stand_down" and o.target == "IRN") > 0.3
    same = rule("generous_tit_for_tat", generosity=0.0).policy(view)
    assert same.probs == tft.probs


# --- win-stay, lose-shift -----------------------------------------------------------------------------------


def test_win_stay_lose_shift_conciliates_after_mutual_blows_and_strikes_after_being_suckered() -> None:
    r = rule("win_stay_lose_shift")
    suckered = us_view().provoke("IRN", 8)  # the US held, Iran struck: shift to striking back
    assert likeliest(r.policy(suckered), suckered, lambda o: o.target == "IRN").rung == 8
    mutual = us_view().provoke("IRN", 8)
    mutual.own_last_rung[1] = 8  # the US struck last and was struck: shift to conciliation
    policy = r.policy(mutual)
    assert mass(policy, mutual, hostile_against("IRN")) < 0.01
    assert likeliest(policy, mutual, lambda o: o.target == "IRN").action == "stand_down"
