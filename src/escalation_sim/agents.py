"""The actors: states and militias as Mesa agents, each deciding by its deterrence rule.

An agent is the `View` its rule reads: plain attributes and per-actor lists, so that a day's decision costs
a few attribute reads and one pass over the options, with nothing allocated that the rule does not return.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING

import mesa

from .mechanics import host, proxies
from .minds.anticipation import Forecaster
from .minds.beliefs import observed
from .rules import NO_TARGET, Forecast, Option, Policy, make_rule
from .rules.base import sample_index, tremble, withhold_cooling
from .rules.regime import Regime
from .scenario import Actor

if TYPE_CHECKING:
    from .minds.beliefs import BeliefState
    from .model import EscalationModel

Choice = tuple[Option, str, str]  # (option, origin: "model" or "player", reason)
Chooser = Callable[[Policy, float], Choice]  # (policy, uniform draw) -> choice


class CrisisActor(mesa.Agent):
    """A state or militia in the crisis, deciding each day by its deterrence rule.

    Its memory is kept per other actor, by actor index. `choose` is the hook that turns the rule's policy and
    a uniform draw into the day's option: sampling by default (`sample`); play mode sets it for the player's
    actor (`classroom.game.Game`).
    """

    model: EscalationModel

    def __init__(self, model: EscalationModel, actor_id: str, spec: Actor, index: int, n_actors: int) -> None:
        super().__init__(model)
        self.actor_id = actor_id
        self.spec = spec
        self.index = index
        self.kind = spec.kind
        self.rule = make_rule(spec.rule)
        self.regime = self.rule if isinstance(self.rule, Regime) else None  # a leader of uncertain type
        traits = spec.traits
        self.resolve = traits.resolve
        self.cost_sensitivity = traits.cost_sensitivity
        self.risk_tolerance = traits.risk_tolerance
        self.alert = traits.alert
        self.domestic_pressure = traits.domestic_pressure
        self.credibility = traits.credibility
        self.legitimacy_cost = 0.0
        self.base_alert = traits.alert
        self.base_pressure = traits.domestic_pressure
        self.readiness = 0.0
        self.grievance_decay = 0.5 ** (1.0 / spec.grievance_half_life_days)
        self.alert_decay = 0.5 ** (1.0 / spec.alert_half_life_days)
        self.perception = spec.perception
        self.sponsor: CrisisActor | None = None
        self.options: tuple[Option, ...] = ()
        self.cooldown_of: list[int] = []  # per option: the action's cooldown
        self.cooling: list[int] = []  # per option: days before it can be taken again
        self.cooling_count = 0  # options still cooling down
        self.justification: str | None = None  # the action this actor justifies force with, if any
        self.hold_index = 0
        self.others: tuple[str, ...] = ()
        self.resolve_of: list[float] = []
        self.credibility_of: list[float] = []
        zeros = [0.0] * n_actors
        self.outstanding = list(zeros)
        self.grievance = list(zeros)
        self.sovereignty_cost = list(zeros)
        self.violations = list(zeros)
        self.last_rung = [0] * n_actors
        self.last_killed = [0] * n_actors
        self.last_attribution = [1.0] * n_actors
        self.pending_threat = [0] * n_actors
        self.conciliatory = [False] * n_actors
        self.last_act_of = [""] * n_actors
        self.own_last_rung = [0] * n_actors
        self.sponsor_of = [NO_TARGET] * n_actors  # set by the model once every actor exists
        self.words_only = [False] * n_actors  # unanswered severity made of words only: no force answers it
        # what words told it of each other actor's intent to use force, as log-odds added to that actor's
        # credibility where it holds no beliefs about it (beliefs.hear; fades with memory, beliefs.refresh)
        self.heard = [0.0] * n_actors
        self.killed = 0
        self.wounded = 0
        self.killed_by_own_hand = 0
        self.last_action = "hold"
        self.last_reason = ""
        self.restraint_signal = 1.0
        self.choose: Chooser = self.sample
        self.beliefs: dict[int, BeliefState] = {}  # by other actor's index: filled by beliefs.install
        self.forecaster = Forecaster(self) if getattr(spec.rule, "lookahead", 0) else None
        self.targetable = [False] * n_actors  # whom it has a hostile option against (most_pressing reads it)
        self.own_hit = [False] * n_actors  # its unanswered grievance against i includes an act on itself
        self.lethal_days = 10**6  # days since one of its own hostile acts killed someone
        proxies.init_state(self, n_actors)
        host.init_state(self, n_actors)
        self._update_readiness()

    # --- what rules read besides plain attributes ----------------------------------------------------------

    @property
    def sponsor_restraint(self) -> float:
        """How far the sponsor's wish for calm holds this actor back (militias), 0 for the rest."""
        if self.sponsor is None:
            return 0.0
        return self.control * self.sponsor.restraint_signal

    def forecasts(self) -> list[Forecast] | None:
        """Per option, the answer it would provoke (anticipation.py); None for rules that do not look ahead."""
        return self.forecaster.forecasts() if self.forecaster is not None else None

    @property
    def belief_summary(self) -> str:
        """What this actor believes about the others, in words ('' if it holds no beliefs): for the actors
        table, play mode and the app."""
        return "; ".join(state.describe() for state in self.beliefs.values())

    @property
    def max_grievance(self) -> float:
        return max(self.grievance)

    @property
    def max_outstanding(self) -> float:
        return max(self.outstanding)

    # --- a day -------------------------------------------------------------------------------------------------

    def policy(self) -> Policy:
        """The rule's policy, less the options still cooling down (their mass goes to holding); then what
        binds every rule: orders, truces and delegation (proxies.py), access to a host's soil (host.py); then
        the rule's tremble (rules.base.tremble)."""
        policy = self.rule.policy(self)
        if self.beliefs:
            policy.reason += f" [believes {self.belief_summary}]"
        if True in self.words_only:  # words are answered by words, never by force
            probs = policy.probs
            words = self.words_only
            for opt in self.options:
                j = opt.target_index
                if opt.force and j >= 0 and words[j] and probs[opt.index] and self.outstanding[j] > 0.0:
                    probs[self.hold_index] += probs[opt.index]
                    probs[opt.index] = 0.0
        if self.cooling_count:
            withhold_cooling(self, policy)
        probs = policy.probs
        if self.order_options or self.ordered or self.suspended_count:
            proxies.steer(self, probs)
        if self.access_limited:
            host.limit_access(self, probs)
        epsilon = self.rule.params.epsilon
        if epsilon:
            policy = tremble(self, policy, epsilon)
        return policy

    def justification_chance(self) -> float:
        """Daily chance of publicly justifying force used: grows with the legitimacy cost still unpaid."""
        if self.justification is None or self.legitimacy_cost < 0.05:
            return 0.0
        return self.readiness * min(1.0, self.legitimacy_cost)

    def step(self) -> None:
        """Decide and act: one draw from the model's generator, the `choose` hook, then perhaps a justification.

        The draw is made whoever chooses, so a player's choice (play mode) leaves every other draw where the
        seeded model has it.
        """
        if self.regime is not None and self.regime.current is None:
            self.regime.draw(self.model.random.random())  # the type is drawn where the model starts deciding
        policy = self.policy()
        option, origin, reason = self.choose(policy, self.model.random.random())
        self.last_action = option.action
        if self.model.watchers[self.index]:
            observed(self.model, self, (option.index,))
        if option.index != self.hold_index:
            self.model.act(self, option, policy.probs[option.index], reason, origin)
        chance = self.justification_chance()  # public justification stays with the actor's diplomats
        if chance > 0.0 and self.model.random.random() < chance:
            self.model.justify(self, chance)

    def sample(self, policy: Policy, draw: float) -> Choice:
        """The default `choose` hook: the option the rule's policy gives the uniform `draw`."""
        return self.options[sample_index(policy.probs, draw)], "model", policy.reason

    def used(self, action: str, target: str | None) -> None:
        """Start the cooldown of this action against this target (a sanction on one does not stop another)."""
        for opt in self.options:
            if opt.action == action and opt.target == target and self.cooldown_of[opt.index]:
                if not self.cooling[opt.index]:
                    self.cooling_count += 1
                self.cooling[opt.index] = self.cooldown_of[opt.index]

    def accident_hazard(self) -> float:
        """Daily chance of an accident: rises with the square of alert (PS752 was shot down on full alert)."""
        return self.spec.accident_rate * self.alert * self.alert

    def end_of_day(self) -> None:
        """Memory fades, alert and pressure relax toward their baselines, unmet threats cost credibility."""
        decay = self.grievance_decay
        self.lethal_days += 1
        if self.cooling_count:
            cooling = self.cooling
            for i, days in enumerate(cooling):
                if days:
                    cooling[i] = days - 1
                    if days == 1:
                        self.cooling_count -= 1
        outstanding = self.outstanding
        grievance = self.grievance
        pending = self.pending_threat
        most = 0.0
        for i, value in enumerate(outstanding):
            if value:
                value *= decay
                if value < 0.05:
                    value = 0.0
                    self.own_hit[i] = False
                    self.words_only[i] = False
                outstanding[i] = value
                if value > most:
                    most = value
            if grievance[i]:
                grievance[i] *= decay
            if pending[i]:
                pending[i] -= 1
                if pending[i] == 0:
                    self.credibility = max(0.0, self.credibility - self.spec.audience_cost)
                    self.domestic_pressure = min(1.0, self.domestic_pressure + self.spec.audience_cost)
        if self.alert != self.base_alert:
            self.alert = self.base_alert + (self.alert - self.base_alert) * self.alert_decay
        if self.domestic_pressure != self.base_pressure:
            self.domestic_pressure = self.base_pressure + (self.domestic_pressure - self.base_pressure) * decay
        if self.legitimacy_cost:
            self.legitimacy_cost *= decay
        self.restraint_signal = math.exp(-most / 5.0) if most else 1.0
        if self.ordered or self.suspended_count or self.control != self.spec.sponsor_control:
            proxies.end_of_day(self)
        if self.access_limited or self.pressured:
            host.end_of_day(self)
        if self.regime is not None:
            self.regime.day_passes(self.model.random.random() if self.regime.current is not None else 0.0)

    def observed(self, action: str, target: str | None) -> None:
        """A recorded decision of this actor (history): a regime model updates its filtered distribution."""
        if self.regime is not None:
            chosen = [o.index for o in self.options if o.action == action and o.target == target]
            if chosen:
                self.regime.observe(self, chosen)

    def witness(self, action: str, actor: str | None, target: str | None) -> None:
        """An act anyone took: a regime model's event triggers (`on: {event: siege, target_of: self}`)."""
        assert self.regime is not None
        for trigger in self.regime.triggered(action, target == self.actor_id, actor == self.actor_id):
            u = self.model.random.random() if self.regime.current is not None else 0.0
            self.regime.on_event(trigger, u, f"{action} by {actor} against {target}")

    def _update_readiness(self) -> None:
        """Daily chance of acting on a provocation: a memoryless hazard with the observed mean lag."""
        self.readiness = min(1.0, 1.0 / self.spec.decision_lag_days)

    def __repr__(self) -> str:
        return f"CrisisActor({self.actor_id})"
