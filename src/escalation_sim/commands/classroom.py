"""Classroom commands: `app` (the web app), `play` (take one actor's decisions) and `debrief` (a class's games).

Terminal input and output only; the game itself is `escalation_sim.play`, shared with the app's buttons.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
import subprocess
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ..scenario import Scenario, ScenarioError, load_scenario, scenario_paths

console = Console(highlight=False)
errors = Console(stderr=True, highlight=False)

LOOPBACK = "127.0.0.1"


def _fail(message: str) -> typer.Exit:
    errors.print(f"[bold red]error:[/] {message}", soft_wrap=True)
    return typer.Exit(2)


def _load(name: str) -> tuple[Path, Scenario]:
    """A scenario by path or by the name of a shipped scenario, validated; exit 2 with the reason if not."""
    path = Path(name)
    if not path.exists():
        shipped = scenario_paths()
        if name not in shipped:
            raise _fail(
                f"{name}: no such file, and no shipped scenario of that name "
                f"(shipped: {', '.join(shipped) or 'none found'}); `escalation-sim list` shows them"
            )
        path = shipped[name]
    try:
        return path, load_scenario(path)
    except ScenarioError as exc:
        raise _fail(str(exc)) from None


def _date(value: str | None, option: str, scenario: Scenario) -> dt.date | None:
    if value is None:
        return None
    try:
        date = dt.date.fromisoformat(value)
    except ValueError:
        raise _fail(f"{option}: {value!r} is not a date; expected YYYY-MM-DD") from None
    if not (scenario.start_date <= date <= scenario.end_date):
        raise _fail(f"{option}: {date} lies outside {scenario.start_date} - {scenario.end_date}; pick a day inside it")
    return date


# --- play ----------------------------------------------------------------------------------------------------


def play(
    scenario: Annotated[str, typer.Argument(help="Scenario file, or the name of a shipped scenario.")],
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
        int, typer.Option(min=0, help="Model runs to place your outcome in at the end (0: no distribution).")
    ] = 200,
) -> None:
    """Take one actor's decisions, day by day from the branch point; the model plays everyone else.

    Each day shows what happened, whom you hold responsible, the costs in view and your options. At the end, a
    debrief compares your path with history's and places your outcome among the model's own runs.
    """
    from ..play import HELP, LET_MODEL_CHOOSE, ChoiceError, Game, GameError, parse_command

    _, loaded = _load(scenario)
    branch = _date(branch_date, "--branch-date", loaded)
    if record is not None:
        if record.exists() and not overwrite:
            raise _fail(f"--record: {record} exists; choose another file name or add --overwrite")
        if not record.parent.is_dir():
            raise _fail(f"--record: folder {record.parent} does not exist; create it or choose another path")
    try:
        game = Game(loaded, actor, seed=seed, branch_date=branch, player=player)
    except GameError as exc:
        raise _fail(str(exc)) from None

    def save() -> None:
        if record is not None:
            try:
                game.save(record)
            except OSError as exc:
                errors.print(f"[bold red]error:[/] cannot save the game to {record}: {exc.strerror}")

    spec = game.actor.spec
    console.print(f"[bold]{loaded.title}[/]")
    console.print(
        f"You play [bold]{actor}[/] ({spec.name}); "
        f"the model plays {', '.join(a for a in loaded.actors if a != actor)}. "
        f"History replays up to {game.model.branch_date}; from then on you decide, {game.turns} days in all."
    )
    console.print(f"[dim]{HELP}[/]")
    game.to_branch_point()
    stopped = ""
    try:
        while not game.finished:
            _show_situation(game, hints)
            while True:
                console.print(f"[bold]{game.next_date} - your choice[/] (0-{len(game.actor.options) - 1}, "
                              "Enter hold, m model, w wait, q quit, ? help): ", end="")  # fmt: skip
                line = sys.stdin.readline()
                if not line:
                    console.print()
                    stopped = "end of input"
                    break
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
                break
            if stopped:
                break
            if command.kind == "quit":
                stopped = "you stopped the game"
                break
            if command.kind == "wait":
                held = game.hold_until_news(command.days)
                console.print(f"[dim]held for {held} day{'s' * (held != 1)}[/]")
            else:
                game.play(command.option if command.kind == "option" else
                          LET_MODEL_CHOOSE if command.kind == "model" else None)  # fmt: skip
            save()
    except KeyboardInterrupt:
        stopped = "interrupted"
    save()
    if not game.finished:
        console.print()
        console.print(
            f"[bold]Game stopped[/] ({stopped}) before {game.next_date}: "
            f"{len(game.choices)} of {game.turns} days played."
        )
        if record is not None:
            console.print(f"What was played is saved to {record}.")
        return
    console.print()
    if runs:
        console.print(f"[dim]running the model {runs} times from the same branch point for the debrief...[/]")
    print_debrief(game.debrief(runs=runs))
    if record is not None:
        console.print(f"saved the game to {record}; `escalation-sim debrief {record}` summarises it with others")


def _show_situation(game: Any, hints: bool) -> None:
    s = game.situation()
    console.rule(f"{s.date}  -  day {s.turn} of {s.turns}  -  you are {s.actor_id} ({s.actor_name})")
    console.print("[bold]What happened[/]" + (" (the story so far)" if s.turn == 1 else " since your last turn"))
    for line in s.happened or ["nothing"]:
        console.print(f"  {line}", markup=False)
    console.print("[bold]Who you hold responsible[/]")
    for line in s.blame:
        console.print(f"  {line}", markup=False)
    console.print("[bold]Costs in view[/]")
    for line in s.costs:
        console.print(f"  {line}", markup=False)
    table = Table(title="Your options", title_justify="left", show_edge=False, pad_edge=False)
    table.add_column("#", justify="right")
    table.add_column("option")
    table.add_column("rung", justify="right")
    table.add_column("force")
    table.add_column("expected deaths", justify="right")
    if hints:
        table.add_column("model p", justify="right")
    for o in s.options:
        style = None if o.available else "dim"
        name = o.text if o.available else f"{o.text} (open again in {o.cooling_days} d)"
        row = [
            str(o.index),
            escape(name),
            str(o.rung),
            "yes" if o.force else "",
            f"{o.expected_killed:g}" if o.force else "",
        ]
        if hints:
            row.append(f"{o.model_probability:.2f}")
        table.add_row(*row, style=style)
    console.print(table)


def print_debrief(debrief: Any) -> None:
    d = debrief
    console.rule(f"Debrief: {d.player or 'you'} as {d.actor}  -  {d.scenario_title}")
    o = d.outcome
    if d.finished:
        deaths = o.get("hostile_deaths")
        calm = o.get("days_to_calm")
        console.print(
            f"[bold]Your outcome: {o['outcome']}[/] (highest rung after {d.branch_date}: {o.get('max_rung')}, "
            f"deaths in hostile acts: {deaths}, "
            + (f"calm {calm} days after the branch point)" if calm is not None else "never calm)")
        )
    else:
        console.print(f"[bold]Unfinished game[/]: {d.days_played} of {d.turns} days played")
    h = d.history
    console.print(
        f"History's outcome: {h.outcome} (highest rung after {d.branch_date}: {h.max_rung}, "
        f"deaths in hostile acts: {h.hostile_deaths})"
    )
    table = Table(title="Your path against history's", title_justify="left")
    table.add_column("date")
    table.add_column("you")
    table.add_column(f"history's {d.actor}")
    dates = sorted({s.date for s in d.your_path} | {s.date for s in h.path})
    for date in dates:
        yours = "; ".join(f"{s.text} ({s.note})" if s.note else s.text for s in d.your_path if s.date == date)
        theirs = "; ".join(f"{s.text} ({s.note})" if s.note else s.text for s in h.path if s.date == date)
        table.add_row(date.isoformat(), escape(yours) or "[dim]hold[/]", escape(theirs))
    if not dates:
        table.add_row("", "you held every day", "history's actor did nothing either")
    console.print(table)
    if d.model_agreement is not None:
        console.print(f"On average the model's rule gave your own picks p={d.model_agreement:.2f}.")
    p = d.placement
    if p is None:
        return
    shares = ", ".join(f"{k} {100 * v:.0f}%" for k, v in p.outcome_shares.items())
    console.print(f"[bold]The model from the same branch point[/] ({p.runs} runs): {shares}.")
    if d.finished:
        console.print(
            f"  Your outcome ({o['outcome']}) happens in {100 * (p.your_outcome_share or 0):.0f}% of the model's runs. "
            f"Your deaths: more than in {100 * p.deaths_below:.0f}% of runs, "
            f"fewer than in {100 * p.deaths_above:.0f}%. "
            f"Your highest rung: above {100 * p.rung_below:.0f}% of runs, below {100 * p.rung_above:.0f}%."
        )
        first = (o.get("first_response") or {}).get(d.actor) or "none"
        model_first = ", ".join(f"{k} {100 * v:.0f}%" for k, v in list(p.first_response_shares.items())[:4])
        console.print(
            f"  Your first hostile act: {first}; history's: {h.first_response}; the model's {d.actor}: {model_first}."
        )


# --- debrief -------------------------------------------------------------------------------------------------


def debrief(
    files: Annotated[list[Path], typer.Argument(help="Saved games (from `play --record`).")],
    runs: Annotated[
        int, typer.Option(min=0, help="Model runs per scenario to compare the class with (0: none).")
    ] = 200,
    top: Annotated[int, typer.Option(min=1, help="How many of the most frequent choices to list per day.")] = 3,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Summarise a class's games for the instructor: outcomes, the most frequent choices each day, history.

    Files that cannot be read are reported and skipped; exit 2 if none can be read.
    """
    from ..play import GameError, class_debrief, load_game

    loaded = []
    for path in files:
        try:
            loaded.append((str(path), load_game(path)))
        except GameError as exc:
            errors.print(f"[yellow]skipped:[/] {exc}", soft_wrap=True)
    if not loaded:
        raise _fail(
            "no saved game could be read; record games with `escalation-sim play SCENARIO --as ACTOR --record FILE`"
        )
    summaries = class_debrief(loaded, runs=runs, top=top)
    if as_json:
        print(json.dumps([_plain(asdict(s)) for s in summaries], indent=2))
        return
    for s in summaries:
        _print_class(s)


def _print_class(s: Any) -> None:
    console.rule(f"{s.scenario_title}  -  playing {s.actor} from {s.branch_date}")
    console.print(f"{len(s.games)} game{'s' * (len(s.games) != 1)}, {s.finished} finished.")
    table = Table(title="Outcomes", title_justify="left")
    table.add_column("outcome")
    table.add_column("class", justify="right")
    if s.model_outcome_shares is not None:
        table.add_column(f"model ({s.runs} runs)", justify="right")
    table.add_column("history")
    for name in ("de-escalation", "protracted", "war", "unfinished"):
        count = s.outcomes.get(name, 0)
        if name == "unfinished" and not count:
            continue
        row = [name, str(count)]
        if s.model_outcome_shares is not None:
            share = s.model_outcome_shares.get(name)
            row.append(f"{100 * share:.0f}%" if share is not None else "")
        row.append("<- history" if s.history.outcome == name else "")
        table.add_row(*row)
    console.print(table)
    firsts = ", ".join(f"{name} x{n}" for name, n in s.first_responses)
    console.print(
        f"First hostile acts: {firsts}; history's: {s.history.first_response}"
        + (f" (day {s.history.first_response_day + 1})" if s.history.first_response_day is not None else "")
    )
    table = Table(title="Most frequent choices, day by day (days when anyone acted or history did)",
                  title_justify="left")  # fmt: skip
    table.add_column("date")
    table.add_column("games", justify="right")
    table.add_column("class's most frequent choices")
    table.add_column(f"history's {s.actor}")
    for point in s.by_date:
        choices = ", ".join(f"{label} x{n}" for label, n in point.top_choices)
        table.add_row(point.date.isoformat(), str(point.played), escape(choices), escape("; ".join(point.history)))
    console.print(table)
    table = Table(title="Games", title_justify="left")
    for col in ("player", "file", "outcome", "top rung", "deaths", "actions", "first hostile act", "model p"):
        table.add_column(col)
    for g in s.games:
        table.add_row(
            escape(g.player), escape(g.source), g.outcome, _text(g.max_rung), _text(g.hostile_deaths), str(g.actions),
            g.first_response, f"{g.model_agreement:.2f}" if g.model_agreement is not None else "",
        )  # fmt: skip
    console.print(table)


def _plain(value: Any) -> Any:
    """Dates (as keys too) to ISO strings, tuples to lists: what json.dumps accepts."""
    if isinstance(value, dict):
        return {str(k) if isinstance(k, dt.date) else k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _text(value: object) -> str:
    return "" if value is None else str(value)


# --- app -----------------------------------------------------------------------------------------------------


def app(
    scenario: Annotated[str, typer.Argument(help="Scenario to open first (file or shipped name).")] = "jan2020",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to serve on.")] = 8765,
    host: Annotated[
        str,
        typer.Option(
            help="Address to listen on. The default serves this computer only; 0.0.0.0 exposes "
            "the app to the whole network."
        ),
    ] = LOOPBACK,
    open_browser: Annotated[bool, typer.Option("--open/--no-open", help="Open a browser tab.")] = False,
) -> None:
    """Serve the classroom web app (Mesa SolaraViz): sliders, step/play/reset, timeline, decision trace,
    actor network, and play-as-an-actor with buttons. Front-end files are served locally (works offline).
    """
    path, _ = _load(scenario)
    try:
        import solara  # noqa: F401
        import solara_assets  # noqa: F401  # the front end, so that no page asks a CDN
    except ImportError as exc:
        raise _fail(
            f"the app needs the 'app' extra ({exc.name} is missing): pip install 'escalation-sim[app]'"
        ) from None
    if host in ("0.0.0.0", "::"):
        errors.print(f"[yellow]warning:[/] --host {host} serves the app to every machine that can reach this one")
    try:
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server does: TIME_WAIT is fine
            probe.bind((host, port))
    except OSError as exc:
        raise _fail(
            f"cannot listen on {host}:{port} ({exc.strerror}); pass another --port, e.g. --port {port + 1}"
        ) from None
    env = dict(os.environ)
    env.update(app_environment(path))
    command = [
        sys.executable, "-m", "solara", "run", "escalation_sim.app:Page", "--host", host, "--port", str(port),
        "--production", "--open" if open_browser else "--no-open", "--log-level", "warning",
    ]  # fmt: skip
    console.print(f"serving {path} at http://{host}:{port}/  (Ctrl-C stops it)")
    try:
        code = subprocess.call(command, env=env)
    except KeyboardInterrupt:
        code = 0
    raise typer.Exit(code)


def app_environment(scenario_path: Path) -> dict[str, str]:
    """Environment of the app's server: the scenario to open, and no telemetry leaving the machine."""
    return {
        "ESCALATION_SIM_APP_SCENARIO": str(scenario_path.resolve()),
        "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False",
        "MPLBACKEND": "Agg",
    }


# --- registration --------------------------------------------------------------------------------------------


def register(cli: typer.Typer) -> None:
    cli.command(
        name="play",
        epilog="Examples:\n\n"
        "  escalation-sim play scenarios/jan2020.yaml --as IRN\n\n"
        "  escalation-sim play jan2020 --as USA --seed 3 --player ana --record games/ana.json\n\n"
        "  escalation-sim play jan2020 --as IRN --branch-date 2019-12-29 --hints\n\n"
        "Each day: a number picks an option, Enter holds, m lets the model decide, w waits, q stops.",
    )(play)
    cli.command(
        name="debrief",
        epilog="Examples:\n\n"
        "  escalation-sim debrief games/*.json\n\n"
        "  escalation-sim debrief games/*.json --runs 500 --top 5\n\n"
        "  escalation-sim debrief games/*.json --runs 0 --json > class.json",
    )(debrief)
    cli.command(
        name="app",
        epilog="Examples:\n\n"
        "  escalation-sim app                      # jan2020 at http://127.0.0.1:8765/\n\n"
        "  escalation-sim app scenarios/two_state.yaml --port 8800\n\n"
        "  escalation-sim app jan2020 --open       # and open a browser tab",
    )(app)
