"""A scenario's history and how its runs are classified: dated events (`Event`) and outcome thresholds
(`Outcomes`), with the strict base every scenario model shares. `schema.py` assembles them into a `Scenario`.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, model_serializer

from .policy import MAX_ACTORS, MAX_DAYS
from .signalling import ThreatTerms


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class SpellChange(Strict):
    """A running operation's actor changed its tempo, its target or both (one decision, docs/model.md 1b)."""

    date: dt.date = Field(description="the first day at the new tempo or target")
    tempo: float | None = Field(None, gt=0, le=1, description="the new daily chance of an act (null: unchanged)")
    target: str | None = Field(None, description="the new target (null: unchanged)")
    acts: int | None = Field(
        None, ge=0, le=100_000, description="acts the sources count from this change to the next change or the end"
    )
    source: str = Field("", description="where the change is recorded, if not in the spell's own source")


class Spell(Strict):
    """An operation that lasted (issue 18): one decision to start it, a tempo, one decision to stop it.

    A campaign, harassment stream, siege, blockade or patrols is not a fresh choice every day. The event that
    carries a spell starts on its `date`, runs through its `end_date` (or past the record, `ongoing: true`) and
    produces an act of its action against its target on a day with probability `tempo`. The score counts its
    start (as any decision), each change of tempo or target (`changes`, a decision each), the acts it produced
    given its tempo (`acts`, where the sources count them) and its stop (docs/model.md section 1b).
    """

    tempo: float = Field(gt=0, le=1, description="daily chance the operation produces an act (1: every day)")
    acts: int | None = Field(
        None,
        ge=1,
        le=100_000,
        description="acts the sources count over the spell (up to its first change), the first day's included",
    )
    ongoing: bool = Field(False, description="still running when the record ends (then no end_date)")
    changes: list[SpellChange] = Field(
        default_factory=list,
        max_length=100,
        description="decisions that changed its tempo or target while it ran, in date order",
    )

    @model_serializer(mode="wrap")
    def _dump(self, handler: Any) -> Any:
        """Leave out an empty `changes`, so spells without changes keep their scenario's content hash."""
        data = handler(self)
        if isinstance(data, dict) and not self.changes:
            data.pop("changes", None)
        return data


class Event(Strict):
    """A dated historical event, replayed as it happened up to the branch point."""

    id: str = Field(pattern=r"^[A-Za-z0-9_.-]+$")
    date: dt.date
    end_date: dt.date | None = None
    actor: str | None = Field(description="who acted; null for events with no actor")
    target: str | None = None
    action: str = Field(description="a ladder action")
    killed: dict[str, Annotated[int, Field(ge=0, le=10_000_000)]] = Field(
        default_factory=dict,
        max_length=MAX_ACTORS,
        description="deaths by nation; at most 10 million (more than any war since 1945)",
    )
    wounded: dict[str, Annotated[int, Field(ge=0, le=10_000_000)]] = Field(
        default_factory=dict, max_length=MAX_ACTORS, description="wounded by nation; at most 10 million"
    )
    claimed: bool = Field(True, description="false for deniable attacks (attribution is then uncertain)")
    soil: str | None = Field(None, description="host nation on whose soil it happened")
    exogenous: bool = Field(False, description="not a decision: replayed after the branch point too")
    liaison_killed: list[str] = Field(
        default_factory=list,
        description="militias whose liaison to their sponsor the event killed: their control drops",
    )
    front: str | None = Field(None, description="front group that claimed it (splits attribution)")
    threat: ThreatTerms | None = Field(None, description="a threat's terms; null: the scenario's signals.threats")
    operation: Spell | None = Field(
        None, description="an operation that lasted from date to end_date (a spell), not a single act"
    )
    part_of: str | None = Field(
        None,
        description="the id of the spell this act belongs to: one of its operation's acts, recorded with its own "
        "deaths, not a decision of its own",
    )
    description: str
    source: str = Field(
        pattern=r"^(https?://\S+|.+\(\d{4}[a-z]?\)\.?\s+\S.+)$",
        description="a citable source: 'Author (year). Title. Chapter, section or page.' or a URL",
    )
    pointer: str = Field(
        "", pattern=r"^(https?://\S+)?$", description="a URL beside the source (an encyclopedia entry), never alone"
    )
    disputed: str = ""

    @model_serializer(mode="wrap")
    def _dump(self, handler: Any) -> Any:
        """Leave out an unset `operation` and `part_of`, so scenarios without spells keep their content hash."""
        data = handler(self)
        if isinstance(data, dict):
            for key in ("operation", "part_of"):
                if getattr(self, key) is None:
                    data.pop(key, None)
        return data


class Outcomes(Strict):
    """How a run is classified. Thresholds are part of the scenario, not the code."""

    calm_rung: int = Field(6, ge=-10, le=21, description="acts at or above this rung break the calm (6: any strike)")
    calm_days: int = Field(14, ge=1, le=MAX_DAYS, description="days with no such act that count as calm")
    war_rung: int = Field(10, ge=-10, le=21, description="reaching this rung is war (21: above any rung, never)")
    war_deaths: int = Field(
        1000, ge=1, le=100_000_000, description="deaths in hostile acts that make it war (COW: 1,000)"
    )
