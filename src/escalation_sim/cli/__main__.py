"""`python -m escalation_sim.cli ...`: the same as the `escalation-sim` console script."""

from . import app

app()
