"""The forecast cache (minds/forecast_cache.py) changes no number: the filter's log-likelihood and forward runs are
bit for bit those without it; every cache hit equals a fresh computation (audit mode) on shipped and train cases,
hand-set and quantal; and the key moves with every input a forecast reads, and with nothing private.
"""

from __future__ import annotations

import copy
import hashlib
from pathlib import Path

import pytest

from escalation_sim import EscalationModel, load_scenario
from escalation_sim.learn.extract import quantal_everywhere
from escalation_sim.mechanics.hazards import FORCE
from escalation_sim.minds import forecast_cache
from escalation_sim.minds.anticipation import Forecaster
from escalation_sim.minds.forecast_cache import ENV, CachedForecaster, Store, Uncacheable, freeze
from escalation_sim.scenario import Scenario
from escalation_sim.score.filter import run_filter
from escalation_sim.score.record import scored_days
from escalation_sim.state.ledgers import Threat

ROOT = Path(__file__).resolve().parents[1]
JAN2020 = ROOT / "scenarios" / "jan2020.yaml"


def filtered(scenario: Scenario, particles: int, days: int | None = None) -> tuple[float, str]:
    run = run_filter(scenario, days or scored_days(scenario), particles, 3)
    return run.log_likelihood, repr(sorted(run.parts.items()))


def forward(scenario: Scenario, seeds: range) -> str:
    out = []
    for seed in seeds:
        model = EscalationModel(scenario=scenario, rng=seed, collect=False)
        model.run_model()
        out.append(repr([tuple(getattr(r, n) for n in r.__slots__) for r in model.records]) + repr(model.outcome))
    return hashlib.sha256("\n".join(out).encode()).hexdigest()


def test_filter_and_runs_identical_with_and_without(monkeypatch: pytest.MonkeyPatch) -> None:
    """Same log-likelihood and parts to the last digit, same records, with the cache off and on; and on, the
    particles share most forecasts."""
    scenario = load_scenario(JAN2020)
    store = forecast_cache.store_for(scenario)
    results = {}
    for mode in ("0", "1"):
        monkeypatch.setenv(ENV, mode)
        hits, misses = store.hits, store.misses
        results[mode] = filtered(scenario, 20)
        hits, misses = store.hits - hits, store.misses - misses
        results[mode] += (forward(scenario, range(2)),)
    assert results["0"] == results["1"]
    assert hits > 5 * misses  # the particles share most forecasts (99% hits at 100 particles)
    monkeypatch.setenv(ENV, "0")
    model = EscalationModel(scenario=JAN2020, rng=0, collect=False)
    assert all(type(a.forecaster) is Forecaster for a in model.actors if a.forecaster is not None)


@pytest.mark.parametrize(
    ("case", "quantal"),
    [("jan2020.yaml", False), ("jan2020.yaml", True), ("two_state.yaml", True), ("library/gaza2014.yaml", True)],
)
def test_every_hit_equals_a_fresh_forecast(monkeypatch: pytest.MonkeyPatch, case: str, quantal: bool) -> None:
    """Audit mode recomputes each hit and fails on any difference (train cases, shipped and quantal rules)."""
    monkeypatch.setenv(ENV, "audit")
    scenario = load_scenario(ROOT / "scenarios" / case)
    if quantal:
        scenario = quantal_everywhere(scenario)
    store = forecast_cache.store_for(scenario)
    filtered(scenario, 12, days=15 if quantal else None)
    forward(scenario, range(1 if quantal else 2))
    assert store.hits > 0  # hits were made, and each was checked


# --- the key -----------------------------------------------------------------------------------------------------


@pytest.fixture
def iran(monkeypatch: pytest.MonkeyPatch) -> tuple[EscalationModel, CachedForecaster, int]:
    """jan2020 on 8 January 2020 (after the strike and the salvo), Iran's forecaster, the US's index."""
    monkeypatch.setenv(ENV, "1")
    model = EscalationModel(scenario=JAN2020, rng=0, collect=False)
    while model.date.isoformat() < "2020-01-08":
        model.step()
    actor = model.by_id["IRN"]
    forecaster = actor.forecaster
    assert isinstance(forecaster, CachedForecaster)
    forecaster.forecasts()  # rules have read what they read through the view: the key holds it
    return model, forecaster, model.by_id["USA"].index


def changes(forecaster: CachedForecaster, j: int, mutate, restore) -> bool:
    before = forecaster.key(j)
    mutate()
    after = forecaster.key(j)
    restore()
    assert forecaster.key(j) == before
    return after != before


def test_key_changes_with_every_input_the_forecast_reads(iran: tuple) -> None:
    model, forecaster, j = iran
    me = forecaster.actor
    target = model.actors[j]
    estimate = model.public[j]
    assert "sponsor_of" in forecaster.store.forwarded  # read by a doctrine through the supposed view

    def bump_list(values: list, k: int) -> tuple:
        old = values[k]
        new = (not old) if isinstance(old, bool) else old + "x" if isinstance(old, str) else old + 1
        return (lambda: values.__setitem__(k, new)), (lambda: values.__setitem__(k, old))

    def bump_attr(obj: object, name: str) -> tuple:
        old = getattr(obj, name)
        return (lambda: setattr(obj, name, old + 0.125)), (lambda: setattr(obj, name, old))

    inputs = {f"public estimate {name}[{k}]": bump_list(getattr(estimate, name), k)
              for name in ("outstanding", "grievance", "last_killed", "last_rung", "last_act_of", "last_attribution",
                           "conciliatory", "words_only", "own_hit") for k in range(len(model.actors))}  # fmt: skip
    for name in ("alert", "domestic_pressure", "legitimacy_cost"):
        inputs[f"public estimate {name}"] = bump_attr(estimate, name)
    for name in ("since", "news"):  # the public clock a quantal type reads through its imagined view
        inputs[f"public clock {name}[0]"] = bump_list(getattr(estimate.clock, name), 0)
    inputs["public clock roused"] = bump_attr(estimate.clock, "roused")
    for name in ("pending_threat", "sovereignty_cost", "sponsor_of"):
        inputs[f"target {name}"] = bump_list(getattr(target, name), me.index)
    inputs["shared resolve reading"] = bump_list(model.resolve_of, j)
    inputs["shared credibility reading"] = bump_list(model.credibility_of, j)
    inputs["belief posterior"] = bump_list(me.beliefs[j].posterior, 0)
    options = target.options
    inputs["target's menu"] = (
        (lambda: setattr(target, "options", options[:-1])),
        (lambda: setattr(target, "options", options)),
    )
    for name in ("cooling", "violations", "pressure_on"):  # the rest of the estimate the view holds
        values = estimate.host.pressure_on if name == "pressure_on" else getattr(estimate, name)
        inputs[f"public estimate {name}[0]"] = bump_list(values, 0)
    inputs["public estimate lethal_days"] = bump_attr(estimate, "lethal_days")
    for name, (mutate, restore) in inputs.items():
        assert changes(forecaster, j, mutate, restore), name

    threats = model.signals.threats
    terms = next(iter(model.crisis.actors.values())).traits  # any frozen scenario object stands for the terms
    threat = Threat(j, me.index, terms, 3, model.day)  # type: ignore[arg-type]
    threats.pop((j, me.index), None)
    assert changes(
        forecaster, j, lambda: threats.__setitem__((j, me.index), threat), lambda: threats.pop((j, me.index))
    )
    threats[(j, me.index)] = threat
    try:
        assert changes(forecaster, j, *bump_attr(threat, "live"))
        assert changes(forecaster, j, *bump_list(me.credibility_of, j))  # read by `bound` when a threat binds
    finally:
        threats.pop((j, me.index))


def test_key_ignores_what_the_forecast_may_not_read(iran: tuple) -> None:
    """The target's true memory, mood and dispositions (issue 17) and the forecaster's own are not in the key."""
    model, forecaster, j = iran
    target = model.actors[j]
    for obj, name in ((target, "resolve"), (target, "cost_sensitivity"), (target, "domestic_pressure"),
                      (target, "alert"), (forecaster.actor, "alert"), (forecaster.actor, "resolve")):  # fmt: skip
        old = getattr(obj, name)
        assert not changes(forecaster, j, lambda o=obj, n=name, v=old: setattr(o, n, v + 0.25),
                           lambda o=obj, n=name, v=old: setattr(o, n, v)), name  # fmt: skip
    for values in (target.cooling, target.violations):  # its real cooldowns and sovereignty grievances
        assert not changes(forecaster, j, lambda v=values: v.__setitem__(0, v[0] + 2), lambda v=values,
                           o=values[0]: v.__setitem__(0, o))  # fmt: skip
    grievance = target.grievance
    old = grievance[forecaster.actor.index]
    assert not changes(
        forecaster,
        j,
        lambda: grievance.__setitem__(forecaster.actor.index, old + 3.0),
        lambda: grievance.__setitem__(forecaster.actor.index, old),
    )


def test_a_new_read_widens_the_key_and_an_unkeepable_one_is_not_cached(iran: tuple) -> None:
    model, forecaster, j = iran
    store = forecaster.store
    version = store.version
    store.reads.add("lethal_days")  # as a rule's first read of it through the view would
    store.widen()
    assert store.version == version + 1 and not store.entries and "lethal_days" in store.forwarded
    assert changes(forecaster, j, *(lambda t=model.actors[j]: (
        (lambda: setattr(t, "lethal_days", t.lethal_days + 1)), (lambda v=t.lethal_days: setattr(t, "lethal_days", v))
    ))())  # fmt: skip
    with pytest.raises(Uncacheable):
        freeze(model.actors[j], store)
    store.reads.add("model")  # the model: no key can hold it, so the forecast is computed every time
    store.widen()
    misses, uncached = store.misses, store.uncached
    assert forecaster._entry_of(j) is None
    forecaster._cache, forecaster._key = [], None
    forecaster.forecasts()
    assert store.uncached > uncached and store.misses == misses
    assert isinstance(freeze([1.0, (2, "a")], Store()), tuple)


def test_a_store_that_does_not_pay_rests() -> None:
    store = Store()
    store.entries[("k",)] = {}
    store.misses = forecast_cache.PROBE - 1
    assert store.pays()
    store.misses += 1
    assert not store.pays() and store.resting and not store.entries
    busy = Store()
    busy.hits, busy.misses = forecast_cache.PROBE, 10
    assert busy.pays()


def test_a_copied_model_reports_reads_to_the_store_it_uses(iran: tuple) -> None:
    """A copy (the filter's `twin`, or any `copy.deepcopy`) shares the store, and its views note reads in it."""
    model, forecaster, _ = iran
    twin = copy.deepcopy(model)
    other = twin.by_id["IRN"].forecaster
    assert other.store is forecaster.store
    assert other._views and all(view.store is other.store for view in other._views.values())


def test_no_stale_forecast_when_only_the_public_clock_moves(monkeypatch: pytest.MonkeyPatch) -> None:
    """A type deciding by the quantal rule reads its imagined view's decision clock, the public estimate of it
    (minds/supposed.py): after the public clock moves, and nothing else, the cache answers what a fresh forecast
    gives, not the forecast it kept before (the key holds the public clock)."""
    monkeypatch.setenv(ENV, "1")
    types = [{"rule": {"name": "quantal"}, "resolve": 0.8, "prior": 1.0}]
    scenario = load_scenario(JAN2020).with_edits({"actors.IRN.beliefs.USA.types": types})
    model = EscalationModel(scenario=scenario, rng=0, collect=False)
    while model.day < model.branch_day - 1:
        model.step()
    irn, usa = model.by_id["IRN"], model.by_id["USA"]
    forecaster = irn.forecaster
    assert isinstance(forecaster, CachedForecaster)
    strike = next(o for o in irn.options if o.action == "calibrated_strike")
    kept = forecaster.forecast(strike)
    assert forecaster.forecast(strike) is kept  # a hit
    clock = model.public[usa.index].clock
    clock.since[FORCE], clock.roused = 0, 0  # the record shows the US struck today, after a provocation
    fresh = Forecaster(irn, model).forecast(strike)
    assert fresh != kept  # the quantal type answers otherwise when just engaged
    assert forecaster.forecast(strike) == fresh
