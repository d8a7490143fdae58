"""Scenario files: the schema, safe loading with `extends`, counterfactual edits, and errors in words.

    schema.py    pydantic models (Scenario, Actor, Traits, Perception), the JSON Schema
    ladder.py    the escalation ladder: Action, effects, the shipped default ladder
    history.py   dated events (Event), outcome thresholds (Outcomes), the strict base model
    signalling.py  threat terms, private channels, defence against strikes (docs/model.md section 5a)
    load.py      load_scenario / parse_scenario / load_scenario_data (safe YAML, `extends` chains), scenario_paths
    validate.py  validate_scenario_data: pydantic errors in a scenario file's words
    edits.py     apply_edits: values set by dotted path, events dropped by id
    errors.py    InputFileError, ScenarioError, the YAML line map and the error formatter (shared with sweep files)

Scenario layer: imports the rules and nothing above (no model, no Mesa).
"""

from .edits import apply_edits
from .errors import InputFileError, ScenarioError
from .history import Event, Outcomes
from .ladder import ACCESS_EFFECTS, HOST_EFFECTS, ORDER_EFFECTS, Action, accident_action, default_ladder
from .load import load_scenario, load_scenario_data, parse_scenario, scenario_paths
from .schema import Actor, Perception, Scenario, Traits, json_schema
from .signalling import Channel, Defence, Signalling, ThreatTerms
from .validate import validate_scenario_data

__all__ = [
    "ACCESS_EFFECTS",
    "HOST_EFFECTS",
    "ORDER_EFFECTS",
    "Action",
    "Actor",
    "Channel",
    "Defence",
    "Event",
    "InputFileError",
    "Outcomes",
    "Perception",
    "Scenario",
    "ScenarioError",
    "Signalling",
    "ThreatTerms",
    "Traits",
    "accident_action",
    "apply_edits",
    "default_ladder",
    "json_schema",
    "load_scenario",
    "load_scenario_data",
    "parse_scenario",
    "scenario_paths",
    "validate_scenario_data",
]
