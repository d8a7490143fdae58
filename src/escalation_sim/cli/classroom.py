"""Classroom commands: `play` (take one actor's decisions) and `debrief` (a class's games); `app` (the web app)
is `cli.serve`.

Terminal input and output only; the game itself is `escalation_sim.classroom`, shared with the app's buttons.
The rich rendering of a day's briefing and of debriefs is `cli.classroom_views`.
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from .classroom_views import MAX_COMMAND, TOO_LONG, plain, print_class, print_debrief, read_line, show_situation
from .common import (
    CLASSROOM,
    ScenarioArg,
    SetOption,
    check_output,
    check_seed,
    console,
    errors,
    examples,
    fail,
    open_scenario,
    parse_date,
)

# Model runs a debrief compares with: they run while the player or the class waits, in memory; at 20,000 an
# outcome share's 95% interval is +-0.7 points (1.96 * sqrt(0.25 / 20,000)), far finer than a class needs.
MAX_CLASS_RUNS = 20_000


# --- play ----------------------------------------------------------------------------------------------------


def play(
    scenario: ScenarioArg,
    actor: Annotated[str, typer.Option("--as", help="The actor you play (e.g. IRN); the model plays the others.")],
    seed: Annotated[int, typer.Option(help="Seed of the model's random generators (the others' choices).")] = 0,
    branch_date: Annotated[
        str | None, typer.Option(help="First day you decide (YYYY-MM-DD); default: the scenario's branch point.")
    ] = None,
    record: Annotated[
        Path | None, typer.Option(help="Save the game to this JSON file (after every day, and when you stop).")
    ] = None,
    overwrite: Annotated[bool, typer.Option(help="Replace the --record file if it exists.")] = False,
    player: Annotated[str, typer.Option(help="Your name, kept in the record for the class debrief.")] = "",
    hints: Annotated[bool, typer.Option(help="Show the probability the model's rule gives each option.")] = False,
    runs: Annotated[
        int, typer.Option(min=0, max=MAX_CLASS_RUNS, help="Model runs to place your outcome in at the end (0: none).")
    ] = 200,
    sets: SetOption = None,
) -> None:
    """Take one actor's decisions, day by day from the branch point; the model plays everyone else.

    Each day shows what happened, whom you hold responsible, the costs in view and your options. At the end, a
    debrief compares your path with history's and places your outcome among the model's own runs.
    """
    from ..classroom.game import Game, GameError

    _, loaded = open_scenario(scenario, sets)
    branch = parse_date(branch_date, "--branch-date", loaded)
    check_seed(seed)
    check_output(record, "--record")  # a device, a folder, an unwritable place; a missing folder is created
    if record is not None and record.exists() and not overwrite:
        raise fail(f"--record: {record} exists; choose another file name or add --overwrite")
    try:
        game = Game(loaded, actor, seed=seed, branch_date=branch, player=player)
    except GameError as exc:
        raise fail(str(exc)) from None

    unsaved: list[str] = []  # why the last save failed, if it did

    def save() -> None:
        if record is not None:
            try:
                game.save(record)
                unsaved.clear()
            except OSError as exc:
                unsaved[:] = [str(exc.strerror or exc)]
                errors.print(f"error: cannot save the game to {record}: {unsaved[0]}", markup=False)

    introduce(game, loaded, actor)
    game.to_branch_point()
    try:
        stopped = _play_days(game, hints, save)
    except KeyboardInterrupt:
        stopped = "interrupted"
    save()
    if unsaved:  # a failed save is an error, never "saved"
        raise fail(f"--record: the game could not be saved to {record} ({unsaved[0]})", code=1)
    if not game.finished:
        console.print()
        console.print(
            f"[bold]Game stopped[/] ({stopped}) before {game.next_date}: "
            f"{len(game.choices)} of {game.turns} days played."
        )
        if record is not None:
            console.print(f"What was played is saved to {record}.", markup=False)
        return
    console.print()
    if runs:
        console.print(f"[dim]running the model {runs} times from the same branch point for the debrief...[/]")
    print_debrief(game.debrief(runs=runs))
    if record is not None:
        console.print(
            f"saved the game to {record}; `escalation-sim debrief {record}` summarises it with others", markup=False
        )


def introduce(game: Any, loaded: Any, actor: str) -> None:
    """The game's opening lines: the crisis, whom the player and the model play, and the keys."""
    from ..classroom.terminal import HELP

    console.print(f"[bold]{escape(loaded.title)}[/]")
    console.print(
        f"You play [bold]{escape(actor)}[/] ({escape(game.actor.spec.name)}); "
        f"the model plays {escape(', '.join(a for a in loaded.actors if a != actor))}. "
        f"History replays up to {game.model.branch_date}; from then on you decide, {game.turns} days in all."
    )
    console.print(f"[dim]{HELP}[/]")


def _play_days(game: Any, hints: bool, save: Any) -> str:
    """Play day after day from the terminal until the game ends (""), or why it stopped."""
    from ..classroom.game import LET_MODEL_CHOOSE
    from ..classroom.session import last_choice

    while not game.finished:
        show_situation(game, hints)
        command = _read_command(game)
        if command is None:
            return "end of input"
        if command.kind == "quit":
            return "you stopped the game"
        if command.kind == "wait":
            held = game.hold_until_news(command.days)
            console.print(f"[dim]held for {held} day{'s' * (held != 1)}[/]")
            if game.held_news and not game.finished:
                console.print(f"[bold yellow]stopped on {game.held_news[0].date}: this involves you[/]")
                for record in game.held_news:
                    console.print(f"  {game.describe(record)}", markup=False)
        elif command.kind == "auto":
            while not game.finished:
                game.play(LET_MODEL_CHOOSE)
                console.print(f"  the model played you: {last_choice(game.choices)}", markup=False)
                save()
        else:
            game.play(
                command.option if command.kind == "option" else LET_MODEL_CHOOSE if command.kind == "model" else None
            )
            if command.kind == "model":
                console.print(f"[dim]the model chose for you:[/] {escape(last_choice(game.choices) or '')}")
        save()
    return ""


def _read_command(game: Any) -> Any:
    """Prompt until the player types something on the list (help is shown, not returned); None at end of input."""
    from ..classroom.game import ChoiceError
    from ..classroom.terminal import HELP, parse_command

    while True:
        console.print(
            f"[bold]{game.next_date} - your choice[/] (0-{len(game.actor.options) - 1}, "
            "Enter hold, m model, a auto, w wait, q quit, ? help): ",
            end="",
        )
        line = read_line()
        if line is None:
            console.print()
            return None
        if line is TOO_LONG:
            errors.print(
                f"that line is over {MAX_COMMAND} characters; type an option's number, Enter, m, w, q or ?",
                style="yellow",
                markup=False,
                soft_wrap=True,
            )
            continue
        if not sys.stdin.isatty():  # a scripted game: show what was typed, as a terminal would
            console.print(line.rstrip("\n"), markup=False)
        try:
            command = parse_command(line, game)
        except ChoiceError as exc:
            errors.print(str(exc), style="yellow", markup=False, soft_wrap=True)
            continue
        if command.kind == "help":
            console.print(HELP)
            continue
        return command


# --- debrief -------------------------------------------------------------------------------------------------


def debrief(
    files: Annotated[list[Path], typer.Argument(help="Saved games (from `play --record`).")],
    runs: Annotated[
        int,
        typer.Option(min=0, max=MAX_CLASS_RUNS, help="Model runs per scenario to compare the class with (0: none)."),
    ] = 200,
    top: Annotated[int, typer.Option(min=1, help="How many of the most frequent choices to list per day.")] = 3,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Summarise a class's games for the instructor: outcomes, the most frequent choices each day, history.

    Files that cannot be read are reported and skipped; exit 2 if none can be read.
    """
    from ..classroom.debrief import class_debrief
    from ..classroom.saved import GameError
    from ..classroom.session_file import read_games

    loaded = []
    notes: list[str] = []  # a class session's injects, said after the summaries
    for path in files:
        try:
            loaded.extend(read_games(path, notes))
        except GameError as exc:
            errors.print(f"[yellow]skipped:[/] {escape(str(exc))}", soft_wrap=True)
    if not loaded:
        raise fail(
            "no saved game could be read; record games with `escalation-sim play SCENARIO --as ACTOR --record FILE`"
            " or download a class session from the app's instructor page"
        )
    summaries = class_debrief(loaded, runs=runs, top=top)
    if as_json:
        print(json.dumps([plain(asdict(s)) for s in summaries], indent=2))
        return
    for s in summaries:
        print_class(s)
    for line in notes:
        console.print(line, markup=False, soft_wrap=True)


# --- registration --------------------------------------------------------------------------------------------


def register(app: typer.Typer) -> None:
    app.command(
        name="play",
        rich_help_panel=CLASSROOM,
        epilog=examples(
            "escalation-sim play scenarios/jan2020.yaml --as IRN",
            "escalation-sim play jan2020 --as USA --seed 3 --player ana --record games/ana.json",
            "escalation-sim play jan2020 --as IRN --branch-date 2019-12-29 --hints",
            "escalation-sim play jan2020 --as IRN --set 'actors.USA.rule={name: restraint}'",
            note="Each day: a number picks an option, Enter holds, m lets the model decide, w waits, q stops.",
        ),
    )(play)
    app.command(
        name="debrief",
        rich_help_panel=CLASSROOM,
        epilog=examples(
            "escalation-sim debrief games/*.json",
            "escalation-sim debrief games/*.json --runs 500 --top 5",
            "escalation-sim debrief games/*.json --runs 0 --json > class.json",
            "escalation-sim debrief session-1a2b3c4d.json   # a class session downloaded from the app",
        ),
    )(debrief)
