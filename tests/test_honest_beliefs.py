"""Honest learning (issue 17): a believer learns only from what it can observe of the other's decisions."""

from __future__ import annotations

import pytest

from escalation_sim.mechanics.signals import receive
from escalation_sim.mechanics.words import lost
from escalation_sim.minds.beliefs import observed
from escalation_sim.model import EscalationModel
from escalation_sim.scenario.errors import ScenarioError
from helpers import at_branch, shipped

US_BELIEFS = {
    "IRN": {
        "types": [
            {"rule": {"name": "red_line"}, "resolve": 0.3, "prior": 0.25},
            {"rule": {"name": "red_line"}, "resolve": 0.8, "prior": 0.25},
            {"rule": {"name": "restraint"}, "resolve": 0.3, "prior": 0.25},
            {"rule": {"name": "escalation_dominance"}, "resolve": 0.8, "prior": 0.25},
        ]
    }
}


def test_a_private_order_it_cannot_see_teaches_a_believer_nothing_a_hold_would_not() -> None:
    scenario = shipped("jan2020").with_edits({"actors.USA.beliefs": US_BELIEFS})
    posteriors = {}
    for what in ("order", "hold", "public"):
        model = at_branch(scenario, 0)
        irn, usa = model.by_id["IRN"], model.by_id["USA"]
        if what == "order":
            chosen = next(o for o in irn.options if o.action == "order_restraint" and o.target == "KH")
        elif what == "hold":
            chosen = irn.options[irn.hold_index]
        else:
            chosen = next(o for o in irn.options if o.action == "denounce" and o.target == "USA")
        observed(model, irn, (chosen.index,))
        posteriors[what] = list(usa.beliefs[irn.index].posterior)
    assert posteriors["order"] == posteriors["hold"]
    assert posteriors["public"] != posteriors["hold"]  # what the US can see does teach it


def iran_posterior(edits: dict[str, object], seed: int = 0) -> list[float]:
    model = EscalationModel(scenario=shipped("jan2020").with_edits(edits), rng=seed, collect=False)
    return list(model.by_id["IRN"].beliefs[model.by_id["USA"].index].posterior)


def test_the_record_before_the_crisis_teaches_the_doctrine_that_made_it() -> None:
    """Issue 17: Iran's prior about the US is updated by the US record of 2019; a record drawn from the US's own
    doctrine teaches that doctrine (its posterior share rises above its prior)."""
    prior = [t.prior for t in shipped("jan2020").actors["IRN"].beliefs["USA"].types]
    labels = [t.rule.name for t in shipped("jan2020").actors["IRN"].beliefs["USA"].types]
    assert iran_posterior({}) != prior  # the recorded answers move it
    for doctrine in ("massive_retaliation", "restraint"):
        edits = {"actors.USA.rule": {"name": doctrine}, "actors.USA.reputation_from": "rule"}
        mean = [0.0] * len(prior)
        for seed in range(5):
            mean = [m + p / 5 for m, p in zip(mean, iran_posterior(edits, seed), strict=True)]
        share = sum(m for m, name in zip(mean, labels, strict=True) if name == doctrine)
        assert share > sum(p for p, name in zip(prior, labels, strict=True) if name == doctrine), doctrine


def test_a_record_answer_outside_the_capabilities_is_refused() -> None:
    bad = [{"date": "2019-06-20", "provocation": "x", "by": "IRN", "severity": 5, "answer": "siege",
            "target": "IRN", "source": "s"}]  # fmt: skip
    with pytest.raises(ScenarioError, match=r"actors\.USA\.reputation\.0\.answer"):
        shipped("jan2020").with_edits({"actors.USA.reputation": bad})


def test_the_regime_filter_trembles_so_one_tail_act_cannot_swing_it() -> None:
    """jan2020's US filter stays below 0.9 restorer through the show of force of 31 December (A04). Before the
    words channel (issue 17 item 5) both regimes found A04 near impossible and, without the tremble, the filter
    jumped to ~1.0; weighed on the words channel, where a show of force voices either regime's answer, it swings
    the filter with or without the tremble no more than an ordinary act."""
    peaks = {}
    for tremble in (0.0, 0.001):
        model = EscalationModel(
            scenario=shipped("jan2020").with_edits({"actors.USA.rule.filter_tremble": tremble}), rng=0, collect=False
        )
        rule = model.by_id["USA"].rule
        restorer = rule.names.index("restore_deterrence")
        peak = 0.0
        while model.day < model.branch_day - 1:
            model.step()
            peak = max(peak, rule.belief[restorer])
        peaks[tremble] = peak
    assert max(peaks.values()) < 0.9, peaks


def us_option(model: EscalationModel, action: str, target: str | None) -> int:
    return next(o.index for o in model.by_id["USA"].options if o.action == action and o.target == target)


def test_a_threat_moves_iran_toward_the_types_whose_words_voice_it() -> None:
    """Two channels (issue 17): a US threat is weighed by each type's words policy in the US state as the public
    record shows it. On the branch eve a red line and restore_deterrence voice their intended answer with threats,
    restraint and massive retaliation (which see nothing to answer) do not: from an even prior, the threat raises
    the resolved types of the first two and lowers the last two. Weighed by the deeds policy (no type does a threat
    as a deed) it would teach nothing. Gated by the public clock (the US's last statement two days old, Iran's
    latest act toward it a day old), the red line's own threat is scaled by the news, restore_deterrence's, which
    voices the strike it prepares, keeps the strike's timing (docs/model.md 1a): restore_deterrence rises most."""
    model = at_branch(shipped("jan2020"), 0)
    usa = model.by_id["USA"]
    state = model.by_id["IRN"].beliefs[usa.index]
    even = [1.0 / len(state.posterior)] * len(state.posterior)
    state.posterior = list(even)
    state.observe(None, (us_option(model, "threaten", "IRN"),))
    moved = dict(zip(state.labels, [p / q for p, q in zip(state.posterior, even, strict=True)], strict=True))
    assert max(moved, key=moved.__getitem__) == "restore_deterrence/r=0.8", moved
    for label in ("red_line/r=0.8", "restore_deterrence/r=0.8"):
        assert moved[label] > 1.0, moved
    for label in ("restraint/r=0.3", "restraint/r=0.8", "massive_retaliation/r=0.3", "massive_retaliation/r=0.8"):
        assert moved[label] < 1.0, moved


def test_a_day_with_a_deed_and_a_word_is_a_term_for_each() -> None:
    """An actor-day with a strike and a threat weighs the strike by the deeds policies and the threat by the
    words policies, one term each (the product of the two updates); silence on the words channel is a term of its
    own, so the same strike with and without a threat teaches different things."""
    model = at_branch(shipped("jan2020"), 0)
    usa = model.by_id["USA"]
    state = model.by_id["IRN"].beliefs[usa.index]
    start = list(state.posterior)
    strike, threat = (us_option(model, "limited_strike", "KH"),), (us_option(model, "threaten", "KH"),)
    state.observe(strike, threat)
    both = list(state.posterior)
    state.posterior = list(start)
    state.observe(strike, None)
    state.observe(None, threat)
    assert both == pytest.approx(state.posterior, rel=1e-9)
    state.posterior = list(start)
    state.observe(strike, (usa.hold_index,))
    assert state.posterior != pytest.approx(both, rel=1e-3)


IRQ_BELIEFS = {
    "USA": {
        "types": [
            {"rule": {"name": "red_line"}, "resolve": 0.8, "prior": 0.5},
            {"rule": {"name": "restraint"}, "resolve": 0.3, "prior": 0.5},
        ]
    }
}


def test_a_private_message_teaches_only_its_addressee_and_only_when_it_arrives() -> None:
    """The US private assurance to Iran (a word on a channel Iraq is not party to) leaves Iraq's posterior where
    silence leaves it. Iran, whom it is addressed to, learns nothing when it is chosen (before, it learnt at once,
    even of a message the channel would lose or delay); when it arrives, the evidence of the choice enters once
    (not again as words heard); a message lost on the way teaches it nothing."""
    scenario = shipped("jan2020").with_edits({"actors.IRQ.beliefs": IRQ_BELIEFS})
    posteriors = {}
    for what in ("assurance", "silence", "arrived", "lost"):
        model = at_branch(scenario, 0)
        usa, irn = model.by_id["USA"], model.by_id["IRN"]
        word = us_option(model, "private_assurance", "IRN") if what != "silence" else usa.hold_index
        observed(model, usa, (usa.hold_index,), (word,))
        state = irn.beliefs[usa.index]
        if what == "arrived":
            receive(model, irn, usa, "assurance")
            assert not state.pending
        elif what == "lost":
            lost(state, "assurance")
            assert not state.pending
        posteriors[what] = [list(model.by_id[a].beliefs[usa.index].posterior) for a in ("IRQ", "IRN")]
    assert posteriors["assurance"][0] == posteriors["silence"][0]
    assert posteriors["assurance"][1] == posteriors["silence"][1]  # chosen, not yet arrived: a quiet day
    assert posteriors["lost"][1] == posteriors["silence"][1]
    assert posteriors["arrived"][1] != pytest.approx(posteriors["silence"][1], rel=1e-6)
    # on arrival, exactly the evidence of the choice: as if Iran had seen the assurance chosen
    model = at_branch(scenario, 0)
    usa, irn = model.by_id["USA"], model.by_id["IRN"]
    state = irn.beliefs[usa.index]
    state.addressed = {}  # as before: the addressee sees the choice
    state.unseen_words = (usa.hold_index,)
    state.observe((usa.hold_index,), (us_option(model, "private_assurance", "IRN"),))
    assert posteriors["arrived"][1] == pytest.approx(state.posterior, rel=1e-9)


def test_believers_learn_from_the_words_the_model_draws() -> None:
    """In a run, what Iran's belief about the US observes each US day is the US deed and the US word of that day
    (holding where it took none), before either is carried out."""
    model = at_branch(shipped("jan2020"), 3)
    usa = model.by_id["USA"]
    state = model.by_id["IRN"].beliefs[usa.index]
    seen: dict[int, tuple[tuple[int, ...] | None, tuple[int, ...] | None]] = {}
    observe = state.observe

    def spy(deed: tuple[int, ...] | None, word: tuple[int, ...] | None = None) -> None:
        seen[model.day] = (deed, word)
        observe(deed, word)

    state.observe = spy  # type: ignore[method-assign]
    for _ in range(12):
        model.step()
    hold = usa.hold_index
    for day, (deed, word) in seen.items():
        acts = [r for r in model.records if r.day == day and r.actor == "USA" and r.origin == "model"]
        done = {(r.action, r.target) for r in acts if r.action != "justify"}
        expected = {(usa.options[i].action, usa.options[i].target) for i in (*deed, *word) if i != hold}  # type: ignore[misc]
        assert done == expected, (day, done, expected)
    assert len(seen) == 12
    assert any(word != (hold,) for _, word in seen.values())  # the US said something: it was observed


def test_a_private_message_in_the_record_before_the_crisis_was_received() -> None:
    """A past answer that was a private message to the believer (a `reputation_from: rule` record may draw one) is
    seen as chosen, not as a quiet day, and leaves nothing waiting to arrive."""
    model = EscalationModel(scenario=shipped("jan2020"), rng=0, collect=False)
    usa = model.by_id["USA"]
    state = model.by_id["IRN"].beliefs[usa.index]
    start = list(state.posterior)
    assurance = us_option(model, "private_assurance", "IRN")
    posteriors = []
    for word in (assurance, usa.hold_index):
        state.posterior = list(start)
        state.observe((usa.hold_index,), (word,), state.view.reset())
        posteriors.append(list(state.posterior))
    assert posteriors[0] != pytest.approx(posteriors[1], rel=1e-6)
    assert not state.pending
