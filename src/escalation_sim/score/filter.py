"""The particle filter: the likelihood of the recorded history with the model's hidden draws integrated out.

Each particle is an `EscalationModel` replaying history with its own seed. What an actor perceives (severity
noise, who it blames for a deniable attack) is drawn as history is replayed and changes what it would do
next, so the probability of the next recorded decision differs by particle. Each day every particle gives the
probability of what each actor was recorded doing (`ScoringModel` reads it from the model's own
`probability_of`, so rules and beliefs added to the model flow through); particles are weighted by it, the
day's likelihood is the weighted mean, and when the effective sample size falls below half the particles are
resampled (systematic resampling). Particles resampled twice share one model, copy-on-write: while the days
draw no random number they go through each day once, and they are copied (score/particles.py) only on the
first day that draws, each then going on with its own daily seed (`advance`).
This is the bootstrap filter of Gordon, Salmond & Smith (1993); its likelihood estimate is unbiased
(Del Moral 2004), and the log-likelihood is the sum over days of the log of the weighted mean.
"""

from __future__ import annotations

import gc
import math
from dataclasses import dataclass, field

import numpy as np

from ..agents import CrisisActor
from ..mechanics import operations
from ..minds.policy import chance_of
from ..model import EscalationModel
from ..rules import Policy
from ..scenario import Event, Scenario
from .particles import shared_objects, twin
from .record import TREMBLE, codes_justifications, is_decision

PCG_INCREMENT = 0xDA3E39CB94B95BDB  # any odd constant: particles differ by their state, not their stream
Key = tuple[str, str, str]  # (actor, "timing" | "choice", event id or what was observed: "hold", ...)


@dataclass(slots=True)
class Factor:
    """One probability the record is scored by: its key, the model's probability, its number of outcomes."""

    key: Key
    p: float
    outcomes: int  # for the floor: the tremble spreads its mass evenly over these

    @property
    def floored(self) -> float:
        return (1.0 - TREMBLE) * min(1.0, max(0.0, self.p)) + TREMBLE / self.outcomes


class ScoringModel(EscalationModel):
    """The model replaying history, noting the probability of each recorded decision as it goes.

    Decisions in events are scored where the model evaluates them (`probability_of`, before the act is carried
    out), each on its channel (docs/model.md section 1c): a deed and words by one actor on one day are two
    decisions, each scored as its channel's (acting on that channel, then which act). An actor that did nothing
    on a channel that day is scored by its probability of holding on it after the day's acts, as if it moved
    last (the replay has no order of play to marginalise over).
    """

    def __init__(self, scenario: Scenario, rng: int, days: int) -> None:
        super().__init__(scenario=scenario, rng=rng, replay_only=True, collect=False)
        self.scored_days = days
        self.factors: list[Factor] = []
        self._queue = self._events_of(0)
        self._acted: set[tuple[str, bool]] = set()  # (actor, on the words channel) that acted today
        self._choices = {a.actor_id: channel_sizes(a) for a in self.actors}
        self._justified: set[str] = set()
        self._accident: set[str] = set()
        self._seen: set[tuple[str, str, str | None]] = set()
        self._spells = spells(scenario, days)
        self._seeded: tuple[int, object] = (-1, None)  # the day's seed and `random`'s state, as `next_day` set them
        self._policy: Policy | None = None  # the policy of the decision being observed, in `probability_of`
        self.justifications_coded = codes_justifications(scenario)

    def next_day(self, seed: int) -> None:
        """One day, its draws seeded by `seed` (a particle is its list of daily seeds), as `run_model` steps it
        (without Mesa's event scheduler)."""
        self.random.seed(seed)
        self.rng.bit_generator.state = {  # reseeding in place: 20x cheaper than a new Generator each day
            "bit_generator": "PCG64",
            "state": {"state": seed, "inc": PCG_INCREMENT},
            "has_uint32": 0,
            "uinteger": 0,
        }
        self._seeded = (seed, self.random.getstate())
        self.steps += 1
        self.time = float(self.steps)
        self._day()

    def drew(self) -> bool:
        """Whether the day `next_day` last ran drew any random number: if not, its seed changed nothing."""
        seed, state = self._seeded
        return self.rng.bit_generator.state["state"]["state"] != seed or self.random.getstate() != state

    def _events_of(self, day: int) -> list[Event]:
        return [e for e in self.events_by_day.get(day, ()) if e.actor is not None]

    def probability_of(self, actor: CrisisActor, action: str, target: str | None, words: bool | None = None) -> float:
        queue = self._queue
        if not (queue and self.day < self.scored_days):
            return super().probability_of(actor, action, target, words)
        event = queue[0]
        if (event.actor, event.action, event.target) != (actor.actor_id, action, target):  # not the replay's call
            return super().probability_of(actor, action, target, words)
        queue.pop(0)
        spec = self.ladder[action]
        policy = None
        if spec.chosen and spec.effect != "accident" and not spec.justifies:  # the model's `probability_of`,
            policy = actor.policy()  # with the policy kept: the chance of the act and of holding, in one state
            p = chance_of(actor, policy, action, target, spec.in_words, words)
        else:
            p = super().probability_of(actor, action, target, words)
        if is_decision(event, self.crisis):
            self._policy = policy  # `_observe` reads holding from it (subclasses override `_observe`)
            self._observe(actor, event, p)
            self._policy = None
        return p

    def _observe(self, actor: CrisisActor, event: Event, p: float) -> None:
        name = actor.actor_id
        action = self.ladder[event.action]
        if action.effect == "accident":
            if name not in self._accident:
                self._accident.add(name)
                self.factors.append(Factor((name, "timing", event.id), p, 2))
            return
        if action.justifies:
            if name not in self._justified:
                self._justified.add(name)
                self.factors.append(Factor((name, "timing", event.id), p, 2))
            return
        seen = (name, event.action, event.target)
        if seen in self._seen:
            return
        self._seen.add(seen)
        words = action.in_words
        self._acted.add((name, words))
        acting = 1.0 - self._holding(actor, words, self._policy)
        self.factors.append(Factor((name, "timing", event.id), acting, 2))
        choice = p / acting if acting > 0.0 else 0.0
        self.factors.append(Factor((name, "choice", event.id), choice, max(1, self._choices[name][words])))

    def _holding(self, actor: CrisisActor, words: bool, policy: Policy | None) -> float:
        """The chance of holding on a channel (`probability_of` of "hold", a plain choice), from `policy`."""
        if policy is None:
            return super().probability_of(actor, "hold", None, words)
        return chance_of(actor, policy, "hold", None, self.ladder["hold"].in_words, words)

    def before_night(self) -> None:
        if self.day < self.scored_days:
            for actor in self.actors:
                name = actor.actor_id
                policy = None  # one policy per actor: holding on either channel is read from the same state
                for words, key in ((False, "hold"), (True, "silent")):
                    if (name, words) not in self._acted and self._choices[name][words]:
                        if policy is None:
                            policy = actor.policy()
                        hold = self._holding(actor, words, policy)
                        self.factors.append(Factor((name, "timing", key), hold, 2))
                if self.justifications_coded and actor.justification is not None and name not in self._justified:
                    self.factors.append(
                        Factor((name, "timing", "no justification"), 1.0 - actor.justification_chance(), 2)
                    )
                if actor.spec.accident_rate > 0 and name not in self._accident:
                    self.factors.append(Factor((name, "timing", "no accident"), 1.0 - actor.accident_hazard(), 2))
            if not self.justifications_coded:  # after every actor's terms, so no one's score hears them
                for actor in self.actors:
                    self._uncoded_justification(actor)
        for event, kept, stopped in self._spells.get(self.day, ()):
            self.factors.extend(spell_factors(self.by_id[event.actor or ""], event, kept, stopped))
        self._queue = self._events_of(self.day + 1)
        self._acted, self._justified, self._accident, self._seen = set(), set(), set(), set()

    def _uncoded_justification(self, actor: CrisisActor) -> None:
        """A record that codes no justification leaves them unobserved: the actor justifies with the model's own
        daily chance (as `CrisisActor.step` draws it), unscored, so its legitimacy cost follows the model instead
        of piling up unpaid for want of a coder (a hidden draw, like perception's)."""
        chance = actor.justification_chance() if actor.justification is not None else 0.0
        if chance > 0.0 and self.random.random() < chance:
            self.justify(actor, chance)


def channel_sizes(actor: CrisisActor) -> tuple[int, int]:
    """(deeds, words): how many options the actor has on each channel besides holding (section 1c)."""
    words = sum(1 for o in actor.options if o.words)
    return len(actor.options) - 1 - words, words


def spells(scenario: Scenario, days: int) -> dict[int, list[tuple[Event, int, bool]]]:
    """The record's spells by the day they are scored: (event, days it ran within the record, stopped then)."""
    out: dict[int, list[tuple[Event, int, bool]]] = {}
    for event in scenario.events:
        if event.operation is None or not is_decision(event, scenario):
            continue
        start = (event.date - scenario.start_date).days
        last = (event.end_date - scenario.start_date).days if event.end_date is not None else days - 1
        stopped = event.end_date is not None and last < days
        last = min(last, days - 1)
        if start <= last:
            out.setdefault(last, []).append((event, last - start + 1, stopped))
    return out


def spell_factors(actor: CrisisActor, event: Event, kept: int, stopped: bool) -> list[Factor]:
    """A spell's terms besides its start (scored as any decision): each change of tempo or target (its timing,
    the change hazard, and its choice among the moves open, `operations.moves`), kept unchanged on the other
    days (geometric: neither stopped nor changed), then stopped (the stop hazard), and the acts each stretch
    produced given its tempo (binomial)."""
    spell = event.operation
    assert spell is not None and event.target is not None
    name, h, hc = actor.actor_id, actor.stop_hazard, actor.change_hazard
    occupation = operations.held(actor.model.ladder[event.action])
    if occupation:  # held: no stop or change of its own; its end is its actor's concession, scored as a decision
        h = hc = 0.0
    out: list[Factor] = []
    now: operations.Move = (spell.tempo, event.target)
    stretches = [(0, now, spell.acts)]  # (first day, tempo and target, acts the sources count)
    for n, c in enumerate(spell.changes, 1):
        day = (c.date - event.date).days
        if day >= kept:
            break
        open_ = operations.moves(actor, event.action, *now)
        after = (c.tempo if c.tempo is not None else now[0], c.target or now[1])
        chosen = any(operations.kind(now, m) == operations.kind(now, after) and m[1] == after[1] for m in open_)
        out.append(Factor((name, "timing", f"{event.id} changed {n}"), hc, 2))
        out.append(Factor((name, "choice", f"{event.id} changed {n}"), 1.0 / len(open_) if chosen else 0.0, 3))
        now = after
        stretches.append((day, now, c.acts))
    quiet = 0.0  # log-probability of the days it went on neither stopped nor changed (after each decision)
    for n, (first, (tempo, target), acts) in enumerate(stretches):
        last = stretches[n + 1][0] - 1 if n + 1 < len(stretches) else kept - 1
        quiet += (last - first) * math.log1p(-h - (hc if operations.moves(actor, event.action, tempo, target) else 0))
        days, k = last - first + 1 - (n == 0), (acts or 0) - (n == 0)  # the first day's act is the start decision
        if acts is not None and days > 0:
            k = min(max(k, 0), days)
            p = math.comb(days, k) * tempo**k * (1.0 - tempo) ** (days - k)
            out.append(Factor((name, "choice", f"{event.id} acts" + (f" {n}" if n else "")), p, days + 1))
    out.append(Factor((name, "timing", f"{event.id} kept"), math.exp(quiet), 2))
    if stopped and not occupation:
        out.append(Factor((name, "timing", f"{event.id} stopped"), h, 2))
    return out


@dataclass
class FilterRun:
    """One run of the filter: the log-likelihood, its part per key and day, and the nats owed to the floor."""

    log_likelihood: float
    parts: dict[tuple[int, Key], float] = field(default_factory=dict)
    floor_nats: float = 0.0
    resamples: int = 0
    min_ess: float = math.inf


def run_filter(scenario: Scenario, days: int, particles: int, seed: int) -> FilterRun:
    """One bootstrap particle filter over the first `days` days of the record.

    Python's cyclic garbage collector is paused while it runs and called once after each resampling, when the
    particles left behind become garbage: with a thousand particles alive its full passes over them had taken a
    fifth of the filter's time (16 passes, 10.7 of 57 CPU seconds on jan2020, measured). Nothing else in a
    filter's day leaves cycles behind, and no number changes.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _run_filter(scenario, days, particles, seed, enabled)
    finally:
        if enabled:
            gc.enable()


def _run_filter(scenario: Scenario, days: int, particles: int, seed: int, collect: bool) -> FilterRun:
    rng = np.random.default_rng(np.random.SeedSequence(seed))
    models = [ScoringModel(scenario, 0, days)] * particles  # one state until the particles' draws part them
    paths: list[list[int]] = [[] for _ in range(particles)]
    log_w = np.zeros(particles)
    out = FilterRun(0.0)
    for day in range(days):
        seeds = rng.integers(2**63, size=particles).tolist()
        for path, s in zip(paths, seeds, strict=True):
            path.append(s)
        models = advance(scenario, days, models, seeds, paths)
        keys = [f.key for f in models[0].factors]
        rows: dict[int, list[float]] = {}
        for m in models:
            if id(m) not in rows:
                rows[id(m)] = [f.floored for f in m.factors]
        probs = np.array([rows[id(m)] for m in models]).reshape(particles, len(keys))
        floors = np.array([TREMBLE / f.outcomes for f in models[0].factors])
        weights = np.exp(log_w - log_w.max())
        weights /= weights.sum()
        order = [k for k, key in enumerate(keys) if key[1] == "timing"] + [
            k for k, key in enumerate(keys) if key[1] == "choice"
        ]
        for k in order:  # chain rule: each factor's share is its probability given the ones before it
            new = weights * probs[:, k]
            total = new.sum()
            increment = math.log(total)
            out.parts[(day, keys[k])] = out.parts.get((day, keys[k]), 0.0) + increment
            out.floor_nats += increment * floors[k] / total  # share of this factor's mass from the floor
            out.log_likelihood += increment
            weights = new / total
        log_w = np.log(weights)
        ess = 1.0 / float(np.sum(weights**2))
        out.min_ess = min(out.min_ess, ess)
        if ess < particles / 2 and day + 1 < days:
            models, paths = resample(models, paths, weights, rng)
            log_w = np.zeros(particles)
            out.resamples += 1
            if collect:
                gc.collect()
    return out


def advance(
    scenario: Scenario, days: int, models: list[ScoringModel], seeds: list[int], paths: list[list[int]]
) -> list[ScoringModel]:
    """Every particle through one day, each with its seed. Particles that hold one model (copy-on-write: the
    particles resampling chose twice, or all of them before the first day) go through the day once if it draws
    no random number, since then the seed changes nothing; if it does draw, each of them but the first goes on
    from its own copy of the state before the day (`twin`), with its own seed. Whether a day draws is guessed
    from the last particle that went through it: a copy is taken before the day when the guess is yes, and a
    wrong no is mended by replaying the particle's seeds (exact, as a particle is a function of them)."""
    groups: dict[int, list[int]] = {}
    for i, m in enumerate(models):
        groups.setdefault(id(m), []).append(i)
    out = list(models)
    shared: dict[int, object] | None = None
    drawing = True  # the guess, until a particle has gone through the day

    def copy_of(model: ScoringModel) -> ScoringModel:
        nonlocal shared
        if model.day < 0:
            return ScoringModel(scenario, 0, days)
        if shared is None:
            shared = shared_objects(scenario)
        return twin(model, shared)

    for members in sorted(groups.values(), key=len):  # one-particle models first: they tell whether it draws
        model = models[members[0]]
        spare = copy_of(model) if len(members) > 1 and drawing else None
        model.factors.clear()
        model.next_day(seeds[members[0]])
        drawing = model.drew()
        if len(members) == 1 or not drawing:
            continue
        base = spare if spare is not None else replay(scenario, days, paths[members[1]][:-1])
        for n, i in enumerate(members[1:], 2):
            m = base if n == len(members) else copy_of(base)
            m.factors.clear()
            m.next_day(seeds[i])
            out[i] = m
    return out


def replay(scenario: Scenario, days: int, seeds: list[int]) -> ScoringModel:
    """A particle rebuilt from its daily seeds."""
    model = ScoringModel(scenario, 0, days)
    for s in seeds:
        model.next_day(s)
    model.factors.clear()
    return model


def resample(
    models: list[ScoringModel], paths: list[list[int]], weights: np.ndarray, rng: np.random.Generator
) -> tuple[list[ScoringModel], list[list[int]]]:
    """Systematic resampling. A particle chosen twice is not copied yet: its children share its model until a
    day draws a random number (`advance`), when each goes on from its own copy with its own seed."""
    n = len(models)
    positions = (rng.random() + np.arange(n)) / n
    cumulative = np.cumsum(weights)
    cumulative[-1] = 1.0
    chosen = np.searchsorted(cumulative, positions).tolist()
    return [models[j] for j in chosen], [list(paths[j]) for j in chosen]
