"""What an actor believes about another: a prior over a small space of types (doctrine x resolve).

The scenario's optional `beliefs:` block on an actor, per other actor (docs/model.md, Beliefs). Absent, the actor
reads the other's resolve and credibility counter, and a forecast of the other's answer (anticipation) uses the
declared uninformed prior `UNINFORMED` below, never the other's true rule. The model side is `minds/beliefs.py`.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ..rules import RuleConfig

Unit = Annotated[float, Field(ge=0.0, le=1.0)]


class BeliefType(BaseModel):
    """One type the other actor may be: the doctrine it follows and how resolved it is, with its prior."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    rule: RuleConfig = Field(description="the doctrine this type follows, with its parameters")
    resolve: Unit = Field(
        description="the chance this type carries out the hostile answers its doctrine calls for instead of "
        "backing down (Fearon 1994's resolved and unresolved types); rules reading resolve read it too"
    )
    prior: float = Field(gt=0, le=1, description="prior probability of this type; the types' priors sum to 1")


class Belief(BaseModel):
    """A belief about one other actor: its type space and prior, and how the believer learns from its acts."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    types: list[BeliefType] = Field(min_length=1, description="the type space, with each type's prior")
    temper: float = Field(
        0.5,
        gt=0,
        le=1,
        description="exponent on each observation's likelihood: acts are seen through noise and deniability "
        "(docs section 5), so one act is weaker evidence than the policies say; 0.5 halves its log-odds. A "
        "parameter with a prior, to be estimated (issue 19): Beta(2, 2) on (0, 1], 0.5 its mean",
    )
    confirmation_bias: Unit = Field(
        0.0,
        description="share of the evidence discounted when it goes against the type currently believed most "
        "likely (Jervis 1976: discrepant information is assimilated to existing beliefs); 0 = none",
    )
    tremble: Unit = Field(
        0.01,
        description="chance the believer allows that any act was a mistake or unauthorised (Selten 1975), so "
        "no act rules a type out for good. A parameter with a prior, to be estimated (issue 19): "
        "log10(tremble) ~ Uniform(-4, -1), 0.01 its median",
    )
    credibility_model: Literal["past_actions", "current_calculus"] = Field(
        "past_actions",
        description="past_actions: holding when provoked is evidence of low resolve and lowers credibility; "
        "current_calculus: credibility follows the other's present interests and resolve, and backing down "
        "is not held against it (Press 2005)",
    )

    @model_validator(mode="after")
    def _priors_sum_to_one(self) -> Belief:
        total = sum(t.prior for t in self.types)
        if not math.isclose(total, 1.0, abs_tol=1e-6):
            raise ValueError(f"types: the priors sum to {total:.6g}; they must sum to 1")
        return self


# The declared prior of an actor that holds no beliefs about another it forecasts (issue 17): each of the taught
# state doctrines equally likely (no information favours one), each resolved (0.8) or not (0.3) with even odds,
# the two resolves jan2020's own type space uses. Nothing of the other's true rule, regime or resolve enters it.
UNINFORMED_DOCTRINES = (
    "red_line",
    "restraint",
    "escalation_dominance",
    "massive_retaliation",
    "proportional",
    "restore_deterrence",
)
UNINFORMED_RESOLVES = (0.3, 0.8)


def uninformed() -> Belief:
    """The declared uninformed prior: uniform over `UNINFORMED_DOCTRINES` x `UNINFORMED_RESOLVES`."""
    n = len(UNINFORMED_DOCTRINES) * len(UNINFORMED_RESOLVES)
    types = [
        BeliefType(rule={"name": name}, resolve=r, prior=1.0 / n)  # type: ignore[arg-type]
        for name in UNINFORMED_DOCTRINES
        for r in UNINFORMED_RESOLVES
    ]
    return Belief(types=types)


class PastAnswer(BaseModel):
    """One answer of an actor to a provocation before the crisis: its public record, what others learn its type
    from (issue 17: reputation that can be learned). Sourced: an official statement or the press of record."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    date: dt.date
    provocation: str = Field(description="what was done to the actor, in words")
    by: str = Field(description="the actor held responsible (an actor id of the scenario)")
    severity: float = Field(
        ge=0, le=20, description="the provocation's severity as the actor felt it, on the ladder's rung scale"
    )
    killed: int = Field(0, ge=0, description="the actor's nationals the provocation killed")
    attribution: Unit = Field(1.0, description="how surely the actor laid it at `by`'s door")
    answer: str = Field(
        description="the ladder action the actor answered with ('hold' for none); a word (sanctions, a statement) "
        "is read as that word and no deed, a deed or a hold as that and nothing said of the words channel"
    )
    target: str | None = Field(None, description="whom the answer was aimed at (an actor id); null for hold")
    source: str = Field(min_length=1, description="the official statement or press report of record")
