"""What makes a scenario a case of the crisis library: its split, the outcome history recorded, a teaching card.

A case is fitted on (`train`) or only measured on (`test`); `observed_outcome` is history coded in the project's
outcome classes, so the model's shares can be scored against it; the card is what an instructor hands out.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

Split = Literal["train", "test"]
# The model's outcome classes (escalation_sim.results.outcomes.OUTCOMES); repeated here because the scenario layer sits
# below the model. tests/scenario/test_library.py checks the two agree.
ObservedOutcome = Literal["de-escalation", "protracted", "war"]

# A reading is a full reference: an author, a year in parentheses and a title; or a URL.
_REFERENCE = re.compile(r"^(https?://\S+|.+\(\d{4}[a-z]?\)\.?\s+\S.+)$")


class Card(BaseModel):
    """A case's teaching card: the question it teaches, what to read, and where the model falls short."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    question: Annotated[str, Field(min_length=10, description="the question the case teaches")]
    readings: list[str] = Field(min_length=3, description="three or more readings: 'Author (year). Title.' or a URL")
    leaves_out: Annotated[str, Field(min_length=10, description="what the model leaves out on this case")]
    gets_wrong: Annotated[str, Field(min_length=10, description="what the model gets wrong on this case")]

    @field_validator("readings")
    @classmethod
    def _references(cls, value: list[str]) -> list[str]:
        for reading in value:
            if not _REFERENCE.match(reading.strip()):
                raise ValueError(f"{reading!r} is not a reference ('Author (year). Title. Publisher.') or a URL")
        return value
