"""What anyone can know of an actor's state: its memory and mood estimated from public acts (issue 17, item 1).

A forecast or a belief update imagines another actor's view (minds/supposed.py). It may not read that actor's
real memory (what it perceived, through its own noise and attribution), its mood or its traits. It reads this
estimate instead: each actor's memory of the others and its mood, rebuilt from the acts the record makes public
(private messages and orders left out), each act felt at its expected severity (no noise) and laid at its author's
door with the declared attribution of an unclaimed act, with every trait the observer cannot see at the schema's
declared default (scenario/schema.py: `Traits`, `Perception`, the half-lives and the decision lag): a forecaster
that knows nothing of the other's dispositions supposes the default ones. What it keeps reading of the other is
public: its menu, its declared threats and their windows, its sovereignty costs from demands made in public, and
the shared readings of resolve and credibility. One estimate per actor, kept by the model when any actor looks
ahead or holds beliefs (`EscalationModel.public`).

Each estimate also keeps the public estimate of the actor's decision clock (state/clock.py, mechanics/hazards.py;
docs/model.md, Beliefs, "The public clock"): the days since its last public act of each class and since the last
public provocation larger than anything the record shows it left unanswered, and the news of each other actor's
latest public act toward it, counted by the same functions as its real clock, from public acts only (a private
message or order, an act of a running operation, a perception the record does not show move it not). Its tables
are the actor's declared hazards: when a kind of act can follow another is the scenario's, like the menu.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..mechanics import hazards, proxies
from ..mechanics.hazards import action_class
from ..mechanics.host import fade_pressure, press, violated, violated_host
from ..mechanics.perception import WORDS_SETTLE, blame, conciliate, feel, felt, forget
from ..scenario import ORDER_EFFECTS, Actor, Perception
from ..scenario.schema import Traits
from ..state.actor import HostState, cool, start_cooldown
from ..state.clock import Clock
from ..state.ledgers import Blame

if TYPE_CHECKING:
    from ..state.actor import ActorState
    from ..state.records import Act

PERCEPTION = Perception()  # what an observer supposes of another's perception: the declared defaults
TRAITS = Traits()
_ACTOR = Actor.model_fields
HALF_LIFE: float = _ACTOR["grievance_half_life_days"].default
ALERT_HALF_LIFE: float = _ACTOR["alert_half_life_days"].default
DECISION_LAG: float = _ACTOR["decision_lag_days"].default
DECAY = 0.5 ** (1.0 / HALF_LIFE)
ALERT_DECAY = 0.5 ** (1.0 / ALERT_HALF_LIFE)
DISCHARGE = Clock.of(None, HALF_LIFE).discharge  # the declared default share of a grievance an answer lets go


class Estimate:
    """One actor's memory of the others and its mood, as the public record shows them (`state.actor.MEMORY`),
    and what else of its state a rule reads: which of its options are still cooling down, a host's sovereignty
    grievances and the pressure its patrons put on it, a militia's obedience to its sponsor and a sponsor's wish
    for calm, the days since one of its attacks killed (`of`)."""

    def __init__(self, n_actors: int, clock: Clock | None = None) -> None:
        self.clock = clock or Clock.of(None, HALF_LIFE)  # its decision clock as the record shows it (`clock_of`)
        # its options (set by `of`): which are cooling down after its public acts (state/actor.start_cooldown)
        self.options: tuple = ()
        self.cooldown_of: tuple[int, ...] = ()
        self.cooling: list[int] = []
        self.cooling_count = 0
        self.violations = [0.0] * n_actors  # as a host: sovereignty violations by each actor, from public force
        self.lethal_days = 10**6  # days since one of its public hostile acts killed someone
        self.restraint_signal = 1.0  # as a sponsor: its wish for calm, from what it has publicly left unanswered
        self.control = 0.0  # as a militia: its obedience to its sponsor (`of`: its declared sponsor_control)
        self.control_base = 0.0
        self.control_decay = 1.0
        self.liaison_loss = 0.0
        # as a host: its patrons' public pressure on it, its dependence and its parliament's weight (`of`)
        self.host = HostState([1.0] * n_actors, 1.0, [0.0] * n_actors, [0.0] * n_actors, 0.0)
        self.outstanding = [0.0] * n_actors
        self.grievance = [0.0] * n_actors
        self.last_killed = [0] * n_actors
        self.last_rung = [0] * n_actors
        self.last_act_of = [""] * n_actors
        self.last_attribution = [1.0] * n_actors
        self.conciliatory = [False] * n_actors
        self.offered_today: set[int] = set()  # whom it made a conciliatory move toward today (perception.conciliate)
        self.words_only = [False] * n_actors
        self.own_hit = [False] * n_actors
        self.alert = TRAITS.alert
        self.domestic_pressure = TRAITS.domestic_pressure
        self.legitimacy_cost = 0.0

    @classmethod
    def of(cls, actor: ActorState, n_actors: int) -> Estimate:
        """The estimate of `actor` at the start, once its menu is built: its public clock (`clock_of`), its options
        and their cooldowns (its menu), and what the scenario declares of its place: a militia's sponsor control,
        the loss of a liaison and the half-life of its recovery, a host's dependence on its patrons and the
        weight of its parliament (structure, public as its menu and hazards are; docs/model.md, Beliefs)."""
        estimate = cls(n_actors, clock_of(actor, n_actors))
        estimate.options, estimate.cooldown_of = actor.options, actor.cooldown_of
        estimate.cooling = [0] * len(actor.options)
        spec = actor.spec
        estimate.control = estimate.control_base = spec.sponsor_control
        estimate.control_decay = 0.5 ** (1.0 / spec.control_half_life_days)
        estimate.liaison_loss = spec.liaison_loss
        estimate.host = HostState.of(spec, n_actors)
        estimate.host.dependence = actor.host.dependence  # declared (scenario `dependence`), never changed in a run
        return estimate

    def sponsor_restraint(self, sponsor: Estimate | None) -> float:
        """How far its sponsor's wish for calm holds it back, as the record shows both (state/actor.py's
        `sponsor_restraint`, from the estimates): 0 without a sponsor."""
        return 0.0 if sponsor is None else self.control * sponsor.restraint_signal

    def answer(self, target: int, act: Act) -> None:
        """Its own hostile act against `target`: what it settles of its grievance (mechanics/perception._answer)."""
        action = act.action
        answered = self.outstanding[target]
        if answered > 0.0:
            settled = action.rung if action.force else WORDS_SETTLE * action.rung
            self.outstanding[target] = max(0.0, answered - settled)
            if action.force:
                self.last_killed[target] = 0
            c = action_class(action)
            if c >= 0 and DISCHARGE[c]:
                self.grievance[target] *= 1.0 - DISCHARGE[c]
                if self.violations[target]:
                    self.violations[target] *= 1.0 - DISCHARGE[c]
        self.alert = min(1.0, self.alert + action.rung / 20.0)
        if action.force:
            self.legitimacy_cost += max(0, action.rung - 4) / 10.0

    def end_of_day(self) -> None:
        """Memory fades and mood relaxes at the declared default half-lives; its clock counts a day on, its options
        cool down, a militia's control recovers, a host's grievances and its patrons' pressure fade."""
        self.lethal_days += 1
        cool(self)
        self.restraint_signal = proxies.restraint_signal(forget(self, DECAY))
        if self.control != self.control_base:
            self.control = proxies.recover(self.control, self.control_base, self.control_decay)
        fade_pressure(self.host, DECAY)
        self.offered_today.clear()
        hazards.tick(self.clock)
        hazards.fade_violations(self.clock, self.violations)
        self.alert = TRAITS.alert + (self.alert - TRAITS.alert) * ALERT_DECAY
        self.domestic_pressure = TRAITS.domestic_pressure + (self.domestic_pressure - TRAITS.domestic_pressure) * DECAY
        self.legitimacy_cost *= DECAY


def clock_of(actor: ActorState, n_actors: int) -> Clock:
    """The public estimate of `actor`'s decision clock at the start: its declared hazards (the tables of its real
    clock) and its menu's classes and statements, nothing yet seen (once its menu is built)."""
    clock = Clock.of(actor.spec.hazards, HALF_LIFE)
    clock.class_of, clock.answers = actor.clock.class_of, actor.clock.answers
    clock.listen(n_actors)
    return clock


def fade(estimates: list[Estimate]) -> None:
    """The day ends for every estimate (the model calls it with its actors' end of day)."""
    for estimate in estimates:
        estimate.end_of_day()


def seen(estimates: list[Estimate], actors: list[ActorState], act: Act) -> None:
    """A public act enters the estimates of its author and of those it touches, as carry_out and perceive would
    change their memories, at expected severity and the declared attribution (private acts change nothing)."""
    actor = act.actor
    action = act.action
    if actor is None or action.private or not action.chosen:
        return
    mine = estimates[actor.index]
    order = action.effect in ORDER_EFFECTS  # an order is private to its proxy
    if act.origin != "operation" and not order:
        hazards.restart(mine.clock, action)  # its clock for this class of act starts again, as carry_out's
    if not order:
        start_cooldown(mine, act.key, act.target)  # as carry_out's `used`
    if action.is_hostile and act.killed:
        mine.lethal_days = 0
    if act.target is None:
        return
    target = next(a for a in actors if a.actor_id == act.target)
    theirs = estimates[target.index]
    _effects(estimates, actors, act, target)
    if action.is_hostile:
        mine.answer(target.index, act)
        _perceived(estimates, actors, act, target)
    elif action.justifies:
        mine.legitimacy_cost *= 0.3
    elif action.rung < 0 and action.effect not in ORDER_EFFECTS:
        conciliate(mine, theirs, actor.index, target.index)
        theirs.outstanding[actor.index] *= 0.5
        hazards.news(theirs.clock, actor.index)
        mine.outstanding[target.index] *= 0.5


def _effects(estimates: list[Estimate], actors: list[ActorState], act: Act, target: ActorState) -> None:
    """What a public act does besides being felt, as carry_out's proxy and host effects: a patron's pressure on
    its host, a militia's liaison killed."""
    action = act.action
    if action.effect == "pressure_host":
        press(estimates[target.index].host, act.actor.index)  # type: ignore[union-attr]
    if action.force:
        killed = [target.actor_id] if action.kills_liaison and target.sponsor is not None else []
        for militia in (*killed, *act.liaison_killed):
            estimate = estimates[next(a for a in actors if a.actor_id == militia).index]
            estimate.control = proxies.lost_liaison(estimate.control, estimate.liaison_loss)


def _perceived(estimates: list[Estimate], actors: list[ActorState], act: Act, target: ActorState) -> None:
    """The act as its target, its victims and the target's sponsor would feel it, without noise; force on a host's
    soil as the host counts a violation of it (with its declared sensitivity, at expected severity)."""
    actor = act.actor
    assert actor is not None
    rung = act.action.rung
    p = 1.0 if act.claimed else PERCEPTION.attribution
    deniable = not act.claimed and actor.sponsor is not None
    violated_at = violated_host(act, target)
    for observer in actors:
        if observer is actor:
            continue
        me = observer.actor_id
        own_killed = act.killed.get(me, 0)
        if me == violated_at:
            _violated(estimates[observer.index], observer, actor, own_killed, act)
        if observer is target or own_killed or me in act.wounded:
            severity, hit_self = felt(rung, own_killed, PERCEPTION.casualty_weight), True
        elif target.sponsor is observer:
            killed = act.killed.get(target.actor_id, 0)
            severity, hit_self = PERCEPTION.proxy_solidarity * felt(rung, killed, PERCEPTION.casualty_weight), False
        else:
            continue
        estimate = estimates[observer.index]
        culprits = [(actor.index, p, p)]
        if deniable and actor.sponsor is not observer:
            s = PERCEPTION.sponsor_attribution
            culprits.append((actor.sponsor.index, s, s))  # type: ignore[union-attr]
        verbal = act.action.verbal
        for culprit, belief, share in culprits:
            if severity * share > max(estimate.outstanding):  # a blow beyond all unanswered: as `perceive`
                hazards.provoked(estimate.clock)
            blame(
                estimate,
                Blame(observer.index, culprit, severity * share, rung, own_killed, belief, hit_self, act.key, verbal),
            )
            hazards.news(estimate.clock, culprit)
        feel(estimate, rung, severity, own_killed, PERCEPTION.casualty_weight)


def _violated(estimate: Estimate, host: ActorState, actor: ActorState, own_killed: int, act: Act) -> None:
    """A host's sovereignty grievance as perception's `_violation` counts it, at the act's expected severity and
    the host's declared sovereignty sensitivity (what its parliament has said it answers)."""
    violation = host.spec.perception.sovereignty_sensitivity * felt(
        act.action.rung, own_killed, PERCEPTION.casualty_weight
    )
    if violation > 0:
        if violated(estimate, estimate.violations, actor.index, violation, act.action.rung, act.key):
            hazards.provoked(estimate.clock)
        hazards.news(estimate.clock, actor.index)
