"""Each deterrence rule alone, on a hand-set View (no model): valid policies, and the doctrine each one encodes.

Generic properties are parametrized over the registry, so a newly registered rule is checked automatically.
"""

from __future__ import annotations

import math

import annotated_types
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from escalation_sim.rules import CLASSIFIER_KEYS, RULES, Option, Policy, Rule, RuleParams, make_rule
from helpers import FakeView, host_view, iran_view, likeliest, mass, mean_rung, militia_view, us_view

RULE_NAMES = sorted(RULES)
VIEWS = {"state": us_view, "iran": iran_view, "militia": militia_view, "host": host_view}


def rule(name: str, **params: object) -> Rule:
    return make_rule(RULES[name].Params(name=name, **params))


def assert_valid(policy: Policy, view: FakeView) -> None:
    """A policy is a probability distribution over exactly the view's options, with a reason in words."""
    assert len(policy.probs) == len(view.options)
    assert all(math.isfinite(p) and p >= 0.0 for p in policy.probs), policy.probs
    assert math.isclose(sum(policy.probs), 1.0, abs_tol=1e-9), sum(policy.probs)
    assert isinstance(policy.reason, str) and policy.reason.strip()


def hostile_against(target: str) -> object:
    return lambda o: o.hostile and o.target == target


def nearest_rung(view: FakeView, target: str, rung: float) -> int:
    """The rung of the hostile option against `target` nearest to `rung` (the test picks cases without ties)."""
    rungs = sorted({o.rung for o in view.options if o.hostile and o.target == target})
    best = min(rungs, key=lambda r: abs(r - rung))
    assert sum(abs(r - rung) == abs(best - rung) for r in rungs) == 1, "ambiguous case: pick another rung"
    return best


# --- generic properties, for every registered rule ----------------------------------------------------------


@st.composite
def views(draw: st.DrawFn) -> FakeView:
    """Any state of memory a rule might see: random traits, grievances, threats and conciliation."""
    view = VIEWS[draw(st.sampled_from(sorted(VIEWS)))]()
    unit = st.floats(0.0, 1.0)
    for trait in ("resolve", "cost_sensitivity", "risk_tolerance", "alert", "domestic_pressure", "credibility",
                  "sponsor_restraint"):  # fmt: skip
        setattr(view, trait, draw(unit))
    view.readiness = draw(st.floats(0.01, 1.0))
    view.legitimacy_cost = draw(st.floats(0.0, 3.0))
    n = len(view.others)
    severity = st.one_of(st.just(0.0), st.floats(0.0, 30.0))
    view.outstanding = draw(st.lists(severity, min_size=n, max_size=n))
    view.outstanding[view.index] = 0.0
    view.grievance = [s + draw(st.floats(0.0, 20.0)) if s else 0.0 for s in view.outstanding]
    view.last_rung = draw(st.lists(st.integers(-3, 10), min_size=n, max_size=n))
    view.last_killed = draw(st.lists(st.integers(0, 500), min_size=n, max_size=n))
    view.last_attribution = draw(st.lists(unit, min_size=n, max_size=n))
    view.conciliatory = draw(st.lists(st.booleans(), min_size=n, max_size=n))
    view.pending_threat = draw(st.lists(st.integers(0, 10), min_size=n, max_size=n))
    view.resolve_of = draw(st.lists(unit, min_size=n, max_size=n))
    view.credibility_of = draw(st.lists(unit, min_size=n, max_size=n))
    view.sovereignty_cost = draw(st.lists(st.floats(0.0, 3.0), min_size=n, max_size=n))
    view.violations = draw(st.lists(st.floats(0.0, 20.0), min_size=n, max_size=n))
    return view


@pytest.mark.parametrize("name", RULE_NAMES)
@settings(max_examples=60, deadline=None)
@given(view=views())
def test_policy_is_a_distribution_in_any_state(name: str, view: FakeView) -> None:
    """Whatever the actor remembers, its rule gives a valid distribution; and rules never mutate the view."""
    before = repr(view)
    assert_valid(rule(name).policy(view), view)
    assert repr(view) == before, "a rule changed the view it decides from"


@pytest.mark.parametrize("name", RULE_NAMES)
@pytest.mark.parametrize("kind", sorted(VIEWS))
def test_quiet_day_mostly_holds(name: str, kind: str) -> None:
    """With nothing to answer, a rule that remembers anything holds: crises need a provocation to start."""
    if RULES[name].classifier["memory_depth"] == 0:
        pytest.skip("a memoryless rule cannot tell a quiet day (the random null model)")
    view = VIEWS[kind]()
    policy = rule(name).policy(view)
    assert_valid(policy, view)
    assert likeliest(policy, view).action == "hold"
    assert policy.probs[view.hold_index] >= 0.5
    # Only a militia's background harassment is unprovoked force: its daily rate is a sourced base rate for the
    # hand-set rule and fitted for the quantal one (armed groups harass on quiet days; KH 0.13 a day in late 2019).
    background = kind == "militia"
    unprovoked = mass(policy, view, lambda o: o.force and not (background and o.action == "harassment"))
    assert unprovoked < 0.05, "only background harassment (militias) is unprovoked"
    assert mass(policy, view, lambda o: o.force) < 0.25, "background harassment beyond any sourced militia rate"


@pytest.mark.parametrize("name", RULE_NAMES)
def test_rule_declares_itself_completely(name: str) -> None:
    """Registry entry, Params literal, description and every classifier key agree: list and app rely on them."""
    cls = RULES[name]
    assert cls.name == name
    assert set(CLASSIFIER_KEYS) <= set(cls.classifier)
    assert isinstance(cls.description, str) and cls.description.strip()
    assert issubclass(cls.Params, RuleParams)
    params = cls.Params(name=name)
    assert params.name == name
    assert make_rule(params).params is params
    assert isinstance(cls.classifier["stochastic"], bool)
    assert cls.classifier["memory_depth"] >= 0


def _bounded_fields(params: type[RuleParams]) -> list[tuple[str, object]]:
    out = []
    for field_name, info in params.model_fields.items():
        for bound in info.metadata:
            if isinstance(bound, annotated_types.Ge | annotated_types.Gt | annotated_types.Le | annotated_types.Lt):
                out.append((field_name, bound))
    return out


@pytest.mark.parametrize("name", RULE_NAMES)
def test_params_reject_out_of_range_and_unknown_values(name: str) -> None:
    """Every bound a parameter declares is enforced, and misspelt parameters are errors, not silent defaults."""
    params = RULES[name].Params
    bounded = _bounded_fields(params)
    assert bounded, "every rule inherits bounded parameters (spread, ...)"
    for field_name, bound in bounded:
        if isinstance(bound, annotated_types.Ge):
            bad = bound.ge - 0.5
        elif isinstance(bound, annotated_types.Gt):
            bad = bound.gt
        elif isinstance(bound, annotated_types.Le):
            bad = bound.le + 0.5
        else:
            bad = bound.lt
        with pytest.raises(ValidationError) as info:
            params(name=name, **{field_name: bad})
        assert info.value.errors()[0]["loc"] == (field_name,)
    with pytest.raises(ValidationError):
        params(name=name, not_a_parameter=1)
    with pytest.raises(ValidationError):
        params(name=name, spread="wide")


# --- doctrine, rule by rule ---------------------------------------------------------------------------------


def test_tit_for_tat_answers_at_the_provocations_rung_whatever_the_casualties() -> None:
    for killed in (0, 20):
        view = us_view().provoke("KH", rung=6, killed=killed)
        policy = rule("tit_for_tat").policy(view)
        assert_valid(policy, view)
        assert likeliest(policy, view, hostile_against("KH")).rung == 6
        assert mass(policy, view, hostile_against("KH")) == pytest.approx(view.readiness)
        assert mass(policy, view, hostile_against("IRN")) == 0.0, "it answers only the one it blames"


def test_tit_for_tat_reciprocates_conciliation_on_a_quiet_day() -> None:
    view = us_view()
    view.conciliatory[1] = True
    policy = rule("tit_for_tat").policy(view)
    cold = rule("tit_for_tat").policy(us_view())
    towards_iran = lambda o: o.target == "IRN" and o.rung < 0  # noqa: E731
    assert mass(policy, view, towards_iran) > 10 * mass(cold, view, towards_iran)


@pytest.mark.parametrize(("severity", "margin"), [(3.8, 0.0), (3.2, 1.0), (4.0, -1.2), (8.1, 0.0), (7.0, 2.0)])
def test_proportional_centres_on_severity_plus_margin(severity: float, margin: float) -> None:
    view = us_view().provoke("IRN", rung=4, severity=severity)
    policy = rule("proportional", margin=margin).policy(view)
    assert_valid(policy, view)
    assert likeliest(policy, view, hostile_against("IRN")).rung == nearest_rung(view, "IRN", severity + margin)


def test_proportional_margin_shifts_the_answer_up() -> None:
    view = us_view().provoke("IRN", rung=4, severity=5.0)
    rungs = [mean_rung(rule("proportional", margin=m).policy(view), view, hostile_against("IRN")) for m in (-2, 0, 2)]
    assert rungs[0] < rungs[1] < rungs[2]


def test_escalation_dominance_answers_above_the_provocation() -> None:
    view = us_view().provoke("IRN", rung=3, severity=3.0)
    dominance = rule("escalation_dominance").policy(view)
    proportional = rule("proportional").policy(view)
    assert likeliest(dominance, view, hostile_against("IRN")).rung == nearest_rung(view, "IRN", 4.0)
    assert mean_rung(dominance, view, hostile_against("IRN")) > 3.0
    assert mean_rung(dominance, view, hostile_against("IRN")) > mean_rung(proportional, view, hostile_against("IRN"))


def test_red_line_crossed_by_deaths_uses_force_and_says_why() -> None:
    view = us_view().provoke("KH", rung=5, killed=3, attribution=0.8)
    policy = rule("red_line", killed_threshold=1).policy(view)
    assert_valid(policy, view)
    assert "red line crossed: 3 USA nationals killed, attack attributed to KH (p=0.8)" in policy.reason
    assert likeliest(policy, view).force
    assert mass(policy, view, lambda o: o.force) > 0.5


def test_red_line_crossed_by_severity_without_deaths() -> None:
    view = us_view().provoke("IRN", rung=9, killed=0)
    policy = rule("red_line", killed_threshold=1, rung_threshold=8).policy(view)
    assert policy.reason.startswith("red line crossed: severity 9.0 >= 8")
    assert mass(policy, view, lambda o: o.force) > 0.5


@pytest.mark.parametrize("killed_threshold", [0, 5])
def test_red_line_below_threshold_signals_or_stands_down(killed_threshold: int) -> None:
    """Below the line (too few deaths, or the deaths test disabled): no force, a signal or standing down."""
    view = us_view().provoke("KH", rung=5, killed=2)
    policy = rule("red_line", killed_threshold=killed_threshold, rung_threshold=8, deescalate_below=0.3).policy(view)
    assert_valid(policy, view)
    assert "below the red line" in policy.reason
    assert mass(policy, view, lambda o: o.force) < 0.05
    assert not likeliest(policy, view).force
    assert mass(policy, view, lambda o: o.target == "KH" and o.rung < 0) == pytest.approx(0.3, abs=0.02)


def test_restraint_absorbs_below_threshold_and_seeks_talks() -> None:
    view = us_view().provoke("IRN", rung=6, severity=6.0, grievance=6.0)
    policy = rule("restraint", threshold=15, talk_propensity=0.3).policy(view)
    assert_valid(policy, view)
    assert mass(policy, view, lambda o: o.hostile) < 0.01
    assert likeliest(policy, view, lambda o: o.action != "hold").action == "talks"
    assert mass(policy, view, lambda o: o.rung < 0) == pytest.approx(0.3, abs=0.01)
    view.grievance[1] = 20.0
    exhausted = rule("restraint", threshold=15).policy(view)
    assert "restraint exhausted" in exhausted.reason
    assert mass(exhausted, view, hostile_against("IRN")) == pytest.approx(view.readiness)


def test_massive_retaliation_goes_to_the_top_rung() -> None:
    view = us_view().provoke("IRN", rung=5, severity=5.5)
    policy = rule("massive_retaliation", trigger=5).policy(view)
    top = max(o.rung for o in view.options if o.target == "IRN")
    assert likeliest(policy, view, hostile_against("IRN")).rung == top
    assert mass(policy, view, lambda o: o.target == "IRN" and o.rung == top) > 0.5
    below = rule("massive_retaliation", trigger=6).policy(view)
    assert likeliest(below, view).action == "hold", "below the trigger it does nothing"


def test_graduated_climbs_with_provocations_not_their_size() -> None:
    rungs = []
    for count in (1, 2, 3, 4, 6):
        view = us_view().provoke("IRN", rung=9, severity=9.0, grievance=5.0 * count)
        rungs.append(mean_rung(rule("graduated", grievance_unit=5.0).policy(view), view, hostile_against("IRN")))
    assert rungs == sorted(rungs) and rungs[0] < rungs[-1] - 2
    first = us_view().provoke("IRN", rung=9, severity=9.0, grievance=5.0)
    policy = rule("graduated", start_rung=2).policy(first)
    assert likeliest(policy, first, hostile_against("IRN")).rung == 2, "a first provocation gets the start rung"


@pytest.mark.parametrize("severity", [5.0, 7.0])
def test_cost_benefit_weighs_costs_against_resolve(severity: float) -> None:
    """Costly, risk-averse actors answer at or below the provocation; resolute, cost-blind ones go higher."""
    cautious = iran_view(cost_sensitivity=0.9, risk_tolerance=0.1, resolve=0.5).provoke("USA", 8, severity=severity)
    bold = iran_view(cost_sensitivity=0.1, risk_tolerance=0.9, resolve=0.9).provoke("USA", 8, severity=severity)
    p_cautious = rule("cost_benefit").policy(cautious)
    p_bold = rule("cost_benefit").policy(bold)
    assert_valid(p_cautious, cautious)
    assert_valid(p_bold, bold)
    assert likeliest(p_cautious, cautious, hostile_against("USA")).rung <= severity
    assert mean_rung(p_cautious, cautious, hostile_against("USA")) <= severity
    assert mean_rung(p_bold, bold, hostile_against("USA")) > mean_rung(p_cautious, cautious, hostile_against("USA"))
    above = lambda o: o.hostile and o.rung > severity  # noqa: E731
    assert mass(p_bold, bold, above) > mass(p_cautious, cautious, above)
    assert "cost-benefit: best option" in p_cautious.reason


def test_cost_benefit_answers_more_when_a_threat_is_pending() -> None:
    """Audience costs: a threat not yet made good pushes towards force."""
    free = iran_view().provoke("USA", 8, severity=6.0)
    bound = iran_view().provoke("USA", 8, severity=6.0)
    bound.pending_threat[0] = 5
    force = lambda o: o.force  # noqa: E731
    assert mass(rule("cost_benefit").policy(bound), bound, force) > mass(rule("cost_benefit").policy(free), free, force)


def test_militia_attack_rate_falls_with_sponsor_restraint() -> None:
    attacks = []
    for restraint in (0.0, 0.3, 0.6, 1.0):
        view = militia_view(sponsor_restraint=restraint).provoke("USA", 6, killed=3)
        policy = rule("militia").policy(view)
        assert_valid(policy, view)
        attacks.append(mass(policy, view, lambda o: o.hostile))
    assert attacks == sorted(attacks, reverse=True) and attacks[0] > attacks[-1]
    assert attacks[-1] == 0.0, "full sponsor control stops attacks"


def test_militia_grievance_raises_the_attack_rate_and_mobilises() -> None:
    calm = militia_view()
    aggrieved = militia_view().provoke("USA", 6, severity=9.0)
    p_calm, p_aggrieved = rule("militia").policy(calm), rule("militia").policy(aggrieved)
    assert mass(p_aggrieved, aggrieved, lambda o: o.hostile) > mass(p_calm, calm, lambda o: o.hostile) > 0
    assert p_calm.probs[calm.options.index(next(o for o in calm.options if o.action == "siege"))] == 0.0
    assert "mobilising supporters" in p_aggrieved.reason


@pytest.mark.parametrize(("violations", "expected", "words"), [(8.0, "demand_withdrawal", "demanding withdrawal"),
                                                               (3.0, "denounce", "protesting")])  # fmt: skip
def test_host_nation_demands_withdrawal_above_its_threshold(violations: float, expected: str, words: str) -> None:
    view = host_view().provoke("USA", 6)
    view.violations[0] = violations
    policy = rule("host_nation", protest_threshold=6).policy(view)
    assert_valid(policy, view)
    assert likeliest(policy, view, lambda o: o.action != "hold").action == expected
    assert likeliest(policy, view, lambda o: o.action != "hold").target == "USA"
    assert words in policy.reason


def test_host_nation_ignores_violations_already_answered() -> None:
    view = host_view()
    view.violations[0] = 8.0  # remembered, but nothing outstanding
    assert likeliest(rule("host_nation").policy(view), view).action == "hold"


@pytest.mark.parametrize("kind", sorted(VIEWS))
def test_random_is_uniform(kind: str) -> None:
    view = VIEWS[kind]().provoke("USA" if kind != "state" else "IRN", 9, killed=10)
    policy = rule("random").policy(view)
    assert_valid(policy, view)
    assert max(policy.probs) == pytest.approx(min(policy.probs))


def test_options_of_the_fake_view_mirror_the_ladder() -> None:
    """Guard the fixture: hostile militia-only actions are not offered against states, and hold is untargeted."""
    view = us_view()
    assert all(isinstance(o, Option) for o in view.options)
    assert not any(o.action == "limited_strike" and o.target == "IRN" for o in view.options)
    assert view.options[view.hold_index].target is None
