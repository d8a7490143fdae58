"""Honest reasoning (issue 17, item 1): a forecast and a belief update depend only on what the forecaster can
observe. Changing a private field of the real other actor (a host's sovereignty grievances, a sponsor's private
order and wish for calm, the options its real clock has cooling down, its grievances, its perception noise)
leaves every actor's forecasts and every likelihood and posterior about the others unchanged. An imagined view
(minds/supposed.py) refuses to read through to anything not declared public."""

from __future__ import annotations

import pytest

from escalation_sim.mechanics.perception import carry_out
from escalation_sim.minds.anticipation import Forecaster
from escalation_sim.minds.beliefs import BeliefState, public_clock
from escalation_sim.minds.supposed import Supposed
from escalation_sim.model import EscalationModel
from escalation_sim.scenario import Perception
from escalation_sim.scenario.beliefs import UNINFORMED_DOCTRINES, Belief, BeliefType
from escalation_sim.state.actor import ActorState
from escalation_sim.state.records import Act
from helpers import at_branch, shipped


def wide(other: ActorState) -> Belief:
    """A type space that reads everything a rule can read: the taught doctrines, the learned (quantal) rule and
    the other's own rule (a host's, a militia's), each resolved or not."""
    rules = [{"name": n} for n in UNINFORMED_DOCTRINES] + [{"name": "quantal"}, other.spec.rule.model_dump()]
    n = 2 * len(rules)
    return Belief(types=[BeliefType(rule=r, resolve=x, prior=1.0 / n) for r in rules for x in (0.3, 0.8)])  # type: ignore[arg-type]


def what_each_sees(model: EscalationModel) -> dict[tuple[str, str], tuple]:
    """Per (forecaster, other): its forecasts of its options' answers while believing `wide` of every other, and
    its likelihood of each day the other could be seen to have (holding, each public option on its channel) in the
    other's state as the public record shows it, and the posterior after a quiet day. Nothing in the model changes."""
    out: dict[tuple[str, str], tuple] = {}
    for actor in model.actors:
        others = [b for b in model.actors if b is not actor]
        states = {b.index: BeliefState(actor, b, wide(b)) for b in others}
        held, actor.beliefs = actor.beliefs, states  # type: ignore[assignment]
        try:
            forecasts = Forecaster(actor, model).forecasts()
        finally:
            actor.beliefs = held
        for b in others:
            state = states[b.index]
            clock = public_clock(b)
            days = [((b.hold_index,), (b.hold_index,))]
            days += [(None, (o.index,)) if o.words else ((o.index,), None) for o in b.options if o.hostile]
            likes = [state.likelihoods(deed, word, state.view.reset(), clock) for deed, word in days]
            state.observe((b.hold_index,), (b.hold_index,))
            out[actor.actor_id, b.actor_id] = (forecasts, likes, state.posterior)
    return out


def option(actor: ActorState, action: str, target: str) -> int:
    return next(o.index for o in actor.options if o.action == action and o.target == target)


def violations(model: EscalationModel) -> None:
    """The host's real sovereignty grievance against the US and Iran."""
    irq = model.by_id["IRQ"]
    irq.violations[model.by_id["USA"].index] += 8.0
    irq.violations[model.by_id["IRN"].index] += 3.0


def private_order(model: EscalationModel) -> None:
    """Iran's private order to KH to hold fire (its real clock and cooldowns move), obeyed at once, and its wish
    for calm and KH's obedience (the real `sponsor_restraint`) at their extremes."""
    irn, kh = model.by_id["IRN"], model.by_id["KH"]
    before = kh.sponsor_restraint
    carry_out(model, Act(irn, "order_restraint", model.ladder["order_restraint"], "KH", reason="test"))
    for order in model.orders:
        order.due = model.day
    irn.restraint_signal, kh.proxy.control = 0.05, 1.0
    assert kh.sponsor_restraint != pytest.approx(before)


def real_cooling(model: EscalationModel) -> None:
    """Every actor's real clock: every option cooling down for a week, every class acted in today."""
    for a in model.actors:
        a.cooling[:] = [7] * len(a.cooling)
        a.cooling_count = len(a.cooling)
        a.clock.since[:] = [0] * len(a.clock.since)


def grievances(model: EscalationModel) -> None:
    """Every actor's real memory of the others (what it perceived, unanswered and resented) and its mood (its
    alert, which a salvo's kill odds read, and its domestic pressure)."""
    for a in model.actors:
        a.alert, a.domestic_pressure = 1.0 - 0.5 * a.alert, 0.9
        a.grievance[:] = [3.0 * g + 1.0 for g in a.grievance]
        a.outstanding[:] = [2.0 * g + 0.5 for g in a.outstanding]
        a.last_killed[:] = [k + 2 for k in a.last_killed]


PRIVATE = [violations, private_order, real_cooling, grievances]


@pytest.fixture(scope="module")
def branch() -> EscalationModel:
    return at_branch(shipped("jan2020"), 0)


@pytest.mark.parametrize("change", PRIVATE, ids=[f.__name__ for f in PRIVATE])
def test_a_private_change_of_the_real_other_leaves_forecasts_and_posteriors_unchanged(branch, change) -> None:
    """jan2020 on the eve of the branch, every actor forecasting and believing about every other: each private
    change (applied on a copy of the day, `carry_out` of a private order included) changes nothing any actor
    forecasts or learns."""
    before = what_each_sees(branch)
    model = at_branch(shipped("jan2020"), 0)
    change(model)
    after = what_each_sees(model)
    assert after.keys() == before.keys()
    for pair, seen in before.items():
        assert after[pair] == seen, f"{change.__name__}: what {pair[0]} sees of {pair[1]} moved"


def test_perception_noise_of_the_real_other_leaves_forecasts_and_posteriors_unchanged(branch) -> None:
    """The US and Iran perceiving with other noise and attribution: their real memories differ at the branch,
    the public record does not, and neither does what anyone forecasts or learns."""
    noisy = Perception(noise_sd=2.0, attribution=0.3, sponsor_attribution=0.9, casualty_weight=2.0)
    edits = {f"actors.{a}.perception": noisy.model_dump() for a in ("USA", "IRN")}
    model = at_branch(shipped("jan2020").with_edits(edits), 0)
    assert [r.action for r in model.records] == [r.action for r in branch.records]
    assert model.by_id["USA"].grievance != branch.by_id["USA"].grievance
    assert what_each_sees(model) == what_each_sees(branch)


def test_an_imagined_view_refuses_a_private_read(branch) -> None:
    """A private attribute not declared public raises, naming it; a public one reads through."""
    view = Supposed(branch.by_id["USA"])
    with pytest.raises(AttributeError, match=r"'perception'.*public"):
        _ = view.perception  # type: ignore[attr-defined]
    with pytest.raises(AttributeError, match="'proxy'"):
        _ = view.proxy  # type: ignore[attr-defined]
    assert view.kind == "state" and view.sponsor_of is branch.by_id["USA"].sponsor_of  # type: ignore[attr-defined]
