"""The `escalation-sim` command line (Typer): `app` is the console script's entry point.

One module per family of commands, each shown in its own help panel:

    run.py          Runs        run, distribution, replay
    scenarios.py    Scenarios   validate, list, schema
    sweep.py        Sweeps      sweep, sweep-summary, sweep-point, sweep-events, sensitivity
    tournament.py   Sweeps      tournament (every pairing of rules, ranked)
    classroom.py    Classroom   play, debrief           (classroom_views.py: how they look in a terminal)
    serve.py        Classroom   app (serves the classroom web app in its own process)
    instructor.py   Classroom   instructor-key (the key to notebook 05, shipped in the package)
    score.py        Scoring     score
    calibrate.py    Scoring     calibrate
    emulate.py      Scoring     emulate (outcome classes through an emulator trained on simulations, SBC)
    learn.py        Scoring     learn (the quantal rule's weights from the train split, issue 19)
    evaluate.py     Scoring     evaluate (the crisis library)
    forward.py      Scoring     forward-check (the learned model's forward runs against the train records)
    score_inputs.py             what they take in (frozen parameter files, prior boxes, work bounds), checked
    icb.py          ICB         icb scenario|predict|validate (a sub-app: the model against ICB's crises)
    common.py       the consoles, `fail`, scenario names and date options, shared by all

Each module has `register(app)`; a new family is a new module added to `FAMILIES` below. Commands import what
they run inside the function, so `--help` stays fast. The top layer: nothing in the package imports it.
"""

from __future__ import annotations

from typing import Annotated

import typer

from .. import __version__
from . import (
    calibrate,
    classroom,
    emulate,
    evaluate,
    forward,
    icb,
    instructor,
    learn,
    run,
    scenarios,
    score,
    serve,
    sweep,
    tournament,
)
from .common import SafeGroup, console

app = typer.Typer(
    name="escalation-sim",
    cls=SafeGroup,
    help="Agent-based simulation of crises between states and armed groups (Mesa).\n\n"
    "Start with:  escalation-sim run scenarios/jan2020.yaml --seed 7 --out runs/demo",
    no_args_is_help=True,
    rich_markup_mode="markdown",
    pretty_exceptions_enable=False,
    add_completion=False,
)

# the order of the help panels
FAMILIES = (
    run,
    scenarios,
    sweep,
    tournament,
    score,
    calibrate,
    emulate,
    learn,
    evaluate,
    forward,
    classroom,
    serve,
    instructor,
    icb,
)


def _version(value: bool) -> None:
    if value:
        console.print(f"escalation-sim {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = False,
) -> None:
    """Agent-based simulation of crises between states and armed groups."""


for _family in FAMILIES:
    _family.register(app)

__all__ = ["app"]
