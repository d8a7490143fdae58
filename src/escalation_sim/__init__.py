"""escalation-sim: agent-based simulation of crises between states and armed groups."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("escalation-sim")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0+unknown"

from .model import EscalationModel, Record
from .results.outcomes import OUTCOMES, Outcome
from .rules import RULES
from .scenario import Scenario, ScenarioError, load_scenario

__all__ = [
    "OUTCOMES",
    "RULES",
    "EscalationModel",
    "Outcome",
    "Record",
    "Scenario",
    "ScenarioError",
    "__version__",
    "load_scenario",
]
