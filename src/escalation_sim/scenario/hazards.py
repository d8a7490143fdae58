"""Decision hazards by action class (issue 18, item 1): when an actor acts, apart from what it chooses.

An actor's daily chance of acting in a class (words, force, operations, diplomacy) is its readiness (1 / decision
lag) times a recovery function: the distribution function of a preparation time with a minimum, counted from the
later of its last own act of that class and the start of the provocation it is answering. A shifted discrete
Weibull (Nakagawa & Osaki 1975) in days:

    W_c(tau) = f_c                                                            tau < m_c
    W_c(tau) = f_c + (1 - f_c) * (1 - exp(-((tau - m_c + 1) / scale_c) ** shape_c))   tau >= m_c

with a floor f_c (`early`, default 0.05) so that a minimum is typical, not absolute: acts planned together as one
opening (a strike package and its follow-up on the same day) or prepared in advance come inside it, and a record
that has them is unlikely under the model, never impossible (a hard zero would also leave the likelihood that
issue 19 estimates these numbers from with no gradient there).

`shape > 1` is readiness rising as preparation completes (duration dependence, Box-Steffensmeier & Jones 2004,
ch. 3); `shape = 1` is memoryless once the minimum has passed. The free rate times a recovery function is the
renewal model of refractoriness (Berry & Meister 1998). An act also discharges a share of the grievance it
answers (Carlsmith, Wilson & Gilbert 2008: revenge brings less closure than expected, so only a share). Every
number here is a prior for the fit of issue 19; docs/model.md section 1a gives the reasons.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, field_validator

from ..rules.streams import NAMES as STREAM_COVARIATES
from .history import Strict

CLASSES = ("words", "force", "operations", "diplomacy")


class Lag(Strict):
    """The preparation time of one action class, and the share of a grievance its acts discharge."""

    min_days: int = Field(0, ge=0, le=60, description="days before an act of this class can follow the last one")
    shape: float = Field(1.0, gt=0, le=10, description="Weibull shape: > 1 readiness rises as preparation completes")
    scale_days: float = Field(2.0, gt=0, le=365, description="Weibull scale, in days after the minimum")
    discharge: float = Field(0.0, ge=0, le=1, description="share of the grievance against the target an act lets go")
    early: float = Field(
        0.05,
        ge=0,
        le=1,
        description="recovery before the minimum: acts planned together or prepared in advance (a prior; 0: a hard "
        "minimum)",
    )


class Hazards(Strict):
    """Per action class, the lag distribution and the discharge (docs/model.md section 1a gives each reason)."""

    words: Lag = Field(
        Lag(min_days=0, shape=1.0, scale_days=2.0, discharge=0.25),
        description="statements: possible the same day; a repeat waits for the next news cycle or two",
    )
    force: Lag = Field(
        Lag(min_days=1, shape=2.0, scale_days=3.0, discharge=0.5),
        description="strikes: at least a day to choose targets and pass the order (a 72-hour air tasking "
        "cycle, JP 3-30), readiness rising as preparation completes",
    )
    operations: Lag = Field(
        Lag(min_days=1, shape=1.5, scale_days=4.0, discharge=0.5),
        description="deployments, sanctions, sieges, orders, a host's restrictions: a day at least to "
        "draft, deploy or assemble",
    )
    diplomacy: Lag = Field(
        Lag(min_days=0, shape=1.0, scale_days=2.0, discharge=0.0),
        description="messages, requests, talks: possible the same day; they settle nothing of a grievance",
    )
    operation_days: float = Field(
        14.0,
        ge=1,
        le=3660,
        description="mean days an operation runs once started (daily stop hazard 1/operation_days): one "
        "grievance half-life, the model's memory of what the operation answers",
    )
    change_days: float = Field(
        14.0,
        ge=1,
        le=3660,
        description="mean days between changes of a running operation's tempo or target (daily hazard "
        "1/change_days): one grievance half-life, the time scale on which it reconsiders, as for stopping",
    )
    sustained: dict[str, float] = Field(
        default_factory=lambda: {"siege": 1.0, "campaign": 1.0, "occupation": 1.0},
        description="actions it runs as operations, with their tempo (daily chance of an act): a siege, a "
        "campaign and an occupation (a garrison in place) go on every day until stopped",
    )
    streams: dict[str, Annotated[float, Field(ge=0.0, le=1.0)]] = Field(
        default_factory=dict,
        description="chance that a chosen act of an action not in `sustained` starts an operation of it at tempo 1 "
        "(a strike or harassment stream, as most of the train records' spells are; learn/spells.py). Default "
        "none: such an act is a single act",
    )
    stream_slopes: dict[str, float] = Field(
        default_factory=dict,
        description="slopes on the logit of the stream chance by covariate (rules/streams.py NAMES: provocation, "
        "casualties, the chosen option's own features): the chance of action x is logistic(logit(streams[x]) + "
        "sum slope_c x_c), the covariates read at the decision. Default none: the chance is `streams[x]` whatever "
        "the situation (learn --operations estimates them; docs/model.md)",
    )
    news_half_life_days: float = Field(
        1.0,
        gt=0,
        le=365,
        description="words answer the news: the chance of a hostile statement answering an actor halves with "
        "each day since that actor's latest provocation (the daily news cycle; Downs 1972, Leskovec, Backstrom & "
        "Kleinberg 2009); a prior for issue 19",
    )
    news_floor: float = Field(
        0.05,
        ge=0,
        le=1,
        description="what is left of it once the news is old: a late statement is unlikely, never impossible "
        "(as `early`: a prior; 1 turns the news cycle off)",
    )
    violation_half_life_days: float | None = Field(
        None,
        gt=0,
        le=3660,
        description="host nations: half-life of the sovereignty grievance (null: the actor's grievance half-life)",
    )

    @field_validator("stream_slopes")
    @classmethod
    def _known_covariates(cls, value: dict[str, float]) -> dict[str, float]:
        unknown = sorted(set(value) - set(STREAM_COVARIATES))
        if unknown:
            raise ValueError(f"unknown stream covariates {unknown}; known: {list(STREAM_COVARIATES)}")
        return value

    def lag(self, cls: int) -> Lag:
        """The lag of class `cls` (an index into CLASSES)."""
        return getattr(self, CLASSES[cls])


DEFAULT_HAZARDS = Hazards()
