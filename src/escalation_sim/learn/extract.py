"""Feature tensors along replayed history: what the learned decision is fitted to (issue 19).

A record is replayed as the particle filter replays it (score/filter.py `ScoringModel`, every actor under the
`quantal` rule): at each decision the filter scores, on each of the day's two channels (deeds and words, docs/model.md
section 1c), i.e. each recorded act where the model evaluates it and each actor-day without an act on a channel at
nightfall (key "hold" for deeds, "silent" for words), we keep the deciding actor's feature matrix
(rules/features.py) and the policy pipeline as two linear maps, one per channel (minds/policy.decide applied to each
unit vector under the actor's own rule parameters: the split into deeds and words, cooling, preparation time, orders,
host access, the tremble). The split (rules/voice.py) moves or spreads each option's mass and sets the words
channel's holding to 1 - (what is said), which on the simplex is the sum of each option's unsaid share: linear in the
rule's probabilities wherever they sum to one, as a softmax's do; the tremble is linear there too. Every step is
linear except a militia's obeyed attack order, whose floor on force is applied at the probabilities of the replay
and counted in `approx`. So the probability the model gives a decision at weights w is m . softmax(F w), m the row
of its channel's map for what was observed.

Perception is noisy (severity felt, attribution of deniable acts), so one replay is one draw of what the actors
perceived. We keep `particles` independent replays, with the same seeds for every weight vector (common random
numbers: a smooth surface for the optimiser and the sampler), and a record's likelihood is the mean over them of
the product over its decisions: an unbiased importance estimate with the prior as proposal (no resampling, which
would make the surface jump). `escalation-sim learn` reports the gap to the particle filter at the fitted weights.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..agents import CrisisActor
from ..minds.anticipation import Forecaster
from ..minds.policy import decide
from ..rules import RULES, Policy, Rule
from ..rules.features import KINDS, NAMES, features, kind_of
from ..rules.streams import covariates as stream_covariates
from ..scenario import Event, Scenario
from ..score.filter import ScoringModel, channel_sizes
from ..score.record import Until, scored_days
from . import floors as hazard_floors
from . import spells as operation_spells

ATTACK = 1  # mechanics/proxies.ATTACK: an obeyed attack order (the one non-linear step of the pipeline)
NOT_DOCTRINES = ("quantal", "mixture", "regime", "random")  # composites, the learned rule, and noise


def doctrine_names() -> list[str]:
    """The named doctrines latent classes are labelled by: every registered rule but composites and noise."""
    return sorted(name for name in RULES if name not in NOT_DOCTRINES)


class Probe:
    """A rule whose policy is a given vector, with the actor's own rule's parameters (its spread of words over a
    deed, its tremble): pushing unit vectors through `decide` reads the pipeline's maps."""

    gives_orders = True

    def __init__(self, n: int, params: Any) -> None:
        self.params = params
        self.vector = [0.0] * n

    def policy(self, view: Any) -> Policy:
        return Policy(list(self.vector), "")


@dataclass
class Row:
    """One scored decision of one replay: features, pipeline rows of the observed option and of holding."""

    key: tuple[str, int, str, str]  # (record, day, actor, event id, "hold" (deeds) or "silent" (words))
    kind: int
    words: bool  # the channel: words, or deeds
    hold: int  # the index of holding among the options
    act: bool
    outcomes: int
    feats: np.ndarray  # (options, D)
    m_obs: np.ndarray  # (options,)
    m_hold: np.ndarray  # (options,)
    approx: bool
    corners_obs: np.ndarray  # (4, options): m_obs at each corner of the hazards' floors (floors.CORNERS)
    corners_hold: np.ndarray  # (4, options)
    doctrines: np.ndarray | None = None  # (doctrines, options): each doctrine's policy here (first replay only)
    force: np.ndarray | None = None  # (options,) bool: a use of force (where the crisis-level intercept enters)
    model_ll: float = 0.0  # the filter's own floored log-probability of the decision, at the replay's weights
    stream_x: list[float] | None = None  # a decided stream action's covariates (rules/streams.py), else None


def pipeline_map(actor: CrisisActor) -> tuple[np.ndarray, np.ndarray]:
    """The policy pipeline of `actor` today as two matrices, deeds and words: column i of each is what `decide`
    makes of all mass on option i on that channel."""
    n = len(actor.options)
    probe = Probe(n, actor.rule.params)
    deeds, words = np.zeros((n, n)), np.zeros((n, n))
    for i in range(n):
        probe.vector[i] = 1.0
        policy = decide(actor, probe)  # type: ignore[arg-type]  # a duck-typed rule
        deeds[:, i] = policy.probs
        words[:, i] = policy.words if policy.words is not None else policy.probs
        probe.vector[i] = 0.0
    return deeds, words


class ExtractingModel(ScoringModel):
    """The filter's replay, keeping each scored decision's features and pipeline rows."""

    def __init__(self, scenario: Scenario, days: int, record: str, doctrines: bool = False) -> None:
        super().__init__(scenario, 0, days)
        self.record_name = record
        self.rows: list[Row] = []
        names = doctrine_names() if doctrines else []
        self.doctrines: list[dict[str, Rule]] = [{n: RULES[n]() for n in names} for _ in self.actors]
        self._read: set[tuple[int, str]] = set()  # (day, actor) whose doctrines' policies are kept already
        for actor in self.actors:
            if actor.forecaster is None:
                actor.forecaster = Forecaster(actor, self)

    def _observe(self, actor: CrisisActor, event: Event, p: float) -> None:
        before = len(self.factors)
        super()._observe(actor, event, p)
        added = self.factors[before:]
        if len(added) == 2 and added[1].key[1] == "choice":
            chosen = [o.index for o in actor.options if o.action == event.action and o.target == event.target]
            self._keep(actor, event.id, chosen, self.ladder[event.action].in_words)

    def before_night(self) -> None:
        if self.day < self.scored_days:
            for actor in self.actors:
                for words, key in ((False, "hold"), (True, "silent")):  # as the filter scores a quiet channel
                    if (actor.actor_id, words) not in self._acted and self._choices[actor.actor_id][words]:
                        self._keep(actor, key, [], words)
        super().before_night()

    def _keep(self, actor: CrisisActor, what: str, chosen: list[int], words: bool) -> None:
        """Keep one decision on one channel: an act (the options `chosen`) or, with none chosen, holding."""
        m = pipeline_map(actor)[words]
        n = len(actor.options)
        hazards = actor.spec.hazards or hazard_floors.DEFAULT_HAZARDS
        corners = np.array([maps[words] for maps in hazard_floors.corner_maps(actor, hazards, pipeline_map)])
        self.rows.append(
            Row(
                key=(self.record_name, self.day, actor.actor_id, what),
                kind=KINDS.index(kind_of(actor)),
                words=words,
                hold=actor.hold_index,
                act=bool(chosen),
                outcomes=max(1, channel_sizes(actor)[words]),
                feats=np.asarray(features(actor, actor.forecasts()), dtype=float),
                m_obs=m[chosen].sum(axis=0) if chosen else np.zeros(n),
                m_hold=m[actor.hold_index],
                approx=not words and actor.proxy.ordered == ATTACK,
                corners_obs=corners[:, chosen].sum(axis=1) if chosen else np.zeros((4, n)),
                corners_hold=corners[:, actor.hold_index],
                doctrines=self._doctrines(actor),
                force=np.array([o.force for o in actor.options], dtype=bool),
                stream_x=_stream_x(actor, chosen),
            )
        )

    def _doctrines(self, actor: CrisisActor) -> np.ndarray | None:
        """Each doctrine's policy in this state, once per actor-day (a day's two channels share one state)."""
        rules = self.doctrines[actor.index]
        seen = (self.day, actor.actor_id)
        if not rules or seen in self._read:
            return None
        self._read.add(seen)
        return np.array([rule.policy(actor).probs for rule in rules.values()])


def _stream_x(actor: CrisisActor, chosen: list[int]) -> list[float] | None:
    """The stream covariates of a decided act of a stream action (learn/spells.py `STREAMS`), read at the decision
    as a forward run reads them (mechanics/operations.stream_chance)."""
    if not chosen or actor.options[chosen[0]].action not in operation_spells.STREAMS:
        return None
    return stream_covariates(actor, actor.options[chosen[0]])


def quantal_everywhere(scenario: Scenario, weights_file: str | None = None) -> Scenario:
    """The scenario with every actor deciding by the quantal rule at the file's weights and hazard floors (the
    package's fitted ones when None; learn/floors.py), and the operations' hazards where the file has them
    (learn/spells.py): the learned model is one thing, weights and floors
    (history, options and each actor's other hazard parameters unchanged)."""
    rule: dict[str, Any] = {"name": "quantal"}
    if weights_file is not None:
        rule["weights_file"] = weights_file
    durations = operation_spells.read(weights_file)  # the operations' hazards, where the file has them
    edits = hazard_floors.floor_edits(scenario, hazard_floors.read(weights_file), durations)
    return scenario.with_edits(edits | {f"actors.{a}.rule": dict(rule) for a in scenario.actors})


def replay_rows(
    scenario: Scenario, seed: int, record: str, doctrines: bool = False, until: Until = "record"
) -> tuple[list[Row], float]:
    """One replay of the record (every actor quantal): its scored decisions in order, each with the filter's
    own log-probability of it, and the log-probability of the rest of what the filter scores (justifications,
    accidents, a spell's continuation: terms the rule's weights do not move). With `doctrines`, each named
    doctrine's policy at each decision too."""
    days = scored_days(scenario, until)
    model = ExtractingModel(scenario, days, record, doctrines)
    other = 0.0
    for s in np.random.default_rng(np.random.SeedSequence(seed)).integers(2**63, size=days).tolist():
        model.factors.clear()
        first = len(model.rows)
        model.next_day(s)
        rows = {(row.key[2], row.key[3]): row for row in model.rows[first:]}
        for factor in model.factors:
            actor, part, what = factor.key
            row = rows.get((actor, what))
            if row is not None and (row.act or part == "timing"):
                row.model_ll += math.log(factor.floored)
            else:
                other += math.log(factor.floored)
    return model.rows, other


@dataclass
class Tensor:
    """Decisions of many records and replays, padded to a common option count: what the likelihood reads.

    Shapes: P replays, N decisions, O options (padded), D features. `group` numbers an actor in a record (the
    unit a latent class belongs to), `record` the record.
    """

    feats: np.ndarray  # (P, N, O, D)
    m_obs: np.ndarray  # (P, N, O)
    m_hold: np.ndarray  # (P, N, O)
    valid: np.ndarray  # (N, O) bool: a real option, not padding
    act: np.ndarray  # (N,) bool
    words: np.ndarray  # (N,) bool: a decision on the words channel (else deeds)
    hold: np.ndarray  # (N,) the index of holding among each decision's options
    outcomes: np.ndarray  # (N,)
    kind: np.ndarray  # (N,) int
    record: np.ndarray  # (N,) int
    group: np.ndarray  # (N,) int
    keys: list[tuple[str, int, str, str]]
    records: list[str]
    groups: list[tuple[str, str]]  # (record, actor)
    other: np.ndarray  # (P, R): log-probability of what the filter scores besides the rule's decisions
    model_ll: np.ndarray  # (P, N): the model's own log-probability of each decision at the replay's weights
    doctrine_probs: np.ndarray  # (doctrines, N, O): each doctrine's policy in the first replay's states
    doctrines: list[str]
    approx: int = 0
    corners_obs: np.ndarray | None = None  # (4, P, N, O): m_obs at the corners of the hazards' floors; None:
    corners_hold: np.ndarray | None = None  # the maps do not depend on them (a synthetic record)
    force: np.ndarray | None = None  # (N, O) bool: the options that are uses of force (the random intercept's); None:
    # none (a tensor from before the intercept, or a synthetic record without it)
    names: tuple[str, ...] = field(default=NAMES)
    stream_x: dict[tuple[str, int, str, str], list[float]] = field(default_factory=dict)  # by key, first replay

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(self.feats.shape)

    @property
    def flat(self) -> np.ndarray:
        """The features as one (P * N * O, D) matrix (a view), for the likelihood's matrix products."""
        return self.feats.reshape(-1, self.feats.shape[-1])


def stack(results: list[list[tuple[list[Row], float]]], records: list[str]) -> Tensor:
    """`results[r][p]` is record r's replay p (rows, other log-probability): one tensor over all of them."""
    replays = [[rows for rows, _ in rs] for rs in results]
    other = np.array([[o for _, o in rs] for rs in results]).T  # (P, R)
    per_record = [len(rs[0]) for rs in replays]
    for name, rs in zip(records, replays, strict=True):
        keys = [row.key for row in rs[0]]
        if any([row.key for row in other] != keys for other in rs[1:]):
            raise ValueError(f"{name}: replays scored different decisions")
    P = len(replays[0])
    first = [row for rs in replays for row in rs[0]]
    N, D = len(first), len(NAMES)
    width = max(row.feats.shape[0] for row in first)
    feats = np.zeros((P, N, width, D))
    m_obs, m_hold = np.zeros((P, N, width)), np.zeros((P, N, width))
    model_ll = np.zeros((P, N))
    c_obs, c_hold = np.zeros((4, P, N, width)), np.zeros((4, P, N, width))
    valid = np.zeros((N, width), dtype=bool)
    force = np.zeros((N, width), dtype=bool)
    for p in range(P):
        n = 0
        for rs in replays:
            for row in rs[p]:
                k = row.feats.shape[0]
                feats[p, n, :k] = row.feats
                m_obs[p, n, :k] = row.m_obs
                m_hold[p, n, :k] = row.m_hold
                c_obs[:, p, n, :k] = row.corners_obs
                c_hold[:, p, n, :k] = row.corners_hold
                valid[n, :k] = True
                if row.force is not None:
                    force[n, :k] = row.force
                model_ll[p, n] = row.model_ll
                n += 1
    groups: list[tuple[str, str]] = []
    group = np.zeros(N, dtype=int)
    for n, row in enumerate(first):
        g = (row.key[0], row.key[2])
        if g not in groups:
            groups.append(g)
        group[n] = groups.index(g)
    record = np.repeat(np.arange(len(records)), per_record)
    names = doctrine_names() if any(row.doctrines is not None for row in first) else []
    doctrine_probs = np.full((len(names), N, width), np.nan)
    for n, row in enumerate(first):
        if row.doctrines is not None:
            doctrine_probs[:, n, :] = 0.0
            doctrine_probs[:, n, : row.doctrines.shape[1]] = row.doctrines
    return Tensor(
        feats=feats,
        m_obs=m_obs,
        m_hold=m_hold,
        valid=valid,
        act=np.array([row.act for row in first], dtype=bool),
        words=np.array([row.words for row in first], dtype=bool),
        hold=np.array([row.hold for row in first]),
        outcomes=np.array([row.outcomes for row in first]),
        kind=np.array([row.kind for row in first]),
        record=record,
        group=group,
        keys=[row.key for row in first],
        records=list(records),
        groups=groups,
        other=other,
        model_ll=model_ll,
        doctrine_probs=doctrine_probs,
        doctrines=names,
        approx=sum(row.approx for rs in replays for p in rs for row in p),
        corners_obs=c_obs,
        corners_hold=c_hold,
        force=force,
        stream_x={row.key: row.stream_x for row in first if row.stream_x is not None},
    )


def extract(
    scenarios: dict[str, Scenario], particles: int, seed: int, doctrines: bool = True, until: Until = "record"
) -> Tensor:
    """The feature tensor of each record (every actor quantal), `particles` replays each (the first also reads
    each named doctrine's policy, for labelling latent classes)."""
    replays = []
    for r, (name, scenario) in enumerate(scenarios.items()):
        quantal = quantal_everywhere(scenario)
        replays.append(
            [replay_rows(quantal, seed + 1000 * r + p, name, doctrines and p == 0, until) for p in range(particles)]
        )
    return stack(replays, list(scenarios))
