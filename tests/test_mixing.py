"""The identity-keyed memos of forecasts (minds/mixing.py, minds/policy.memo_channels): same inputs, same object;
changed inputs are never answered from a stale entry; a copied belief does not share its memo."""

from __future__ import annotations

import copy
from pathlib import Path

from escalation_sim import EscalationModel, load_scenario
from escalation_sim.minds.mixing import mixture
from escalation_sim.minds.policy import channels, memo_channels
from escalation_sim.rules import Policy

ROOT = Path(__file__).resolve().parents[1]


def _model() -> EscalationModel:
    model = EscalationModel(scenario=load_scenario(ROOT / "scenarios" / "jan2020.yaml"), rng=0, collect=False)
    for _ in range(12):
        model.step()
    return model


def test_a_policy_copied_from_a_shared_list_is_split_by_identity_and_never_stale() -> None:
    model = _model()
    view = model.by_id["USA"]
    shared = [1.0 / len(view.options)] * len(view.options)
    first = memo_channels(view.menu, view, Policy(list(shared), "", shared=shared), 0.6, tuple)
    assert memo_channels(view.menu, view, Policy(list(shared), "", shared=shared), 0.6, tuple) is first
    assert memo_channels(view.menu, view, Policy(list(shared), ""), 0.6, tuple) is first  # by value: the same entry
    changed = list(shared)
    changed[view.hold_index] += 0.5  # a rule that changed its copy: the shared list no longer says what it holds
    split = memo_channels(view.menu, view, Policy(changed, "", shared=shared), 0.6, tuple)
    assert split is not first
    assert split == channels(view, changed, 0.6)


def test_a_belief_mixture_is_the_fresh_sum_and_a_copy_starts_its_own_memo() -> None:
    model = _model()
    iran = model.by_id["IRN"]
    belief = iran.beliefs[model.by_id["USA"].index]
    view = belief.view.reset()
    deeds, words = belief.answer(view)
    assert belief.answer(view) == (deeds, words)
    assert belief.answer(view)[0] is deeds  # kept: the same lists
    groups = belief.groups()
    splits = [belief.channels(rule, view, resolve) for rule, resolve, _, _ in groups]
    assert mixture(groups, splits, len(belief.hostile), belief.other.hold_index) == (deeds, words)
    twin = copy.deepcopy(belief)
    assert not twin.mixes.kept
    assert twin.answer(twin.view.reset()) == (deeds, words)
