"""Words and deeds as two channels (issue 17 item 5, docs/model.md section 1c): an actor may take one act of words
and one material act on the same day; the score reads a word and a deed of one actor on one day as two decisions."""

from __future__ import annotations

import datetime as dt

from escalation_sim.mechanics import hazards
from escalation_sim.minds.policy import decide
from escalation_sim.model import EscalationModel
from escalation_sim.runner import history_probabilities
from escalation_sim.score.filter import ScoringModel, channel_sizes
from escalation_sim.score.record import TREMBLE, observed, scored_days
from helpers import at_branch, shipped


def test_the_ladder_splits_words_from_deeds() -> None:
    ladder = shipped("jan2020").actions
    words = {k for k, a in ladder.items() if a.chosen and a.in_words}
    assert {"threaten", "denounce", "show_of_force", "sanctions", "stand_down", "private_warning"} <= words
    assert not words & {"calibrated_strike", "leadership_strike", "siege", "harassment", "nuclear_step", "concede"}


def test_a_word_takes_nothing_from_the_deeds_channel() -> None:
    """The deeds channel keeps each deed's probability as the rule gives it: the rule's words go to holding there,
    not to the deeds; the words channel voices the deeds as well as keeping the rule's words."""
    model = at_branch(shipped("jan2020"), 0)
    usa = model.by_id["USA"]
    rule_probs = usa.rule.policy(usa).probs
    policy = decide(usa, usa.rule)
    words = policy.words
    assert words is not None
    assert abs(sum(policy.probs) - 1.0) < 1e-9 and abs(sum(words) - 1.0) < 1e-9
    hold = usa.hold_index
    for o in usa.options:
        if o.index == hold:
            continue
        if o.words:
            assert policy.probs[o.index] == 0.0
        else:
            assert words[o.index] == 0.0
    # nothing binds the US's deeds on the eve of the branch but the clock, which only ever lowers them
    deeds = [o.index for o in usa.options if not o.words and o.index != hold]
    assert all(policy.probs[i] <= rule_probs[i] + 1e-12 for i in deeds)
    said = [o.index for o in usa.options if o.words]
    heard = list(rule_probs)  # the rule's own statements as fresh as the news they answer (docs 1a)
    hazards.attend(usa, heard)
    assert sum(words[i] for i in said) > sum(heard[i] for i in said)  # the deeds are voiced too


def test_a_word_does_not_block_a_deed_the_same_day() -> None:
    """Runs from the branch: some actor-day holds both a word and a deed the model chose (one act a day before)."""
    scenario = shipped("jan2020")
    ladder = scenario.actions
    both = 0
    for seed in range(12):
        model = EscalationModel(scenario=scenario, rng=seed, collect=False)
        model.run_model()
        days: dict[tuple[int, str], set[bool]] = {}
        for r in model.records:
            if r.origin == "model" and r.actor is not None and ladder[r.action].chosen:
                days.setdefault((r.day, r.actor), set()).add(ladder[r.action].in_words)
        both += sum(1 for kinds in days.values() if kinds == {True, False})
    assert both > 0


def _day_factors(day: int) -> dict[tuple[str, str, str], tuple[float, int]]:
    scenario = shipped("jan2020")
    model = ScoringModel(scenario, 0, scored_days(scenario))
    for d in range(day + 1):
        model.factors.clear()
        model.next_day(1000 + d)
    return {f.key: (f.p, f.outcomes) for f in model.factors}


def test_a_same_day_word_and_deed_record_scores_both_decisions() -> None:
    """8 January 2020: Iran's Al Asad strike (A13, a deed) and Khamenei's denunciation (A15, words). Each is scored
    as its channel's decision (acting on it, then the act among its options); Iran holds on neither channel."""
    scenario = shipped("jan2020")
    day = (dt.date(2020, 1, 8) - scenario.start_date).days
    record = observed(scenario, scored_days(scenario))[day]
    iran = next(d for d in record if d.actor == "IRN")
    assert [a for a, _, _ in iran.acts] == ["calibrated_strike", "denounce"]
    factors = _day_factors(day)
    model = EscalationModel(scenario=scenario, rng=0, replay_only=True, collect=False)
    deeds, words = channel_sizes(model.by_id["IRN"])
    assert factors[("IRN", "choice", "A13")][1] == deeds
    assert factors[("IRN", "choice", "A15")][1] == words
    for event in ("A13", "A15"):
        assert ("IRN", "timing", event) in factors
    assert ("IRN", "timing", "hold") not in factors and ("IRN", "timing", "silent") not in factors
    # the denunciation is within the words channel's reach, not a second act the model cannot make
    p_timing, _ = factors[("IRN", "timing", "A15")]
    p_choice, _ = factors[("IRN", "choice", "A15")]
    assert p_timing > 10 * TREMBLE / 2 and p_choice > 10 * TREMBLE / words  # neither factor is the floor's
    # an actor that took only a deed that day is scored as holding its words
    assert ("USA", "timing", "silent") in factors or ("USA", "timing", "A17") in factors


def test_us_words_of_january_2020_are_within_reach() -> None:
    """A04 (show of force), A05 and A09 (threats), A17 (stand-down), A20 (sanctions): median replay >= 1e-3."""
    table = history_probabilities(shipped("jan2020"), seeds=8)
    median = dict(zip(table["event_id"], table["median"], strict=True))
    for event in ("A04", "A05", "A09", "A17", "A20"):
        assert median[event] >= 1e-3, (event, median[event])
