"""Scenario data for signals, private channels and strike harm (docs/model.md section 5a).

Three kinds of settings, each with the reason for its default beside it:
- `ThreatTerms`: what a public threat commits its author to (deterrent or compellent, its condition, window);
- `Channel`: a private line between two actors (a protecting power, a host's prime minister), with a delay, a
  reliability and an open/closed state;
- `Defence`: what decides how many die when missiles land: air defence, its capacity, and how far alert and a
  warning received in time take people out of harm's way.

Scenario layer: plain pydantic models, no model code.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Unit = Annotated[float, Field(ge=0.0, le=1.0)]
MessageKind = Literal["warning", "assurance", "demand"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class ThreatTerms(_Strict):
    """What a public threat commits its author to (Schelling 1966; Fearon 1994, 1997; Sartori 2002).

    A deterrent threat ("if you do X, we will strike") costs nothing until its condition is met; then the author
    has `window_days` to use force against the threatened actor or pay its audience cost. A compellent threat
    ("do Y by the deadline") opens that window at the deadline unless the target complied (a public
    de-escalation toward the author). A threat whose condition is never met lapses without cost.
    """

    kind: Literal["deterrent", "compellent"] = Field(
        "deterrent",
        description="deterrent (a condition, then a window) or compellent (a demand and a deadline). Default "
        "deterrent: crisis threats are mostly warnings against a repetition (Schelling 1966, ch. 2)",
    )
    condition_rung: int | None = Field(
        None,
        ge=0,
        le=20,
        description="a hostile act of the threatened actor against the author at or above this rung meets a "
        "deterrent threat's condition; null (default): any use of force (an action with force: true) meets it, "
        "whatever the ladder. Words never do",
    )
    condition_killed: int = Field(
        1,
        ge=0,
        description="or an act of the threatened actor that kills at least this many of the author's nationals "
        "(0: deaths are not a condition). Default 1: the red line states draw in practice (Dec 2019)",
    )
    condition_met: bool = Field(
        False,
        description="the condition is already met when the threat is made: a promise to answer an act already "
        "done (Khamenei, 3 Jan 2020), or a preemption threat whose trigger the model cannot observe",
    )
    deadline_days: int = Field(
        7, ge=0, le=365, description="compellent threats: days the target has to comply before the window opens"
    )
    window_days: int | None = Field(
        None,
        ge=1,
        le=365,
        description="days to use force once the condition is met (deterrent) or the deadline passed "
        "(compellent); null: the scenario's threat_window_days",
    )
    lapse_days: int = Field(
        30,
        ge=1,
        le=3650,
        description="a deterrent threat whose condition is not met within this many days lapses at no cost. "
        "Default 30: about two grievance half-lives, after which the exchange it belonged to has faded",
    )


class Signalling(_Strict):
    """How public signals and private messages act (docs/model.md section 5a)."""

    threats: ThreatTerms = Field(
        ThreatTerms(), description="terms of threats the model's actors choose (history's events may set their own)"
    )
    justified_discount: Unit = Field(
        0.5,
        description="share of the audience cost saved by backing down with a public justification citing new "
        "information (a stand-down or closure statement while the threat is live). Levendusky & Horowitz 2012 "
        "find such justifications cut the disapproval of backing down by about half; Kertzer & Brutger 2016",
    )
    reassurance: Unit = Field(
        0.5,
        description="share of the receiver's unanswered severity that a fully credible assurance or closure lets "
        "go (scaled by the sender's credibility): the same magnitude as a public stand-down statement's halving",
    )
    warning_alert: Unit = Field(
        0.3,
        description="alert a receiver adds on a warning or demand from the sender, scaled by the sender's "
        "credibility (a warning is acted on: troops were sent to bunkers at Al Asad on 7-8 Jan 2020)",
    )
    closure_days: int = Field(
        30,
        ge=1,
        le=3650,
        description="days a closure declaration commits its author ('our response is concluded'); force against "
        "the other side within them, absent a new provocation, costs the audience cost",
    )


class Channel(_Strict):
    """A private line: messages from `sender` to `receiver` (both ways if `two_way`) with a delay and a reliability.

    Private messages carry no audience cost (Carson 2018; Yarhi-Milo 2014): only the receiver learns of them.
    """

    sender: str
    receiver: str
    two_way: bool = Field(False, description="messages pass both ways")
    via: str = Field("", description="who carries the messages (a protecting power, a host's prime minister)")
    host: str | None = Field(
        None,
        description="the actor (a host government) that carries the line: its pass_message relays its partners' "
        "messages on the lines it carries, with their delay and reliability; null: a line no actor in the "
        "scenario carries",
    )
    kinds: list[MessageKind] = Field(
        default_factory=lambda: ["warning", "assurance", "demand"],
        min_length=1,
        description="what the channel carries: 'warning' (of a strike: shelter in time), 'assurance', 'demand'",
    )
    delay_days: int = Field(
        0, ge=0, le=60, description="days before a message arrives; 0: within hours, in time to shelter"
    )
    reliability: Unit = Field(0.9, description="probability that a message is delivered (in time)")
    open: bool = Field(True, description="a closed channel carries nothing")
    notes: str = ""

    @model_validator(mode="after")
    def _two_ends(self) -> Channel:
        if self.sender == self.receiver:
            raise ValueError(f"a channel needs two different actors, not {self.sender!r} twice")
        return self


class Defence(_Strict):
    """What decides how many die when missiles land on an actor's forces (docs/model.md section 5a).

    expected deaths = lethality x hits x exposure, hits = salvo x reliability x (1 - interception),
    interception = air_defence x min(1, intercept_capacity / salvo),
    exposure = (1 - exposure_alert x alert) x (warned_exposure if a warning arrived in time else 1).
    """

    air_defence: Unit = Field(
        0.0,
        description="chance a missile is intercepted while the salvo is within capacity. Default 0: no "
        "ballistic-missile defence (US forces in Iraq had none at Al Asad in January 2020; Patriot batteries "
        "arrived there in spring 2020)",
    )
    intercept_capacity: int = Field(
        20,
        ge=0,
        le=100000,
        description="missiles the defence can engage in one salvo; beyond it, interception is diluted. Default "
        "20: a Patriot battery has 4-8 launchers and fires two interceptors per target (US Army fact sheets)",
    )
    exposure_alert: Unit = Field(
        0.5,
        description="share of exposure removed at full alert (dispersal, hardened quarters, protective posture); "
        "an order of magnitude, not an estimate",
    )
    warned_exposure: Unit = Field(
        0.025,
        description="share of people still exposed after a warning received in time: at Al Asad, 8 Jan 2020, "
        "most of ~2,000 personnel were in bunkers or flown out; a few dozen stayed at their posts",
    )
