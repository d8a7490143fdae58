"""The escalation ladder's schema: what an action is (rung, group, effect, casualties, event-data codes), and
the shipped default ladder (`data/ladder.yaml`). `schema.py` builds scenarios on it.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Literal

import yaml
from pydantic import Field, model_validator

from .history import Strict
from .signalling import MessageKind

ActorKind = Literal["state", "militia"]
TargetKind = Literal["state", "militia", "none"]
Group = Literal["de-escalation", "hold", "signal", "pressure", "proxy", "strike", "war"]
Effect = Literal[
    "none",
    "threat",
    "justification",
    "withdrawal_demand",
    "accident",
    "closure",  # issue 9: declaring one's response concluded (docs/model.md, section 5a)
    # issue 9: proxies under orders and the host as a player (docs/model.md, sections 5b and 5c)
    "order_restraint",
    "order_attack",
    "suspend_operations",
    "restrict_access",
    "expel",
    "request_restraint",
    "mediate",
    "pass_message",
    "pressure_host",
    "occupation",  # issue 18: ground seized and held, an operation that ends only in a concession (section 1b)
]
ORDER_EFFECTS = ("order_restraint", "order_attack")  # a sponsor's private orders to its own proxies
HOST_EFFECTS = ("request_restraint", "mediate", "pass_message")  # a host's diplomacy, to its partners
ACCESS_EFFECTS = ("withdrawal_demand", "restrict_access", "expel")  # a host's stages of expulsion


class Action(Strict):
    """One rung of the escalation ladder, cross-coded to the event-data scales."""

    rung: int = Field(ge=-10, le=20, description="position on the ladder: <0 de-escalation, 0 hold")
    group: Group
    label: str
    description: str = ""
    hostile: bool | None = Field(None, description="counts as a hostile act; default: rung > 0")
    force: bool = Field(False, description="a use of force (legitimacy and sovereignty costs apply)")
    chosen: bool = Field(True, description="false for events that happen to an actor (accidents)")
    effect: Effect = Field(
        "none",
        description="what the model does besides casualties and perception: 'threat' commits the actor "
        "(audience costs if not made good); 'justification' is taken alongside the day's action and removes "
        "most legitimacy cost of force; 'withdrawal_demand' raises the target's cost of force on the "
        "demander's soil; 'accident' happens to an actor on alert (not chosen); 'closure' declares one's "
        "response concluded (a public commitment to no further force absent new provocation); 'occupation' is "
        "held as an operation that neither stops nor changes of itself and ends only when its actor concedes",
    )
    cooldown_days: int = Field(0, ge=0, le=365, description="days before the same actor can take it again")
    access_cut: float = Field(
        0.0,
        ge=0,
        le=1,
        description="host stages of expulsion: share of the target's remaining access to the actor's soil that "
        "the act removes; force from that soil is scaled by the access left, under every rule (Cooley 2008)",
    )
    kills_liaison: bool = Field(
        False,
        description="when aimed at a militia, kills the commander who links it to its sponsor: the sponsor's "
        "control over it drops (Jordan 2009 on decapitation)",
    )
    users: list[ActorKind] = Field(min_length=1, max_length=2)
    targets: list[TargetKind] = Field(min_length=1, max_length=3)
    cameo: str | None = Field(None, pattern=r"^[0-2][0-9]{1,3}$", description="CAMEO event code")
    goldstein: float = Field(ge=-10, le=10, description="Goldstein conflict-cooperation value")
    plover: str | None = Field(
        None,
        pattern=r"^[A-Z]+$",
        description="PLOVER event type (Halterman et al. 2023), from the CAMEO code by "
        "the Open Event Data Alliance's CAMEO2PLOVER table; null where PLOVER has none (statements, holding)",
    )
    plover_mode: str | None = Field(None, description="PLOVER mode (e.g. heavy-weapons, assassinate), if any")
    plover_none: str | None = Field(
        None,
        max_length=300,
        description="why an action has no PLOVER type: its CAMEO code has no row in the "
        "CAMEO2PLOVER table (01 statements, 02 appeals), or it is private (event data cannot see it)",
    )
    mid_level: int = Field(ge=1, le=5, description="Correlates of War MID hostility level")
    mid_action: int = Field(ge=0, le=21, description="Correlates of War MID incident action code")
    killed_mean: float = Field(0.0, ge=0, le=1e5, description="expected deaths per use")
    killed_dispersion: float = Field(1.0, ge=0.01, le=1e4, description="negative-binomial size: small = fat tail")
    wounded_ratio: float = Field(0.0, ge=0, le=1e3, description="expected wounded per expected death")
    wounded_base: float = Field(0.0, ge=0, le=1e5, description="expected wounded per use besides that")
    verbal: bool = Field(
        False, description="pure words: answered by words, never by force (the grievance it makes is words-only)"
    )
    channel: Literal["words", "deeds"] | None = Field(
        None,
        description="which of an actor's two daily acts it is (docs/model.md section 1c): 'words' (statements, "
        "threats, warnings, signals, sanctions) or 'deeds' (material acts); default: words if verbal or in the "
        "signal group, deeds otherwise",
    )
    private: bool = Field(False, description="a private message sent through a channel: no audience, no cost")
    message: MessageKind | None = Field(None, description="what a private message carries")
    warning: Literal["none", "private", "public"] = Field(
        "none", description="a strike warned in advance: through a channel ('private') or publicly"
    )
    salvo: int = Field(
        0, ge=0, le=100000, description="missiles per use; 0: casualties from killed_mean, not the missile formula"
    )
    reliability: float = Field(1.0, ge=0, le=1, description="share of missiles that work and reach the target")
    lethality: float = Field(
        0.0, ge=0, le=1e4, description="expected deaths per missile that lands, with everyone exposed"
    )

    @property
    def in_words(self) -> bool:
        """Taken on the words channel, beside the day's material act (docs/model.md section 1c)."""
        if self.channel is not None:
            return self.channel == "words"
        return self.verbal or self.group == "signal"

    @property
    def is_hostile(self) -> bool:
        return self.hostile if self.hostile is not None else self.rung > 0

    @property
    def justifies(self) -> bool:
        return self.effect == "justification"

    @model_validator(mode="after")
    def _accidents_are_not_chosen(self) -> Action:
        if self.effect == "accident" and self.chosen:
            raise ValueError("an action with effect 'accident' must have chosen: false (it is not a decision)")
        if self.private and self.message is None:
            raise ValueError("a private action needs a message: warning, assurance or demand")
        if self.plover and self.plover_none:
            raise ValueError("an action has a PLOVER type (plover) or a reason for none (plover_none), not both")
        if self.plover_mode and not self.plover:
            raise ValueError("plover_mode needs a PLOVER type (plover)")
        return self


def accident_action(ladder: dict[str, Action]) -> str | None:
    """The ladder's accident action, if it has one."""
    return next((key for key, a in ladder.items() if a.effect == "accident"), None)


@cache
def default_ladder() -> dict[str, Action]:
    text = resources.files("escalation_sim").joinpath("data/ladder.yaml").read_text()
    raw = yaml.safe_load(text)["actions"]
    return {key: Action.model_validate(value) for key, value in raw.items()}
