"""The host as a player (host.py, rules/host_nation.py, docs/model.md section 5c), on real models."""

from __future__ import annotations

import pytest

from escalation_sim.mechanics import host
from escalation_sim.model import EscalationModel
from escalation_sim.rules import RULES, make_rule
from helpers import IRQ_CAPS, FakeView, at_branch, build_options, host_view, mass, shipped, us_view


def full_host_view() -> FakeView:
    """Iraq with every stage and the host's diplomacy, as in jan2020."""
    caps = (*IRQ_CAPS, "request_restraint", "pass_message", "mediate", "restrict_access", "expel")
    return FakeView(actor_id="IRQ", options=build_options(caps, ["USA", "IRN", "KH"], ["USA", "IRN"]))


def option(model: EscalationModel, actor: str, action: str, target: str):
    return next(o for o in model.by_id[actor].options if o.action == action and o.target == target)


def force_on_iraqi_soil(model: EscalationModel) -> float:
    usa = model.by_id["USA"]
    irq = model.by_id["IRQ"].index
    probs = usa.policy().probs
    return sum(probs[o.index] for o in usa.options if o.force and o.on_soil_of == irq)


def provoked_us(rule: str, seed: int = 0) -> EscalationModel:
    """jan2020 at its branch, the US under `rule`, after a lethal KH attack it wants to answer."""
    scenario = shipped("jan2020")
    if rule != "red_line":
        scenario = scenario.with_edits({"actors.USA.rule": {"name": rule}})
    model = at_branch(scenario, seed)
    kh, usa = model.by_id["KH"], model.by_id["USA"]
    usa.outstanding[kh.index] = 7.0
    usa.last_killed[kh.index] = 2
    usa.own_hit[kh.index] = True
    return model


@pytest.mark.parametrize("rule", sorted(set(RULES) - {"host_nation", "militia"}))
def test_access_cut_scales_force_on_the_hosts_soil_under_every_rule(rule: str) -> None:
    model = provoked_us(rule)
    before = force_on_iraqi_soil(model)
    model.act(model.by_id["IRQ"], option(model, "IRQ", "demand_withdrawal", "USA"), 1.0, "test")
    cut = model.ladder["demand_withdrawal"].access_cut
    assert model.by_id["USA"].host.access[model.by_id["IRQ"].index] == pytest.approx(1 - cut)
    after = force_on_iraqi_soil(model)
    if rule in ("cost_benefit", "quantal"):  # they weigh the host's act itself too: at least the access cut
        assert after <= (1 - cut) * before + 1e-12
    else:
        assert after == pytest.approx((1 - cut) * before, rel=1e-9, abs=1e-15)
    model.act(model.by_id["IRQ"], option(model, "IRQ", "expel", "USA"), 1.0, "test")
    assert force_on_iraqi_soil(model) == 0.0


def test_access_recovers_with_the_hosts_half_life() -> None:
    scenario = shipped("jan2020").with_edits({"actors.IRQ.access_half_life_days": 20})
    model = at_branch(scenario, 0)
    usa, irq = model.by_id["USA"], model.by_id["IRQ"]
    model.act(irq, option(model, "IRQ", "restrict_access", "USA"), 1.0, "test")
    left = usa.host.access[irq.index]
    assert left <= 0.5 + 1e-12  # half of what was left (less if Iraq had already cut it)
    for _ in range(20):  # twenty ends of day, with no further cut
        host.end_of_day(model, usa)
    assert usa.host.access[irq.index] == pytest.approx(1 - (1 - left) * 0.5)  # the restriction halves in a half-life


def test_patron_pressure_raises_the_hosts_cost_of_acting_against_it() -> None:
    model = provoked_us("red_line")
    usa, irq = model.by_id["USA"], model.by_id["IRQ"]
    model.act(usa, option(model, "USA", "pressure_host", "IRQ"), 1.0, "test")
    assert irq.host.pressure_on[usa.index] > 0.0
    rule = make_rule(irq.spec.rule)
    view = full_host_view()
    view.violations[0] = view.outstanding[0] = 14.0  # against the USA
    view.host.dependence[0] = 0.6
    free = rule.policy(view)
    view.host.pressure_on[0] = 1.0
    pressed = rule.policy(view)
    worse = lambda o: o.target == "USA" and o.rung >= 3  # noqa: E731  restriction or expulsion
    assert mass(pressed, view, worse) < mass(free, view, worse)


@pytest.mark.parametrize("dependence", [0.0, 0.6, 1.0])
def test_a_dependent_government_seeks_restraint_rather_than_confront(dependence: float) -> None:
    rule = make_rule(shipped("jan2020").actors["IRQ"].rule)
    view = host_view()
    view.violations[0] = view.outstanding[0] = 8.0
    view.host.dependence[0] = dependence
    policy = rule.policy(view)
    calm = mass(policy, view, lambda o: o.target == "USA" and o.rung < 0)
    demand = mass(policy, view, lambda o: o.action == "demand_withdrawal")
    assert calm == pytest.approx(
        view.host.parliament_weight * 0 + (1 - view.host.parliament_weight) * dependence, abs=0.01
    )
    if dependence == 0.0:
        assert demand > 0.9  # the old behaviour: a pure host demands withdrawal above its threshold
    if dependence == 1.0:
        assert demand < 0.1  # net of a full dependence the grievance is below the threshold: a protest


def test_actor_acts_on_the_most_pressing_grievance_it_can_act_on() -> None:
    """The US's largest grievance is against Iraq (no hostile option), a smaller one against KH: it acts on KH."""
    view = us_view().provoke("KH", 6, killed=1)
    view.outstanding[3] = 9.0  # IRQ: no hostile option in this view
    assert not view.targetable[3]
    for name in ("red_line", "tit_for_tat", "proportional", "escalation_dominance", "cost_benefit"):
        policy = make_rule(RULES[name].Params()).policy(view)
        assert policy.probs[view.hold_index] < 0.9, name
        assert mass(policy, view, lambda o: o.target == "KH" and o.hostile) > 0.1, name
