"""A forecast cache shared by every model of one scenario: particles of the filter, runs of a distribution.

Why: a forecast (minds/anticipation.py) is a pure function of what it reads, and across the particles of the
score's filter most of what it reads is public and identical (Iran's forecasts agree across particles on most
days of jan2020), so the same forecast was computed hundreds of times a day. `CachedForecaster` answers each
forecast from a store keyed by everything the forecast reads about one target, and computes it (with the
`Forecaster`'s own code) only when that key is new. The answer is the very object the computation gave, so
every probability and every draw is as without the cache (tests/test_forecast_cache.py runs both, bit for bit).
Forward runs gain nothing from it (each run's state soon differs: 8-13% hits on jan2020, hand-set or quantal),
so a store whose hits stay below 30% after its first 2,000 look-ups rests: it keeps nothing and is not asked.

The key of a forecast by actor i of target j holds what `Forecaster.forecast`/`status_quo` read (nothing of
i's own private state except what they read of it):
- the supposed view's inputs (minds/supposed.py `reset`): j's public estimate (`model.public[j]`: its memory
  lists, alert, pressure and legitimacy cost, and its public clock, which a rule reading `view.clock` reads: the
  days since each class of act, since it was roused and since each actor's news, from which its factors and
  attention follow by j's declared tables), j's public lists (pending threats, sovereignty costs, whom it can
  target), the shared readings (`model.resolve_of`, `model.credibility_of`), and i's and j's menus;
- the rest of j's public estimate the view holds (`Supposed.ESTIMATED`: the options cooling down, a host's
  violations and its patrons' pressure, the days since j last killed, a militia's sponsor's restraint);
- every other attribute of j a rule reads through the supposed view (`Supposed.__getattr__`, only the names of
  `Supposed.PUBLIC`): recorded as the
  forecasts are computed (`Traced`), so the key widens itself the first time a rule reads a new one (the store is
  then emptied), and each value is taken whole (lists as tuples, records field by field; a value it cannot take
  whole, such as another actor, makes the forecast uncacheable, computed every time);
- the threat of j against i in force (its terms, whether it is live) and, if there is one, i's reading of j's
  credibility (`bound`); for the salvos i can fire at j, j's alert as its public estimate has it and the chance
  their warning gets through on today's lines (`kill_odds`);
- i's belief about j (its declared types and posterior), or the uninformed prior's posterior.
Floats are compared by `==` (0.0 and -0.0 count as one value). What the forecast reads that the scenario fixes
(the ladder, the actors' specs, the rules of the belief types) is shared by keeping one store per scenario object.
Anything a later change makes the forecast read must enter `key` too: `audit` (tests) recomputes every hit.
"""

from __future__ import annotations

import dataclasses
import os
from collections import OrderedDict
from operator import attrgetter
from typing import TYPE_CHECKING, Any

import numpy as np
from pydantic import BaseModel

from ..mechanics.menu import warning_chance
from ..scenario.beliefs import uninformed
from ..state.actor import MEMORY
from .anticipation import Forecaster
from .supposed import Supposed

if TYPE_CHECKING:
    from collections.abc import Callable

    from ..rules import Forecast, Option
    from ..scenario import Scenario
    from ..state.actor import ActorState
    from ..state.world import World

ENV = "ESCALATION_SIM_FORECAST_CACHE"  # "0": no cache (the reference); "audit": recompute and compare every hit
MAX_ENTRIES = 20_000  # per store: a store this full is emptied (about 2.5 kB an entry at jan2020, measured)
PROBE, PAYS = 2_000, 0.3  # a store with fewer than 30% hits in its first 2,000 look-ups stops (forward runs)
MAX_STORES = 8  # scenarios kept (a sweep over edited scenarios makes a new scenario object per point)
STATUS_QUO = -1  # the entry slot of `status_quo`; option indices for `forecast`
_MEMORY = attrgetter(*MEMORY)
_SCALARS = (int, float, str, bool, type(None), np.generic)
_MISSING = object()  # an attribute the actor lacks (a rule's `getattr(view, name, default)`)
UNINFORMED = ("uninformed", tuple(t.prior for t in uninformed().types))  # never updated: its declared prior


class Uncacheable(Exception):
    """A value the forecast reads that the key cannot take whole."""


class Store:
    """The forecasts of one scenario's models by key, and the attribute names rules read through the view."""

    def __init__(self) -> None:
        self.entries: dict[tuple, dict[int, Forecast]] = {}
        self.reads: set[str] = set()  # names read through `Supposed.__getattr__` (grows, `Traced`)
        self.forwarded: tuple[str, ...] = ()  # `reads`, sorted, as the key takes them
        self.version = 0  # bumped when `forwarded` widens: older keys are of another shape
        self.pinned: dict[int, object] = {}  # objects keyed by identity, kept alive so their id stays theirs
        self.hits = self.misses = self.uncached = 0
        self.resting = False  # it did not pay: forecasts are computed as without it, nothing is kept

    def pays(self) -> bool:
        """Whether to look forecasts up: after `PROBE` look-ups, only if at least `PAYS` of them were hits. Where
        each model's state soon differs (forward runs: 8-13% hits on jan2020) the key would cost more than it
        saves; where models share a public state (the filter's particles: 97-99%) it saves most forecasts."""
        if self.resting:
            return False
        seen = self.hits + self.misses
        if seen >= PROBE and self.hits < PAYS * seen:
            self.resting = True
            self.entries.clear()
            return False
        return True

    def widen(self) -> None:
        """A rule read a new attribute through the view: the key takes it from now on; older entries go."""
        self.forwarded = tuple(sorted(self.reads))
        self.version += 1
        self.entries.clear()

    def token(self, obj: object) -> int:
        """`obj` by identity (a scenario's frozen object, shared by its models)."""
        self.pinned.setdefault(id(obj), obj)
        return id(obj)

    def __deepcopy__(self, memo: dict) -> Store:
        return self  # a copied particle shares its original's store

    def __reduce__(self) -> tuple[type, tuple]:
        return Store, ()  # a model sent to another process starts an empty store there


_STORES: OrderedDict[int, tuple[Scenario, Store]] = OrderedDict()


def store_for(scenario: Scenario) -> Store:
    """The store shared by the models of `scenario` (this object: an edited scenario is another one)."""
    kept = _STORES.get(id(scenario))
    if kept is None or kept[0] is not scenario:
        kept = _STORES[id(scenario)] = (scenario, Store())
        while len(_STORES) > MAX_STORES:
            _STORES.popitem(last=False)
    _STORES.move_to_end(id(scenario))
    return kept[1]


def mode() -> str:
    """The cache mode from the environment variable `ENV`: "on" (the default), "off" or "audit"."""
    value = os.environ.get(ENV, "1").strip().lower()
    return "off" if value in ("0", "off", "no", "false") else "audit" if value == "audit" else "on"


def make_forecaster(actor: ActorState, model: World) -> Forecaster:
    """The forecaster of a looking-ahead actor: cached unless `ENV` says "0"."""
    how = mode()
    if how == "off":
        return Forecaster(actor, model)
    return CachedForecaster(actor, model, store_for(model.crisis), audit=how == "audit")  # type: ignore[attr-defined]


class Traced(Supposed):
    """A supposed view that notes in its store each attribute a rule reads through to the actor itself
    (`__getattr__`). It holds the store, not its set of names, so a copied or unpickled model's views report to
    the store its forecaster uses (both are one object in any copy, as the store copies as itself)."""

    __slots__ = ("store",)

    def __init__(self, base: ActorState, store: Store) -> None:
        self.store = store
        super().__init__(base)

    def __getattr__(self, name: str) -> Any:
        if name in ("base", "store"):  # not set yet (a copy being rebuilt)
            raise AttributeError(name)
        value = super().__getattr__(name)  # only what is public of the actor (`Supposed.PUBLIC`), or it raises
        self.store.reads.add(name)
        return value


def freeze(value: Any, store: Store) -> Any:
    """`value` whole and hashable: lists and tuples as tuples, a record as its fields, a frozen scenario object by
    identity; `Uncacheable` for anything else (an actor, a model)."""
    if isinstance(value, _SCALARS) or value is _MISSING:
        return value
    if isinstance(value, list | tuple):
        return tuple(freeze(v, store) for v in value)
    if isinstance(value, dict):
        return tuple((k, freeze(v, store)) for k, v in value.items())
    if isinstance(value, BaseModel) and value.model_config.get("frozen"):
        return store.token(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        if type(value).__dataclass_params__.frozen:  # type: ignore[attr-defined]
            return value
        return (type(value).__name__, *(freeze(getattr(value, f.name), store) for f in dataclasses.fields(value)))
    raise Uncacheable(type(value).__name__)


class CachedForecaster(Forecaster):
    """A `Forecaster` whose `forecast` and `status_quo` are looked up in a shared `Store` first."""

    def __init__(self, actor: ActorState, model: World, store: Store, audit: bool = False) -> None:
        super().__init__(actor, model)
        self.store = store
        self.audit = audit
        self._memo: dict[int, dict[int, Forecast] | None] | None = None  # entries of one `forecasts` call
        self._salvos: dict[int, list[Any]] = {}  # target -> ladder actions of i's salvos at it

    def forecasts(self) -> list[Forecast]:
        self._memo = {}  # the state does not change within one call: each target's key is built once
        try:
            return super().forecasts()
        finally:
            self._memo = None

    def forecast_many(self, j: int, opts: list[Option]) -> list[Forecast]:
        """`Forecaster.forecast_many`, each option's answer looked up first; the ones not kept are computed
        together, as one batch, and kept."""
        store = self.store
        entry = self._entry_of(j) if store.pays() else None
        if entry is None:
            store.uncached += len(opts)
            return Forecaster.forecast_many(self, j, opts)
        out = [entry.get(opt.index) for opt in opts]
        missing = [opt for opt, value in zip(opts, out, strict=True) if value is None]
        store.hits += len(opts) - len(missing)
        if self.audit and len(missing) < len(opts):
            hits = [(opt, value) for opt, value in zip(opts, out, strict=True) if value is not None]
            again = Forecaster.forecast_many(self, j, [opt for opt, _ in hits])
            for (opt, value), fresh in zip(hits, again, strict=True):
                if repr(fresh) != repr(value):
                    raise AssertionError(f"forecast cache: a stale answer for target {j}, slot {opt.index}")
        if not missing:
            return out  # type: ignore[return-value]  # every one found
        store.misses += len(missing)
        before = len(store.reads)
        values = Forecaster.forecast_many(self, j, missing)
        if len(store.reads) != before:  # a rule read a new attribute: the key takes it from now on
            store.widen()
            if self._memo is not None:
                self._memo.clear()
            entry = self._entry_of(j)
        found = dict(zip([opt.index for opt in missing], values, strict=True))
        if entry is not None:
            entry.update(found)
        return [found[opt.index] if value is None else value for opt, value in zip(opts, out, strict=True)]

    def status_quo(self, j: int) -> Forecast:
        return self._cached(j, STATUS_QUO, lambda: Forecaster.status_quo(self, j))

    def _view(self, target: ActorState) -> Supposed:
        view = self._views.get(target.index)
        if view is None:
            view = self._views[target.index] = Traced(target, self.store)
        return view

    def _cached(self, j: int, slot: int, compute: Callable[[], Forecast]) -> Forecast:
        store = self.store
        entry = self._entry_of(j) if store.pays() else None
        if entry is None:
            store.uncached += 1
            return compute()
        value = entry.get(slot)
        if value is not None:
            store.hits += 1
            if self.audit and repr(compute()) != repr(value):
                raise AssertionError(f"forecast cache: a stale answer for target {j}, slot {slot}")
            return value
        store.misses += 1
        before = len(store.reads)
        value = compute()
        if len(store.reads) != before:  # a rule read a new attribute: the key takes it from now on
            store.widen()
            if self._memo is not None:
                self._memo.clear()
            entry = self._entry_of(j)
            if entry is None:
                return value
        entry[slot] = value
        return value

    def _entry_of(self, j: int) -> dict[int, Forecast] | None:
        """The store's entry for target j in today's state (None: uncacheable), looked up once per `forecasts`."""
        memo = self._memo
        if memo is not None and j in memo:
            return memo[j]
        store = self.store
        try:
            key = self.key(j)
        except Uncacheable:
            entry = None
        else:
            entry = store.entries.get(key)
            if entry is None:
                if len(store.entries) >= MAX_ENTRIES:
                    store.entries.clear()
                entry = store.entries[key] = {}
        if memo is not None:
            memo[j] = entry
        return entry

    def key(self, j: int) -> tuple:
        """Everything a forecast of target j reads (module docstring); `Uncacheable` if a value cannot be kept."""
        model, actor, store = self.model, self.actor, self.store
        target = model.actors[j]
        estimate = model.public[j]
        threat = model.signals.threats.get((j, actor.index))
        belief = actor.beliefs.get(j)
        parts: list[Any] = [store.version, actor.index, j, store.token(actor.options), store.token(target.options)]
        parts += map(tuple, _MEMORY(estimate))
        parts += (estimate.alert, estimate.domestic_pressure, estimate.legitimacy_cost)
        clock = estimate.clock  # the view's clock (a quantal type reads it): its state, the tables being j's own
        parts += (tuple(clock.since), clock.roused, tuple(clock.news))
        parts += (tuple(target.pending_threat), tuple(target.sovereignty_cost), tuple(target.targetable))
        # the rest of j's public estimate a supposed view reads (`Supposed.ESTIMATED`; j's dependence and its
        # parliament's weight are declared, its sponsor too)
        sponsor = target.sponsor
        restraint = estimate.sponsor_restraint(None if sponsor is None else model.public[sponsor.index])
        parts += (tuple(estimate.cooling), tuple(estimate.violations), estimate.lethal_days, restraint)
        parts.append(tuple(estimate.host.pressure_on))
        parts += (tuple(model.resolve_of), tuple(model.credibility_of))
        if threat is None:
            parts.append(None)
        else:
            parts += (store.token(threat.terms), threat.live, actor.credibility_of[j])
        salvos = self._salvos_at(j)
        if salvos:
            parts.append(estimate.alert)
            parts += (warning_chance(model, actor.index, spec, j) for spec in salvos)
        if belief is None:  # `answer` reads the uninformed prior (made per forecaster, never updated)
            prior = self._priors.get(j)
            parts.append(UNINFORMED if prior is None else ("uninformed", tuple(prior.posterior)))
        else:
            parts += (store.token(belief.spec), tuple(belief.posterior))  # type: ignore[attr-defined]
        parts += (freeze(getattr(target, name, _MISSING), store) for name in store.forwarded)
        return tuple(parts)

    def _salvos_at(self, j: int) -> list[Any]:
        salvos = self._salvos.get(j)
        if salvos is None:
            ladder = self.model.ladder
            found = {o.action for o in self.actor.options if o.target_index == j and ladder[o.action].salvo}
            salvos = self._salvos[j] = [ladder[a] for a in sorted(found)]
        return salvos
