"""Signals as objects (signals.py) on real models of the January 2020 scenario: conditional threats, justified
back-downs, closure declarations, and words that are answered by words only."""

from __future__ import annotations

import pytest

from escalation_sim.mechanics import hazards
from escalation_sim.mechanics.perception import Act, carry_out
from escalation_sim.mechanics.signals import receive
from escalation_sim.minds.beliefs import message_likelihood, observed
from escalation_sim.model import EscalationModel
from escalation_sim.scenario import Scenario, ThreatTerms
from helpers import at_branch, shipped


def quiet_scenario() -> Scenario:
    """jan2020 without its history: nothing happens unless a test makes it happen."""
    base = shipped("jan2020")
    return base.with_edits(remove_events=[e.id for e in base.events])


def quiet_model(seed: int = 0, scenario: Scenario | None = None) -> EscalationModel:
    """A model in which no actor decides (history only, and there is none): the test acts for them."""
    model = EscalationModel(scenario=scenario or quiet_scenario(), rng=seed, replay_only=True, collect=False)
    model.step()
    return model


def do(model: EscalationModel, actor: str, key: str, target: str | None, killed: dict | None = None,
       threat: ThreatTerms | None = None) -> None:  # fmt: skip
    act = Act(model.by_id[actor], key, model.ladder[key], target, killed=dict(killed or {}), threat=threat)
    carry_out(model, act)


def days(model: EscalationModel, n: int) -> None:
    for _ in range(n):
        model.step()


def test_a_deterrent_threat_whose_condition_is_never_met_leaves_credibility_unchanged() -> None:
    model = quiet_model()
    usa = model.by_id["USA"]
    before = usa.credibility
    do(model, "USA", "threaten", "IRN")
    days(model, 45)  # past the old 10-day timer and past the threat's lapse
    assert usa.credibility == before
    assert model.signals.threats == {}  # it lapsed, at no cost


def test_a_deterrent_threat_met_and_not_made_good_costs_the_audience_cost() -> None:
    model = quiet_model()
    usa = model.by_id["USA"]
    before = usa.credibility
    do(model, "USA", "threaten", "IRN")
    do(model, "IRN", "threaten", "USA")  # words do not meet the condition
    do(model, "IRN", "nuclear_step", "USA")  # nor does pressure that is not force
    days(model, 3)
    assert usa.credibility == before
    assert usa.pending_threat[model.by_id["IRN"].index] == 0
    do(model, "IRN", "calibrated_strike", "USA")  # force against the US meets the default condition
    assert usa.pending_threat[model.by_id["IRN"].index] == model.crisis.threat_window_days
    days(model, model.crisis.threat_window_days + 1)
    assert usa.credibility == pytest.approx(before - usa.spec.audience_cost)


def test_force_that_kills_the_threatened_actors_people_makes_the_threat_good() -> None:
    """Esper's threat against KH (A05) was made good by a strike aimed at Iran that killed KH's founder (A06)."""
    model = quiet_model()
    usa = model.by_id["USA"]
    before = usa.credibility
    do(model, "USA", "threaten", "KH", threat=ThreatTerms(condition_met=True))
    do(model, "USA", "leadership_strike", "IRN", killed={"IRN": 5, "KH": 5})
    days(model, 20)
    assert usa.credibility == pytest.approx(before + 0.1)


def test_backing_down_with_a_justification_pays_part_of_the_cost() -> None:
    model = quiet_model()
    usa = model.by_id["USA"]
    before = usa.credibility
    do(model, "USA", "threaten", "IRN")
    do(model, "IRN", "calibrated_strike", "USA")
    do(model, "USA", "stand_down", "IRN")  # "Iran appears to be standing down": citing what has changed
    days(model, 20)
    discount = model.crisis.signals.justified_discount
    assert usa.credibility == pytest.approx(before - usa.spec.audience_cost * (1 - discount))


def test_a_compellent_threat_costs_unless_the_target_complies_by_the_deadline() -> None:
    terms = ThreatTerms(kind="compellent", deadline_days=3, window_days=4)
    ignored, complied = quiet_model(), quiet_model()
    for model in (ignored, complied):
        do(model, "USA", "threaten", "IRN", threat=terms)
    do(complied, "IRN", "stand_down", "USA")
    days(ignored, 2)
    assert ignored.by_id["USA"].credibility == 0.5  # before the deadline nothing is owed
    days(ignored, 10)
    days(complied, 12)
    assert ignored.by_id["USA"].credibility == pytest.approx(0.5 - ignored.by_id["USA"].spec.audience_cost)
    assert complied.by_id["USA"].credibility == 0.5


def test_january_2020_history_no_longer_charges_the_us_for_a_threat_it_made_good() -> None:
    """Replayed: A05 (2 Jan) made good by A06 (3 Jan); A09 met by A13 (8 Jan), backed down from with A17."""
    model = EscalationModel(scenario=shipped("jan2020"), rng=0, replay_only=True, collect=True)
    model.run_model()
    frame = model.datacollector.get_agent_vars_dataframe().reset_index()
    usa = frame[frame["actor"] == "USA"].set_index("Step")["credibility"]
    start = 1  # the DataCollector's step of the first day
    a06 = next((e.date - model.start_date).days + 1 for e in model.crisis.events if e.id == "A06")
    assert usa[a06] == pytest.approx(usa[start] + 0.1)  # made good, not expired
    assert usa.min() >= usa[start] - 1e-9  # the US never pays for Esper's threat
    assert usa.iloc[-1] == pytest.approx(usa[start] + 0.1 - 0.2 * 0.5)  # A09 backed down from, justified


def test_a_closure_declaration_lowers_the_other_sides_probability_of_force_over_seven_days() -> None:
    """Iran kills two Americans on the branch day; in one arm it then declares its response concluded."""
    scenario = shipped("jan2020")
    force = {False: 0, True: 0}
    seeds = range(300)
    for closure in (False, True):
        for seed in seeds:
            model = at_branch(scenario, seed)
            do(model, "IRN", "direct_strike", "USA", killed={"USA": 2})
            if closure:
                do(model, "IRN", "declare_closure", "USA")
            start = len(model.records)
            days(model, 7)
            force[closure] += any(
                r.actor == "USA" and r.target == "IRN" and model.ladder[r.action].force for r in model.records[start:]
            )
    n = len(seeds)
    assert force[False] / n > 0.3  # two Americans killed: the red line is crossed
    assert force[True] / n < force[False] / n - 0.1


def test_breaking_a_closure_costs_and_a_new_provocation_releases_it() -> None:
    model = quiet_model()
    irn = model.by_id["IRN"]
    do(model, "IRN", "declare_closure", "USA")
    before = irn.credibility
    do(model, "IRN", "calibrated_strike", "USA")  # unprovoked: the commitment is broken
    assert irn.credibility == pytest.approx(before - irn.spec.audience_cost)
    model2 = quiet_model()
    irn2 = model2.by_id["IRN"]
    do(model2, "IRN", "declare_closure", "USA")
    do(model2, "USA", "limited_strike", "KH")  # not a provocation of Iran: the closure still binds
    do(model2, "USA", "sanctions", "IRN")  # a new provocation of Iran releases it
    before = irn2.credibility
    do(model2, "IRN", "calibrated_strike", "USA")
    assert irn2.credibility == before


def test_words_are_answered_by_words_never_by_force() -> None:
    seen = 0
    for seed in range(60):
        model = quiet_model(seed)
        irn = model.by_id["IRN"]
        usa = model.by_id["USA"]
        do(model, "USA", "threaten", "IRN")
        if irn.outstanding[usa.index] < 2.5:  # perceived below the cheap-talk floor: nothing to answer
            continue
        seen += 1
        probs = irn.policy().probs
        against_us = [o for o in irn.options if o.target == "USA" and o.hostile]
        assert sum(probs[o.index] for o in against_us if o.force) == 0.0
        assert sum(probs[o.index] for o in against_us if not o.force) > 0.0
        do(model, "USA", "sanctions", "IRN")  # a deed: now force may answer
        for _ in range(3):  # once prepared (docs/model.md section 1a)
            hazards.end_of_day(irn)
        probs = irn.policy().probs
        assert sum(probs[o.index] for o in against_us if o.force) > 0.0
    assert seen >= 3


def test_words_enter_the_receivers_beliefs_where_it_holds_them() -> None:
    """Iran holds beliefs about the US (jan2020): a closure the US chose is evidence once, as the choice Iran saw
    (its types' words policies), not again when it is heard; a warning that arrives (a message no choice of the
    US's that Iran saw carried) raises Iran's posterior resolve, and what its rule reads as the US's resolve and
    credibility follows the posterior."""
    assert message_likelihood(0.8, False, 1.0) < message_likelihood(0.3, False, 1.0)  # assurance: low resolve
    assert message_likelihood(0.8, True, 0.0) == message_likelihood(0.3, True, 0.0) == 1.0  # no credibility: noise
    model = quiet_model()
    usa, irn = model.by_id["USA"], model.by_id["IRN"]
    state = irn.beliefs[usa.index]
    before = state.expected_resolve()
    closure = next(o for o in usa.options if o.action == "declare_closure" and o.target == "IRN")
    observed(model, usa, (usa.hold_index,), (closure.index,))  # the day's choice, seen before it is carried out
    seen = list(state.posterior)
    assert seen != pytest.approx(before)  # the choice teaches
    do(model, "USA", "declare_closure", "IRN")
    assert state.posterior == seen  # the words heard are the same evidence: counted once (before: twice)
    assured = state.expected_resolve()
    assert irn.resolve_of[usa.index] == irn.credibility_of[usa.index] == assured
    model.signals.closures.clear()
    receive(model, irn, usa, "warning")
    assert state.expected_resolve() > assured


def test_words_move_a_receivers_reading_of_the_senders_credibility_without_beliefs_and_fade() -> None:
    """The US holds no beliefs about Iran: Iran's closure lowers the US's own reading of Iran's credibility (no
    one else's), as log-odds that fade with the US's memory; a warning raises it."""
    model = quiet_model()
    usa, irn, irq = model.by_id["USA"], model.by_id["IRN"], model.by_id["IRQ"]
    shared = model.credibility_of[irn.index]
    do(model, "IRN", "declare_closure", "USA")
    lowered = usa.credibility_of[irn.index]
    assert lowered < shared
    assert irq.credibility_of[irn.index] == shared  # only the receiver heard it
    days(model, model.horizon - 2)  # within the horizon: past it, a history-only model's actors decide
    assert lowered < usa.credibility_of[irn.index] < shared
    assert usa.credibility_of[irn.index] == pytest.approx(model.credibility_of[irn.index], abs=0.01)
    receive(model, usa, irn, "warning")
    assert usa.credibility_of[irn.index] > model.credibility_of[irn.index]
