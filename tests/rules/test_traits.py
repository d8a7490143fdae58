"""Rules declare what they need (rules/base.Traits) and the model serves it: forecasts to a rule that looks
ahead wherever it sits, hooks to a rule that keeps state, per-type runs to one that reads resolve."""

from __future__ import annotations

import ast
import inspect
import sys

import pytest

from escalation_sim.model import EscalationModel
from escalation_sim.rules import RULES, make_rule
from escalation_sim.rules.base import Traits
from helpers import at_branch, shipped

LOOKING = {"name": "cost_benefit", "temperature": 0.15, "lookahead": 1}


def _module_reads_resolve(name: str, seen: frozenset[str] = frozenset()) -> bool:
    """Whether a module, or a module of the rules package it imports from, reads `.resolve` anywhere."""
    module = sys.modules[name]
    tree = ast.parse(inspect.getsource(module))
    if any(isinstance(node, ast.Attribute) and node.attr == "resolve" for node in ast.walk(tree)):
        return True
    package = name.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 1 and node.module:
            other = f"{package}.{node.module}"
            if other not in seen and other in sys.modules and _module_reads_resolve(other, seen | {name}):
                return True
    return False


@pytest.mark.parametrize("name", sorted(RULES))
def test_a_rule_that_reads_resolve_says_so(name: str) -> None:
    """The declaration beliefs rely on matches the code: its module reads `.resolve` exactly when it declares it
    (composites declare nothing of their own: their doctrines' traits are added)."""
    rule = make_rule(RULES[name].Params(name=name))
    assert rule.own_traits().reads_resolve == _module_reads_resolve(type(rule).__module__)


def test_composite_traits_are_their_doctrines() -> None:
    params = RULES["mixture"].Params(
        name="mixture", components=[{"weight": 1, "rule": LOOKING}, {"weight": 1, "rule": {"name": "regime"}}]
    )
    assert make_rule(params).traits() == Traits(looks_ahead=True, reads_resolve=True, keeps_state=True)
    assert make_rule(RULES["tit_for_tat"].Params(name="tit_for_tat")).traits() == Traits()


def test_a_look_ahead_rule_inside_a_mixture_looks_ahead() -> None:
    """Iran's shipped rule (cost_benefit, lookahead 1) as the one component of a mixture: it gets its forecasts,
    so it decides as the bare rule does; the myopic rule decides otherwise on the same day."""
    scenario = shipped("jan2020").with_edits({"actors.IRN.beliefs": {}})
    mixed = scenario.with_edits(
        {"actors.IRN.rule": {"name": "mixture", "components": [{"weight": 1, "rule": LOOKING}]}}
    )
    myopic = scenario.with_edits({"actors.IRN.rule": {**LOOKING, "lookahead": 0}})
    policies = {}
    for name, s in {"bare": scenario, "mixed": mixed, "myopic": myopic}.items():
        model = at_branch(s, 0)
        iran = model.by_id["IRN"]
        assert (iran.forecaster is not None) == (name != "myopic")
        policies[name] = iran.policy().probs
    assert policies["mixed"] == policies["bare"]
    assert policies["myopic"] != policies["bare"], "the forecasts must change something, or the test proves nothing"


def test_a_regime_inside_a_mixture_gets_its_hooks() -> None:
    """A stateful doctrine inside a composite: its type is drawn at the branch point, as a bare regime's is."""
    regime = shipped("jan2020").actors["USA"].rule.model_dump()
    scenario = shipped("jan2020").with_edits(
        {"actors.USA.rule": {"name": "mixture", "components": [{"weight": 1, "rule": regime}]}}
    )
    model = at_branch(scenario, 0)
    inner = model.by_id["USA"].rule.inner()[0]
    assert inner.current is None and model.by_id["USA"] in model.keeping_state
    model.step()
    assert inner.current is not None, "the regime inside the mixture drew its type at the branch point"


def test_a_tremble_on_a_real_actor_reaches_every_available_option() -> None:
    """The tremble through the production pipeline (minds/policy.decide) of a real model's actors."""
    epsilon = 0.01
    model = at_branch(shipped("jan2020").with_edits({"actors.KH.rule.epsilon": epsilon}), 3)
    kh = model.by_id["KH"]
    policy = kh.policy()
    assert policy.words is not None
    for words, probs in ((False, policy.probs), (True, policy.words)):  # each channel trembles on its own
        free = [o.index for o in kh.options if not kh.cooling[o.index] and (o.words == words or o.action == "hold")]
        assert all(probs[i] >= epsilon / len(free) * (1 - 1e-12) for i in free)
    assert isinstance(model, EscalationModel)
