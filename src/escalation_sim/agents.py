"""The actors: states and militias as Mesa agents, each deciding by its deterrence rule.

An agent is the `View` its rule reads: plain attributes and per-actor lists, so that a day's decision costs
a few attribute reads and one pass over the options, with nothing allocated that the rule does not return.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import mesa

from .mechanics import hazards, host, proxies
from .mechanics.perception import forget
from .minds.beliefs import observed
from .minds.forecast_cache import make_forecaster
from .minds.policy import decide
from .rules import Option, Policy
from .rules.base import Witnessed, sample_index
from .scenario import Actor
from .state.actor import ActorState, cool

if TYPE_CHECKING:
    from .state.world import World

Choice = tuple[Option, str, str]  # (option, origin: "model" or "player", reason)
Chooser = Callable[[Policy, float], Choice]  # (policy, uniform draw) -> choice


class CrisisActor(ActorState, mesa.Agent):
    """A state or militia in the crisis, deciding each day by its deterrence rule.

    Its state is declared by `ActorState` (state/actor.py); this class adds what needs the model's machinery:
    the day's decision, the end of the day, and the rule's hooks. `choose` turns the policy and a uniform draw
    into the day's option: sampling by default (`sample`); play mode sets it for the player's actor
    (`classroom.game.Game`).
    """

    model: World

    def __init__(self, model: World, actor_id: str, spec: Actor, index: int, n_actors: int) -> None:
        mesa.Agent.__init__(self, model)
        ActorState.__init__(self, actor_id, spec, index, n_actors)
        self.choose: Chooser = self.sample
        if self.traits.looks_ahead:
            self.forecaster = make_forecaster(self, model)  # shares forecasts across the scenario's models

    @property
    def crisis_day(self) -> int:
        """Days since the crisis began (the scenario's start): every actor knows the date."""
        return max(0, self.model.day)

    # --- a day -------------------------------------------------------------------------------------------------

    def policy(self) -> Policy:
        """Today's probabilities over its options: its rule through the one pipeline (minds/policy.py)."""
        return decide(self, self.rule)

    def step(self) -> None:
        """Decide and act: a deed (the `choose` hook) and words (docs/model.md section 1c), one draw each from the
        model's generator, both from the day's one policy; then perhaps a justification. Those who hold beliefs
        about it learn from the day (both channels) before either act is carried out.

        The draws are made whoever chooses, so a player's choice (play mode) leaves every other draw where the
        seeded model has it. A player makes the day's one decision on either channel: the model adds no words.
        """
        model = self.model
        random = model.random.random
        if not self.deciding:
            self.deciding = True
            if self.traits.keeps_state:
                self.rule.on_branch(self, random)  # a regime model draws its type here
        policy = self.policy()
        draw = random()
        said = random()
        option, origin, reason = self.choose(policy, draw)
        self.last_action = option.action
        words = policy.words
        hold = self.hold_index
        word = self.options[sample_index(words, said)] if words is not None and origin == "model" else None
        if model.watchers[self.index]:
            deed = hold if option.words else option.index  # a player's word: no deed today
            spoken = option.index if option.words else hold if word is None else word.index
            observed(model, self, (deed,), (spoken,) if words is not None or option.words else None)
        if option.index != hold:
            chosen = words if option.words and words is not None else policy.probs
            model.act(self, option, chosen[option.index], reason, origin)
        if word is not None and word.index != hold:
            assert words is not None
            if option.index == hold:
                self.last_action = word.action
            model.act(self, word, words[word.index], f"words: {policy.reason}", origin)
        if self.justification is None:  # no way to justify force: no chance, no draw (justification_chance)
            return
        chance = self.justification_chance()  # public justification stays with the actor's diplomats
        if chance > 0.0 and random() < chance:
            model.justify(self, chance)

    def sample(self, policy: Policy, draw: float) -> Choice:
        """The default `choose` hook: the option the rule's policy gives the uniform `draw`."""
        return self.options[sample_index(policy.probs, draw)], "model", policy.reason

    def end_of_day(self) -> None:
        """Memory fades, alert and pressure relax toward their baselines, unmet threats cost credibility."""
        decay = self.grievance_decay
        self.lethal_days += 1
        if self.offered_today:
            self.offered_today.clear()
        if self.cooling_count:
            cool(self)
        most = forget(self, decay)
        pending = self.pending_threat
        for i, days in enumerate(pending) if any(pending) else ():
            if days:
                pending[i] = days - 1
                if days == 1:
                    self.credibility = max(0.0, self.credibility - self.spec.audience_cost)
                    self.domestic_pressure = min(1.0, self.domestic_pressure + self.spec.audience_cost)
        if self.alert != self.base_alert:
            self.alert = self.base_alert + (self.alert - self.base_alert) * self.alert_decay
        if self.domestic_pressure != self.base_pressure:
            self.domestic_pressure = self.base_pressure + (self.domestic_pressure - self.base_pressure) * decay
        if self.legitimacy_cost:
            self.legitimacy_cost *= decay
        self.restraint_signal = proxies.restraint_signal(most)
        proxy = self.proxy
        if proxy.ordered or proxy.suspended_count or proxy.control != self.spec.sponsor_control:
            proxies.end_of_day(self)
        if self.host.access_limited or self.host.pressured:
            host.end_of_day(self.model, self)
        hazards.end_of_day(self)  # the days since its acts count on, recovering or not (rules/features reads them)
        if self.traits.keeps_state:
            self.rule.on_day(self, self.model.random.random)

    def observed(self, action: str, target: str | None) -> None:
        """A recorded decision of this actor (history), before it is carried out: its rule's `on_history`."""
        if self.traits.keeps_state:
            chosen = [o.index for o in self.options if o.action == action and o.target == target]
            if chosen:
                self.rule.on_history(self, chosen)

    def witness(self, action: str, actor: str | None, target: str | None) -> None:
        """An act anyone took, as recorded: its rule's `on_act` (a regime model's event triggers)."""
        seen = Witnessed(action, actor, target, actor == self.actor_id, target == self.actor_id)
        self.rule.on_act(self, seen, self.model.random.random)
