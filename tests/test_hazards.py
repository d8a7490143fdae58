"""Decision hazards with refractoriness (mechanics/hazards.py, docs/model.md section 1a), on real models."""

from __future__ import annotations

import math

import pytest

from escalation_sim.mechanics import hazards
from escalation_sim.minds.policy import decide
from escalation_sim.model import EscalationModel
from escalation_sim.scenario.hazards import Hazards, Lag
from escalation_sim.state.clock import Clock, recovery_table
from helpers import at_branch, shipped


def option(model: EscalationModel, actor: str, action: str, target: str):
    return next(o for o in model.by_id[actor].options if o.action == action and o.target == target)


def force_at(model: EscalationModel, actor: str, target: str) -> float:
    a = model.by_id[actor]
    probs = a.policy().probs
    return sum(probs[o.index] for o in a.options if o.force and o.target == target)


def test_recovery_is_the_shifted_discrete_weibull() -> None:
    table = recovery_table(1, 2.0, 3.0)
    assert table[0] == 0.0  # not the day of the provocation
    for tau in (1, 2, 3, 5):
        assert table[tau] == pytest.approx(1 - math.exp(-(((tau - 1 + 1) / 3.0) ** 2)))
    assert table[-1] <= 0.9999 < 1 - math.exp(-(((len(table)) / 3.0) ** 2))
    assert recovery_table(0, 1.0, 2.0)[0] == pytest.approx(1 - math.exp(-0.5))


def test_classes_of_the_shipped_ladder() -> None:
    ladder = shipped("jan2020").actions
    cls = {key: hazards.action_class(action) for key, action in ladder.items()}
    assert cls["denounce"] == cls["threaten"] == cls["justify"] == hazards.WORDS
    assert cls["limited_strike"] == cls["harassment"] == cls["campaign"] == hazards.FORCE
    assert cls["sanctions"] == cls["siege"] == cls["show_of_force"] == cls["order_attack"] == hazards.OPERATIONS
    assert cls["talks"] == cls["stand_down"] == cls["request_restraint"] == hazards.DIPLOMACY
    assert cls["hold"] == cls["accident"] == hazards.NO_CLASS


def test_a_grievance_answered_lowers_the_answering_actors_next_day_hazard() -> None:
    model = at_branch(shipped("jan2020"), 0)
    usa, kh = model.by_id["USA"], model.by_id["KH"]
    usa.outstanding[kh.index] = 7.0
    usa.grievance[kh.index] = 7.0
    usa.last_killed[kh.index] = 2
    usa.own_hit[kh.index] = True
    usa.clock.roused = 30  # provoked long ago: prepared
    hazards.end_of_day(usa)
    before = force_at(model, "USA", "KH")
    assert before > 0.0
    model.act(usa, option(model, "USA", "limited_strike", "KH"), 1.0, "test")
    assert usa.grievance[kh.index] < 7.0 * 0.51  # half of it discharged (and the rest of the day's decay to come)
    usa.end_of_day()  # the next day
    assert usa.clock.factor[hazards.FORCE] < 0.2  # refractory: a day after its own strike
    refractory = force_at(model, "USA", "KH")
    assert refractory < before
    # the same state with its force clock rested: the clock, not only the grievance settled, lowers the hazard
    usa.clock.since[hazards.FORCE] = 30
    hazards.end_of_day(usa)
    assert force_at(model, "USA", "KH") > 5 * refractory


def test_irqs_protest_probability_falls_after_it_answers_a_violation() -> None:
    """jan2020: Iraq's daily chance of protesting the US falls the day after it protested a violation."""
    model = at_branch(shipped("jan2020"), 0)
    irq, usa = model.by_id["IRQ"], model.by_id["USA"]
    model.act(usa, option(model, "USA", "limited_strike", "KH"), 1.0, "a strike on Iraqi soil")
    assert irq.violations[usa.index] > 0.0
    for _ in range(3):  # the host prepares its answer
        irq.end_of_day()
    prior = model.probability_of(irq, "denounce", "USA")
    assert prior > 0.0
    violations = irq.violations[usa.index]
    model.act(irq, option(model, "IRQ", "denounce", "USA"), prior, "protest")
    assert irq.violations[usa.index] < violations  # the protest discharged part of it
    irq.end_of_day()
    after = model.probability_of(irq, "denounce", "USA")
    assert after < prior


def test_violations_fade_with_their_half_life() -> None:
    scenario = shipped("jan2020").with_edits({"actors.IRQ.hazards": {"violation_half_life_days": 7}})
    model = at_branch(scenario, 0)
    irq = model.by_id["IRQ"]
    usa = model.by_id["USA"].index
    irq.violations[usa] = 8.0
    for _ in range(7):
        hazards.end_of_day(irq)
    assert irq.violations[usa] == pytest.approx(4.0)


def test_scenario_hazards_are_validated_and_leave_the_hash_alone() -> None:
    jan = shipped("jan2020")
    assert "hazards" not in jan.model_dump()["actors"]["USA"]
    edited = jan.with_edits({"actors.USA.hazards": {"force": {"min_days": 3, "shape": 1.0, "scale_days": 1.0}}})
    assert edited.actors["USA"].hazards == Hazards(force=Lag(min_days=3, shape=1.0, scale_days=1.0))
    clock = Clock.of(edited.actors["USA"].hazards, 14.0)
    assert clock.tables[hazards.FORCE][:3] == (0.05, 0.05, 0.05)  # the floor before the minimum: rare, not impossible
    hard = Clock.of(Hazards(force=Lag(min_days=3, shape=1.0, scale_days=1.0, early=0.0)), 14.0)
    assert hard.tables[hazards.FORCE][:3] == (0.0, 0.0, 0.0)
    with pytest.raises(Exception, match="min_days"):
        jan.with_edits({"actors.USA.hazards": {"force": {"min_days": -1}}})


def test_statements_answer_the_news() -> None:
    """jan2020: Iraq's chance of answering a US strike on its soil in words (a protest or a withdrawal demand)
    falls as the strike ages as news, far faster than the violation fades; with the news cycle off (`news_floor`
    1) it does not."""

    def protest_by_age(scenario) -> list[float]:
        model = at_branch(scenario, 0)
        irq, usa = model.by_id["IRQ"], model.by_id["USA"]
        model.act(usa, option(model, "USA", "limited_strike", "KH"), 1.0, "a strike on Iraqi soil")
        out = []
        for _ in range(5):
            irq.clock.roused = irq.clock.since[hazards.WORDS] = 30  # prepared: only the news ages
            hazards.end_of_day(irq)
            words = decide(irq, irq.rule).words
            assert words is not None
            out.append(sum(words[o.index] for o in irq.options if o.words and o.rung > 0 and o.target == "USA"))
            irq.end_of_day()
        return out

    jan = shipped("jan2020")
    fresh, *_, old = protest_by_age(jan)
    assert 0.0 < old < 0.2 * fresh  # four news cycles later: (0.05 + 0.95 / 16) / (0.05 + 0.95 / 2) of it
    fresh_off, *_, old_off = protest_by_age(jan.with_edits({"actors.IRQ.hazards": {"news_floor": 1.0}}))
    assert old_off > 0.5 * fresh_off  # without the news cycle only the grievance's slow fading lowers it


def test_an_armed_groups_deeds_are_deniable_and_not_its_hosts_violation() -> None:
    """jan2020: KH's intended rockets are not voiced on its words channel, and its rockets on Iraqi soil are no
    violation of Iraq's sovereignty (a US strike there is)."""
    model = at_branch(shipped("jan2020"), 0)
    kh, irq, usa = model.by_id["KH"], model.by_id["IRQ"], model.by_id["USA"]
    rule_probs = list(kh.rule.policy(kh).probs)
    assert sum(rule_probs[o.index] for o in kh.options if o.force) > 0.0
    words = decide(kh, kh.rule).words
    assert words is not None
    said = [o.index for o in kh.options if o.words]
    assert sum(words[i] for i in said) <= sum(rule_probs[i] for i in said) + 1e-12  # its own words only
    model.act(kh, option(model, "KH", "harassment", "USA"), 1.0, "rockets on a base in Iraq")
    assert irq.violations[kh.index] == 0.0
    model.act(usa, option(model, "USA", "limited_strike", "KH"), 1.0, "a strike on Iraqi soil")
    assert irq.violations[usa.index] > 0.0


def test_the_days_since_an_act_count_on_once_every_class_has_recovered() -> None:
    """The counts used to advance only while some class was recovering, so once all had recovered `since` stopped
    (10 days after a strike under the force prior). That changed no decision: the hazard is flat, 1, beyond
    recovery, as the factors below show day by day. But the learned rule's onset features read the count (days
    quiet, capped at 30; engaged, halving weekly), and an actor that had ever acted never looked quieter than that."""
    from types import SimpleNamespace

    from escalation_sim.rules.features import QUIET_DAYS, days_quiet

    clock = Clock.of(None, 30.0)
    hazards.restart(clock, shipped("jan2020").actions["limited_strike"])
    force = clock.tables[hazards.FORCE]
    for day in range(1, 41):
        hazards.tick(clock)
        assert clock.since[hazards.FORCE] == day
        assert clock.factor[hazards.FORCE] == (force[day] if day < len(force) else 1.0)
    assert len(force) < 40 and not clock.recovering
    assert days_quiet(SimpleNamespace(clock=clock)) == QUIET_DAYS  # type: ignore[arg-type]
