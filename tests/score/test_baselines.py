"""The baselines (issue 18, item 3): prequential ones never see the day they predict, the Hawkes fit recovers a
simulated process, in-sample ones carry their parameter counts, and `score --json` gives each with its split."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from escalation_sim.score import score_scenario
from escalation_sim.score.baselines import BASELINES, TERMS, Space, actor_days, options_of, parameters, spaces_of
from escalation_sim.score.counts import counted_terms
from escalation_sim.score.hawkes import MIN_DECISIONS, fit, hawkes_terms
from escalation_sim.score.record import ActorDay, observed, scored_days
from helpers import shipped

PREQUENTIAL = ("prequential_base_rate", "prequential_markov1", "hawkes")


def _perturbed(days: list[ActorDay], start: int, option: tuple[str, str | None]) -> list[ActorDay]:
    """The same days before `start`; from `start` on, every day the opposite of what was recorded: an act of
    `option` where the actor held, holding where it acted, justification and accident flipped."""
    out = list(days[:start])
    for d in days[start:]:
        acts = [] if d.acts else [(option[0], option[1], "X")]
        out.append(replace(d, acts=acts, justified=None if d.justified else "X", accident=None if d.accident else "X"))
    return out


@pytest.fixture(scope="module")
def jan2020():
    scenario = shipped("jan2020")
    return scenario, observed(scenario, scored_days(scenario)), spaces_of(scenario), options_of(scenario)


@pytest.mark.parametrize("name", PREQUENTIAL)
def test_a_prequential_baseline_never_uses_the_day_it_predicts_or_later(jan2020, name) -> None:
    scenario, record, spaces, options = jan2020
    for actor in ("USA", "KH"):
        days = actor_days(scenario, record, actor)
        before = TERMS[name](days, spaces[actor])
        for start in (8, 20):
            after = TERMS[name](_perturbed(days, start, options[actor][0]), spaces[actor])
            assert after[:start] == before[:start]  # exactly: nothing from day `start` on was used
            assert after[start] != before[start]  # and the perturbation is seen on the day itself


def test_the_in_sample_baselines_do_use_later_days_and_count_their_parameters(jan2020) -> None:
    """The same perturbation moves an in-sample baseline's earlier days: the test above can fail."""
    scenario, record, spaces, options = jan2020
    days = actor_days(scenario, record, "USA")
    for name in ("base_rate", "markov1"):
        before = TERMS[name](days, spaces["USA"])
        after = TERMS[name](_perturbed(days, 20, options["USA"][0]), spaces["USA"])
        assert after[:20] != before[:20]
    space = spaces["USA"]
    n, k = space.options, len(space.coins)
    assert space.deeds > 0 and space.words > 0 and space.deeds + space.words == n
    assert parameters("base_rate", space) == n + k  # per channel: acting, n_c - 1 option shares; each coin
    assert parameters("markov1", space) == (space.deeds + 1) * space.deeds + (space.words + 1) * space.words + 2 * k
    assert all(parameters(name, space) == 0 for name in PREQUENTIAL)


def test_prequential_day_zero_is_the_jeffreys_prior() -> None:
    """Before any day is seen, acting is a fair coin and each of n options is 1/n."""
    days = [ActorDay(0, "A", acts=[("strike", "B", "E1")]), ActorDay(1, "A"), ActorDay(2, "A")]
    terms = counted_terms(days, 4, ("justified",), markov=False, prequential=True)
    assert terms[0].act == pytest.approx(math.log(0.5)) and terms[0].choice == pytest.approx(math.log(0.25))
    assert terms[0].coins == pytest.approx(math.log(0.5))
    assert terms[1].act == pytest.approx(math.log(1 - 1.5 / 2))  # one act in one trial: p = (1 + 1/2) / (1 + 1)
    assert terms[2].act == pytest.approx(math.log(1 - 1.5 / 3))


def _simulate(mu: float, alpha: float, beta: float, days: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    counts, excitation, q = np.zeros(days), 0.0, math.exp(-beta)
    for t in range(days):
        counts[t] = rng.poisson(mu + alpha * (1 - q) * excitation)
        excitation = q * excitation + counts[t]
    return counts


def test_the_hawkes_fit_recovers_a_simulated_process() -> None:
    est = fit(_simulate(0.2, 0.6, 0.5, 1500, seed=3))
    assert abs(est.mu - 0.2) < 0.07 and abs(est.alpha - 0.6) < 0.15 and 0.25 < est.beta < 1.0
    calm = fit(_simulate(0.3, 0.0, 1.0, 1500, seed=4))  # no self-excitation: alpha near 0, mu the rate
    assert calm.alpha < 0.15 and abs(calm.mu - 0.3) < 0.06


def test_hawkes_falls_back_to_the_prequential_base_rate_before_enough_decisions_then_follows_bursts() -> None:
    acts = {2, 15, 30, 31, 32, 33, 34}  # two lone decisions, then a burst
    days = [ActorDay(t, "A", acts=[("strike", "B", f"E{t}")] if t in acts else []) for t in range(40)]
    hawkes, base = hawkes_terms(days, 3, ()), counted_terms(days, 3, (), markov=False, prequential=True)
    first_fit = sorted(acts)[MIN_DECISIONS - 1] + 1  # the day after the third decision
    assert hawkes[:first_fit] == base[:first_fit]
    assert hawkes[first_fit:] != base[first_fit:]
    assert [h.choice for h in hawkes] == [b.choice for b in base]  # marks: the prequential base rate's
    for t in (32, 33, 34):  # inside the burst the self-exciting process expects the next decision more
        assert hawkes[t].act > base[t].act + 0.5


def test_score_json_has_every_baseline_with_its_timing_and_choice_split() -> None:
    result = score_scenario(shipped("two_state"), particles=10, replications=2, seed=1, executor="serial")
    j = result.as_json()
    assert set(j["baselines"]) == set(BASELINES)
    for b in j["baselines"].values():
        assert b["total"] == pytest.approx(b["timing"] + b["choice"]) and b["total"] <= 0
        assert b["fit"] in ("none", "in-sample", "prequential")
        assert (b["parameters"] > 0) == (b["fit"] == "in-sample")
    for actor, row in j["per_actor"].items():
        for name in ("prequential_base_rate", "prequential_markov1", "hawkes"):
            assert row[name] == pytest.approx(row[f"{name}_timing"] + row[f"{name}_choice"]), actor
    per_actor = sum(row["hawkes"] for row in j["per_actor"].values())
    assert per_actor == pytest.approx(j["baselines"]["hawkes"]["total"])


def test_baselines_score_a_words_and_a_deeds_decision_per_actor_day() -> None:
    """Like for like with the model (score/filter.py): each channel holds or acts on its own, with its own
    counts. Two deed options (strike, raid) and one word option (threaten); worked by hand with Jeffreys 1/2."""
    space = Space(deeds=2, words=1, coins=(), said=frozenset({"threaten"}))
    days = [
        ActorDay(0, "A", acts=[("strike", "B", "E1"), ("threaten", "B", "E2")]),  # a deed and a word
        ActorDay(1, "A"),  # silent and holding: two holds
        ActorDay(2, "A", acts=[("threaten", "B", "E3")]),  # a word; holding on deeds
    ]
    terms = TERMS["prequential_base_rate"](days, space)
    log = math.log
    # day 0: both channels at the prior: acting 1/2 on each; strike 1/2 of the two deeds, threaten 1 of one word
    assert terms[0].act == pytest.approx(2 * log(0.5)) and terms[0].choice == pytest.approx(log(0.5) + log(1.0))
    # day 1: each channel saw one act in one trial: acting (1 + 1/2) / (1 + 1) = 3/4; both hold
    assert terms[1].act == pytest.approx(2 * log(1 - 0.75)) and terms[1].choice == 0.0
    # day 2: words acted 1 in 2 trials: (1.5 / 3); deeds likewise held with (1 - 1.5 / 3)
    assert terms[2].act == pytest.approx(log(0.5) + log(0.5)) and terms[2].choice == pytest.approx(log(1.0))
    # Markov-1 per channel: day 2's state on each channel is yesterday's holding, seen once before (day 0, whose
    # "yesterday" is holding too), when each channel acted: acting (1 + 1/2) / (1 + 1) = 3/4. Words act, deeds hold
    markov = TERMS["prequential_markov1"](days, space)
    assert markov[2].act == pytest.approx(log(0.75) + log(1 - 0.75))
    # the uniform baseline: 1/(n_c + 1) to hold on each channel
    uniform = TERMS["uniform"](days, space)
    assert uniform[1].act == pytest.approx(log(1 / 3) + log(1 / 2))
    # pooling the channels (one decision a day among all three options) scores the same days differently
    pooled = counted_terms(days, 3, (), markov=False, prequential=True)
    assert sum(t.act + t.choice for t in pooled) != pytest.approx(sum(t.act + t.choice for t in terms))


def test_a_channel_without_options_is_not_scored_but_its_coins_are() -> None:
    space = Space(deeds=0, words=2, coins=("justified",), said=frozenset({"threaten", "warn"}))
    days = [ActorDay(0, "A", justified="J1"), ActorDay(1, "A", acts=[("warn", "B", "E1")])]
    terms = TERMS["prequential_base_rate"](days, space)
    assert terms[0].act == pytest.approx(math.log(0.5)) and terms[0].coins == pytest.approx(math.log(0.5))
    assert terms[1].coins == pytest.approx(math.log(1 - 0.75)) and terms[1].choice == pytest.approx(math.log(0.5))
