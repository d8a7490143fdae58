"""Beliefs (beliefs.py, scenario/beliefs.py): Bayes over a type space of the other actor, on real two_state runs."""

from __future__ import annotations

import gc

import pytest

from escalation_sim.minds.beliefs import BeliefState
from escalation_sim.model import EscalationModel
from escalation_sim.scenario import Scenario, load_scenario
from escalation_sim.scenario.errors import ScenarioError
from helpers import SCENARIO_DIR, shipped

LOW, HIGH = 0.3, 0.9


def red_types(prior_high: float, **extra: object) -> dict[str, object]:
    """Blue's belief about Red: proportional, low or high resolve."""
    return {
        "RED": {
            "types": [
                {"rule": {"name": "proportional", "margin": 0.0}, "resolve": LOW, "prior": 1.0 - prior_high},
                {"rule": {"name": "proportional", "margin": 0.0}, "resolve": HIGH, "prior": prior_high},
            ],
            **extra,
        }
    }


def blue_believing(prior_high: float, **extra: object) -> Scenario:
    scenario = shipped("two_state").with_edits({"actors.BLUE.beliefs": red_types(prior_high, **extra)})
    return scenario


Seen = tuple[tuple[int, ...] | None, tuple[int, ...] | None]


def recorded(model: EscalationModel) -> list[tuple[Seen, float, float]]:
    """Wrap Blue's belief about Red to record ((deed, words) options, P(high) before, after) for each observed
    day of Red's."""
    state: BeliefState = model.by_id["BLUE"].beliefs[model.by_id["RED"].index]
    log: list[tuple[Seen, float, float]] = []
    observe = state.observe

    def spy(deed: tuple[int, ...] | None, word: tuple[int, ...] | None = None) -> None:
        before = state.posterior[1]
        observe(deed, word)
        log.append(((deed, word), before, state.posterior[1]))

    state.observe = spy  # type: ignore[method-assign]
    return log


def run(scenario: Scenario, seed: int) -> tuple[EscalationModel, list[tuple[Seen, float, float]]]:
    model = EscalationModel(scenario=scenario, rng=seed, collect=False)
    log = recorded(model)
    model.run_model()
    return model, log


def test_posterior_of_a_resolute_red_rises_with_each_of_its_answers() -> None:
    """A day on which Red is hostile on either channel (a deed, a threat) never lowers P(resolute); it raises it
    unless neither type meant it (a trembling hand's threat in a quiet state is no evidence)."""
    scenario = blue_believing(0.5)
    answers = 0
    for seed in range(8):
        model, log = run(scenario, seed)
        red = model.by_id["RED"]
        for (deed, word), before, after in log:
            if any(red.options[i].hostile for i in (*(deed or ()), *(word or ()))):
                answers += after > before
                assert after >= before, f"seed {seed}: an answer by Red lowered P(resolute) {before} -> {after}"
    assert answers >= 8, "too few answers by Red to test anything"


def test_holding_when_provoked_lowers_it_under_past_actions_and_not_under_current_calculus() -> None:
    for model_name, should_fall in (("past_actions", True), ("current_calculus", False)):
        model, log = run(blue_believing(0.5, credibility_model=model_name), 1)
        red = model.by_id["RED"]
        holds = [(b, a) for seen, b, a in log if seen == ((red.hold_index,), (red.hold_index,))]  # on both channels
        if should_fall:
            assert holds and any(a < b for b, a in holds)
        else:
            assert holds and all(a == b for b, a in holds)  # a hold is no evidence about the type
        assert model.by_id["BLUE"].resolve_of[red.index] == pytest.approx(
            model.by_id["BLUE"].beliefs[red.index].expected_resolve()
        )


def test_two_observers_with_different_priors_hold_different_beliefs_after_the_same_events() -> None:
    for seed in (0, 3):
        sceptic, _ = run(blue_believing(0.1), seed)
        convinced, _ = run(blue_believing(0.9), seed)
        events = [(r.day, r.actor, r.action, r.target) for r in sceptic.records]
        assert events == [(r.day, r.actor, r.action, r.target) for r in convinced.records]
        red = sceptic.by_id["RED"].index
        p_sceptic = sceptic.by_id["BLUE"].beliefs[red].posterior[1]
        p_convinced = convinced.by_id["BLUE"].beliefs[red].posterior[1]
        assert p_sceptic != pytest.approx(0.1) and p_convinced != pytest.approx(0.9)  # both learnt
        assert p_convinced > p_sceptic + 0.05


def test_confirmation_bias_slows_learning_against_the_leading_type() -> None:
    plain, _ = run(blue_believing(0.1), 0)
    biased, _ = run(blue_believing(0.1, confirmation_bias=0.8), 0)
    red = plain.by_id["RED"].index
    assert biased.by_id["BLUE"].beliefs[red].posterior[1] < plain.by_id["BLUE"].beliefs[red].posterior[1]


def test_beliefs_show_in_the_decision_trace_and_the_actors_table() -> None:
    from escalation_sim.runner import actors_frame

    for seed in range(2, 12):  # a run in which Blue decides something
        model = EscalationModel(scenario=blue_believing(0.5), rng=seed)
        model.run_model()
        if any(r.actor == "BLUE" and r.origin == "model" and r.action != "justify" for r in model.records):
            break
    frame = actors_frame(model)
    blue = frame[frame["actor"] == "BLUE"]["beliefs"]
    assert blue.str.startswith("RED: proportional/r=").all()
    assert (frame[frame["actor"] == "RED"]["beliefs"] == "").all()
    blue_decisions = [r for r in model.records if r.actor == "BLUE" and r.origin == "model" and r.action != "justify"]
    assert blue_decisions and all("[believes RED:" in r.reason for r in blue_decisions)


def test_priors_must_sum_to_one_and_name_an_actor() -> None:
    bad = red_types(0.5)
    bad["RED"]["types"][0]["prior"] = 0.2  # type: ignore[index]
    with pytest.raises(ScenarioError) as error:
        shipped("two_state").with_edits({"actors.BLUE.beliefs": bad})
    assert "actors.BLUE.beliefs.RED: types" in str(error.value) and "priors sum to 0.7" in str(error.value)
    with pytest.raises(ScenarioError) as error:
        shipped("two_state").with_edits({"actors.BLUE.beliefs": {"GREEN": red_types(0.5)["RED"]}})
    assert "actors.BLUE.beliefs" in str(error.value) and "GREEN" in str(error.value)


def brute_type_channels(state: BeliefState, k: int) -> tuple[list[float], list[float]]:
    """Type k's deeds and words channels the long way: its own rule object, split by the one pipeline, resolve
    applied option by option on each channel (what it backs down from goes to holding on that channel)."""
    from escalation_sim.minds.policy import channels
    from escalation_sim.rules import make_rule

    view = state.view.reset()
    view.resolve = state.resolves[k]
    rule = make_rule(state.spec.types[k].rule)
    deeds, words = channels(view, rule.policy(view).probs, rule.params.spread)  # type: ignore[arg-type]
    r = state.resolves[k]
    for probs in (deeds, words):
        for opt in state.other.options:
            if opt.hostile:
                moved = probs[opt.index] * (1.0 - r)
                probs[opt.index] -= moved
                probs[state.other.hold_index] += moved
    return deeds, words


def test_shared_doctrines_in_closed_form_equal_the_types_one_by_one() -> None:
    """Iran's belief about the US on jan2020: the mixture and the likelihoods match a type-by-type computation."""
    model = EscalationModel(scenario=shipped("jan2020"), rng=4, collect=False)
    usa = model.by_id["USA"]
    state = model.by_id["IRN"].beliefs[usa.index]
    checked = 0
    while model.running:
        model.step()
        if usa.max_outstanding > 0:
            brute = [brute_type_channels(state, k) for k in range(len(state.posterior))]
            for channel, expected in enumerate(state.answer(state.view.reset())):  # the forecast, channel by channel
                mixture = [sum(w * b[channel][i] for w, b in zip(state.posterior, brute, strict=True) if w >= 1e-4)
                           for i in range(len(usa.options))]  # fmt: skip
                assert expected == pytest.approx(mixture, abs=1e-12)
            if usa.cooling_count:
                continue  # cooling moves mass to holding: covered by the runs above
            for opt in usa.options:
                # a word weighed by the words channel, a deed by the deeds channel, holding on each
                for channel in (0, 1) if opt.index == usa.hold_index else (int(opt.words),):
                    chances = []
                    for k in range(len(brute)):
                        rule = next(rule for rule, members, _ in state.doctrines if k in members)
                        probs = state.channels(rule, state.view.reset(), state.resolves[k])[channel]
                        chances.append(state.chance(probs, state.resolves[k], (opt.index,)))
                    assert chances == pytest.approx([b[channel][opt.index] for b in brute], abs=1e-12)
            checked += 1
    assert checked > 5


def test_the_split_memo_is_the_menus_own_and_no_two_models_share_it() -> None:
    """Two jan2020 runs of one scenario object in one process share their option tuples (mechanics/menu.py), not
    the believers' split memo (minds/policy.memo_channels): each run's US menu memoises its own splits, nothing but
    that menu holds them (so they go with it), and a split both runs made is the same in each. The scenario is
    loaded afresh, so no earlier test's runs of it have filled its forecast store (fewer splits asked for)."""
    scenario = load_scenario(SCENARIO_DIR / "jan2020.yaml")
    memos = []
    for _ in range(2):
        model = EscalationModel(scenario=scenario, rng=3, collect=False)
        model.run_model()
        menu = model.by_id["USA"].menu
        memos.append(menu.memos)
        assert [gc.get_referrers(memo) for memo in menu.memos.values()] == [[menu.memos]]
    first, second = memos
    assert first is not second and first.keys() == second.keys()
    assert not {id(m) for m in first.values()} & {id(m) for m in second.values()}
    for wiring, made in first.items():
        assert len(made) > 10  # Iran's belief split the US's types' policies
        again = second[wiring]
        assert again and all(again[key] == made[key] for key in again.keys() & made.keys())
