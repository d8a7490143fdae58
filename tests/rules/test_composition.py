"""Decision-maker types: the tremble (Selten 1975), mixtures and regime models (filtering, draws, switches)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from escalation_sim.minds.policy import decide
from escalation_sim.model import EscalationModel
from escalation_sim.rules import RULES, make_rule
from escalation_sim.rules.base import withhold_cooling
from helpers import shipped, us_view
from test_rules import views

RULE_NAMES = sorted(RULES)
OLD_US_RULE = {"name": "red_line", "killed_threshold": 1, "rung_threshold": 8, "margin": 0, "below_rung": 4}


def with_params(name: str, **params: object):
    return make_rule(RULES[name].Params(name=name, **params))


# --- the tremble --------------------------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(view=views(), name=st.sampled_from(RULE_NAMES), epsilon=st.floats(1e-6, 1.0), data=st.data())
def test_with_a_tremble_every_available_option_has_at_least_epsilon_over_n(view, name, epsilon, data) -> None:
    n_options = len(view.options)
    view.cooling = data.draw(st.lists(st.sampled_from([0, 0, 0, 2]), min_size=n_options, max_size=n_options))
    view.cooling[view.hold_index] = 0  # holding never cools down
    policy = decide(view, with_params(name, epsilon=epsilon))  # the production pipeline
    free = [i for i in range(n_options) if not view.cooling[i]]
    assert math.isclose(sum(policy.probs), 1.0, abs_tol=1e-9)
    for i in range(n_options):
        if view.cooling[i]:
            assert policy.probs[i] == 0.0, "an option cooling down cannot be taken, tremble or not"
        else:
            assert policy.probs[i] >= epsilon / len(free) * (1 - 1e-12)


@settings(max_examples=100, deadline=None)
@given(view=views(), name=st.sampled_from(RULE_NAMES))
def test_no_tremble_is_the_doctrine_itself(view, name) -> None:
    expected = with_params(name).policy(view)
    withhold_cooling(view, expected)
    assert decide(view, with_params(name, epsilon=0.0)).probs == expected.probs


def test_a_zero_tremble_is_not_written_so_old_scenarios_keep_their_hash() -> None:
    assert "epsilon" not in with_params("tit_for_tat").params.model_dump()
    assert with_params("tit_for_tat", epsilon=0.01).params.model_dump()["epsilon"] == 0.01


# --- mixtures -----------------------------------------------------------------------------------------------


@settings(max_examples=100, deadline=None)
@given(view=views(), name=st.sampled_from(sorted(set(RULE_NAMES) - {"mixture", "regime"})))
def test_a_one_component_mixture_is_its_component(view, name) -> None:
    alone = with_params(name).policy(view)
    mixed = with_params("mixture", components=[{"weight": 3.0, "rule": {"name": name}}]).policy(view)
    assert mixed.probs == alone.probs and mixed.reason == alone.reason


def test_a_mixture_averages_its_components() -> None:
    view = us_view().provoke("KH", 5, action="siege")
    red, restore = with_params("red_line").policy(view), with_params("restore_deterrence").policy(view)
    components = [{"weight": 3, "rule": {"name": "red_line"}}, {"weight": 1, "rule": {"name": "restore_deterrence"}}]
    mixed = with_params("mixture", components=components).policy(view)
    for a, b, m in zip(red.probs, restore.probs, mixed.probs, strict=True):
        assert math.isclose(m, 0.75 * a + 0.25 * b, abs_tol=1e-15)
    assert "0.75 red_line, 0.25 restore_deterrence" in mixed.reason


def test_one_component_mixture_and_zero_tremble_reproduce_runs_byte_for_byte() -> None:
    """Real jan2020 runs, several seeds: the US as a red line, as a one-component mixture of it, with epsilon 0."""
    base = shipped("jan2020").with_edits({"actors.USA.rule": OLD_US_RULE})
    variants = [
        base.with_edits({"actors.USA.rule": {"name": "mixture", "components": [{"weight": 1, "rule": OLD_US_RULE}]}}),
        base.with_edits({"actors.USA.rule": {**OLD_US_RULE, "epsilon": 0.0}}),
    ]
    for seed in (0, 1, 2, 3, 7):
        expected = _events(base, seed)
        for variant in variants:
            assert _events(variant, seed) == expected
    assert _events(base.with_edits({"actors.USA.rule.epsilon": 0.01}), 3) != _events(base, 3), "the test can fail"


def _events(scenario, seed: int) -> list[tuple]:
    model = EscalationModel(scenario=scenario, rng=seed, collect=False)
    model.run_model()
    return [(r.day, r.actor, r.target, r.action, r.probability, r.reason, tuple(r.killed.items()))
            for r in model.records]  # fmt: skip


# --- regime models ------------------------------------------------------------------------------------------

TWO_TYPES = {"name": "regime",
             "regimes": {"red_line": OLD_US_RULE, "restore_deterrence": {"name": "restore_deterrence"}},
             "start": {"red_line": 0.9, "restore_deterrence": 0.1}}  # fmt: skip


def test_the_filter_is_bayes_then_the_kernel_then_the_triggers() -> None:
    params = {k: v for k, v in TWO_TYPES.items() if k != "name"}
    regime = with_params("regime", **params, switch_rate=0.1,
                         triggers=[{"event": "siege", "to": "restore_deterrence", "probability": 0.5}])  # fmt: skip
    view = us_view().provoke("KH", 5, action="siege")
    strike = [o.index for o in view.options if o.action == "leadership_strike" and o.target == "IRN"]
    likelihoods = [sum(rule.policy(view).probs[i] for i in strike) for rule in regime.rules]
    marginal = regime.policy(view)
    assert math.isclose(sum(marginal.probs[i] for i in strike), 0.9 * likelihoods[0] + 0.1 * likelihoods[1])
    regime.observe(view, strike)
    posterior = 0.1 * likelihoods[1] / (0.9 * likelihoods[0] + 0.1 * likelihoods[1])
    assert math.isclose(regime.belief[1], posterior) and posterior > 0.99
    regime.day_passes(0.0)
    assert math.isclose(regime.belief[1], posterior * 0.9 + (1 - posterior) * 0.1)
    before = regime.belief[1]
    regime.on_event(regime.triggered("siege", True)[0], 0.0, "siege")
    assert math.isclose(regime.belief[1], 0.5 * before + 0.5)
    assert not regime.triggered("siege", False), "target_of: self ignores sieges of others"


def test_replay_marginalises_over_regimes_and_gives_the_soleimani_strike_its_chance() -> None:
    old = shipped("jan2020").with_edits({"actors.USA.rule": OLD_US_RULE})
    typed = old.with_edits({"actors.USA.rule": TWO_TYPES | {"triggers": [
        {"event": "siege", "target_of": "self", "to": "restore_deterrence", "probability": 0.5}]}})  # fmt: skip
    red = [_replayed(old, seed)["A06"] for seed in range(20)]
    mixed = [_replayed(typed, seed)["A06"] for seed in range(20)]
    assert max(red) < 1e-12, "a red line alone all but rules the strike out"
    assert sum(mixed) / len(mixed) > 1e-3


def _replayed(scenario, seed: int) -> dict[str, float]:
    model = EscalationModel(scenario=scenario, rng=seed, replay_only=True, collect=False)
    model.run_model()
    return {r.event_id: r.probability for r in model.records if r.event_id}


def test_each_run_draws_a_regime_names_it_and_names_switches() -> None:
    """From the first day (no history): the red line is drawn; KH's harassment switches it (the trace says)."""
    scenario = shipped("jan2020").with_edits({"branch_date": "2019-12-27", "actors.USA.rule": TWO_TYPES | {
        "start": {"red_line": 1.0},
        "triggers": [{"event": "harassment", "to": "restore_deterrence", "probability": 1.0}]}})  # fmt: skip
    switched = 0
    for seed in range(10):
        model = EscalationModel(scenario=scenario, rng=seed, collect=False)
        model.run_model()
        decided = [r for r in model.records if r.actor == "USA" and r.origin == "model" and r.action != "justify"]
        reasons = [r.reason.removeprefix("words: ") for r in decided]  # a word says its channel first
        assert all(r.startswith("regime ") for r in reasons)
        switched += any("switched from red_line: harassment by KH" in r for r in reasons)
    assert switched >= 3


def test_regime_names_are_checked() -> None:
    with pytest.raises(ValueError, match="unknown regime 'hawk'"):
        RULES["regime"].Params(regimes={"dove": {"name": "restraint"}}, start={"hawk": 1.0})


def test_a_drawn_regime_switches_by_day_and_by_its_own_acts_and_says_so() -> None:
    params = {k: v for k, v in TWO_TYPES.items() if k != "name"}
    back = {"event": "leadership_strike", "by": "self", "target_of": "any", "to": "red_line", "probability": 0.5}
    regime = with_params("regime", **params, switch_rate=0.2, triggers=[back])
    regime.draw(0.95)  # the upper 10% of the draw: restore_deterrence
    assert regime.names[regime.current] == "restore_deterrence"
    regime.day_passes(0.9)  # stays: P(stay) = 0.8
    assert regime.names[regime.current] == "restore_deterrence"
    regime.day_passes(0.1)  # the kernel's row [0.2, 0.8]: a draw below 0.2 moves to red_line
    assert regime.names[regime.current] == "red_line"
    view = us_view().provoke("KH", 5, action="siege")
    assert "(switched from restore_deterrence: daily switching)" in regime.policy(view).reason
    regime.draw(0.95)
    assert not regime.triggered("leadership_strike", False, by_self=False), "only its own strike counts"
    trigger = regime.triggered("leadership_strike", False, by_self=True)[0]
    regime.on_event(trigger, 0.7, "leadership_strike by USA against IRN")  # 0.7 >= 0.5: no switch
    assert regime.names[regime.current] == "restore_deterrence"
    regime.on_event(trigger, 0.3, "leadership_strike by USA against IRN")
    assert regime.policy(view).reason.startswith(
        "regime red_line (switched from restore_deterrence: leadership_strike by USA against IRN)"
    )
