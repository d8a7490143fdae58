"""Fields of an actor's role in issue 9's mechanisms (docs/model.md sections 5b, 5c): a militia under a
sponsor's orders, a host nation between its patrons. Mixed into `schema.Actor`; every field is optional and
its default leaves a scenario as it was.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field

Unit = Annotated[float, Field(ge=0.0, le=1.0)]


class MilitiaRole(BaseModel):
    """A militia's ties to its sponsor: control lost with a liaison, orders in transit, truces, a front."""

    liaison_loss: Unit = Field(
        0.5,
        description="militias: share of the sponsor's control lost when the liaison who links them is killed. "
        "0.5: Soleimani ran the Iraqi militias in person; his successor lacked his Arabic and his ties, and "
        "splinter fronts appeared within weeks (Jordan 2009: decapitation weakens hierarchical groups)",
    )
    control_half_life_days: float = Field(
        90.0,
        gt=0,
        le=3650,
        description="militias: half-life of a loss of control: a new liaison builds ties over months (Qaani's "
        "first visits to Baghdad came weeks, not days, after 3 Jan 2020)",
    )
    order_lag_days: int = Field(
        2,
        ge=0,
        le=60,
        description="militias: days for a sponsor's private order to reach and be acted on (a liaison meeting "
        "in Baghdad or Beirut); obeyed with probability equal to the control at arrival",
    )
    order_days: int = Field(
        14,
        ge=1,
        le=365,
        description="militias: days an obeyed order binds before it lapses (one grievance half-life)",
    )
    suspension_days: int = Field(
        30,
        ge=1,
        le=365,
        description="militias: days an announced suspension of operations is kept against its addressee, "
        "unless the addressee uses force against it first",
    )
    front: str | None = Field(
        None,
        description="militias: a front name it claims attacks under (e.g. 'Usbat al-Thaireen'): blame is "
        "split among its sponsor's militias instead of laid at its door",
    )


class HostRole(BaseModel):
    """A host nation's stakes in its patrons, and the balance of its parliament and government."""

    dependence: dict[str, Unit] = Field(
        default_factory=dict,
        description="host nations: dependence on each patron (security, money, energy), 0-1: the government's "
        "cost of restricting that patron (Cooley 2008; Lake 2009)",
    )
    parliament_weight: Unit = Field(
        0.5,
        description="host nations: weight of parliament (which answers violations of sovereignty) against the "
        "government (which weighs dependence) in the host's choices: Putnam's two-level game",
    )
    access_half_life_days: float = Field(
        90.0,
        gt=0,
        le=3650,
        description="host nations: half-life of a restriction of a patron's access: restored by negotiation, "
        "which takes months (the US-Iraq strategic dialogue opened in June 2020)",
    )
