"""Records simulated with known parameter values: what parameter recovery is tested on.

A synthetic record is one run of the scenario with the parameters set to known values, history replayed to the
branch point and the model deciding after it; every act of the run becomes a dated event of a new scenario
(no branch date), which is then scored and calibrated like a historical record. If calibration works, the
posterior intervals cover the known values about as often as their level says.
"""

from __future__ import annotations

from typing import Any

from ..model import EscalationModel, Record
from ..scenario import Scenario, validate_scenario_data

SOURCE = "https://example.org/synthetic-record"  # events must cite a source; these cite the simulation


def synthetic_record(scenario: Scenario, values: dict[str, float], seed: int) -> Scenario:
    """The scenario with its history replaced by one simulated run (values set, `seed`); no branch date."""
    truth = scenario.with_edits(values)
    model = EscalationModel(scenario=truth, rng=seed, collect=False)
    model.run_model()
    data = truth.model_dump(mode="json")
    data["name"] = f"{scenario.name}-synthetic-{seed}"
    data["branch_date"] = None
    data["split"] = None
    data["events"] = [_event(n, r, model) for n, r in enumerate(model.records)]
    return validate_scenario_data(data, f"synthetic record of {scenario.name}")


def _event(n: int, r: Record, model: EscalationModel) -> dict[str, Any]:
    action = model.ladder[r.action]
    original = next((e for e in model.crisis.events if e.id == r.event_id), None)
    event: dict[str, Any] = {
        "id": f"S{n:03d}",
        "date": r.date.isoformat(),
        "actor": r.actor,
        "target": r.target,
        "action": r.action,
        "killed": dict(r.killed),
        "wounded": dict(r.wounded),
        "description": f"simulated ({r.origin}): {r.reason}",
        "source": SOURCE,
    }
    if original is not None:
        event.update(claimed=original.claimed, soil=original.soil, exogenous=original.exogenous)
    elif r.actor is not None:
        event["claimed"] = model.by_id[r.actor].kind == "state" or not action.is_hostile
    if r.actor is None:
        event["exogenous"] = True
    return event
