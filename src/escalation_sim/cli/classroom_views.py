"""How the classroom looks in a terminal: a day's briefing, a game's debrief and a class's summary, with rich."""

from __future__ import annotations

import datetime as dt
import sys
from typing import Any

from rich.markup import escape
from rich.table import Table

from ..display import format_probability
from .common import console

MAX_COMMAND = 200  # characters of one typed command ("3", "w 5", "?"): a longer line is refused, not parsed
TOO_LONG = "\0too long"  # what read_line gives for a line over MAX_COMMAND characters


def show_situation(game: Any, hints: bool) -> None:
    s = game.situation()
    console.rule(escape(f"{s.date}  -  day {s.turn} of {s.turns}  -  you are {s.actor_id} ({s.actor_name})"))
    console.print("[bold]What happened[/]" + (" (the story so far)" if s.turn == 1 else " since your last turn"))
    for line in s.happened or ["nothing"]:
        console.print(f"  {line}", markup=False)
    console.print("[bold]Who you hold responsible[/]")
    for line in s.blame:
        console.print(f"  {line}", markup=False)
    from ..classroom.briefing import belief_words

    beliefs = belief_words(game.actor)
    if beliefs:
        console.print("[bold]What you believe[/]")
        for line in beliefs:
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
            row.append(format_probability(o.model_probability))
        table.add_row(*row, style=style)
    console.print(table)


def print_debrief(debrief: Any) -> None:
    d = debrief
    console.rule(escape(f"Debrief: {d.player or 'you'} as {d.actor}  -  {d.scenario_title}"))
    o = d.outcome
    if d.finished:
        deaths = o.get("hostile_deaths")
        calm = o.get("days_to_calm")
        console.print(
            f"[bold]Your outcome: {escape(str(o['outcome']))}[/] "
            f"(highest rung after {d.branch_date}: {o.get('max_rung')}, "
            f"deaths in hostile acts: {deaths}, "
            + (f"calm {calm} days after the branch point)" if calm is not None else "never calm)")
        )
    else:
        console.print(f"[bold]Unfinished game[/]: {d.days_played} of {d.turns} days played")
    h = d.history
    console.print(
        f"History's outcome: {h.outcome} (highest rung after {d.branch_date}: {h.max_rung}, "
        f"deaths in hostile acts: {h.hostile_deaths})",
        markup=False,
    )
    print_toll(d)
    table = Table(title="Your path against history's", title_justify="left")
    table.add_column("date")
    table.add_column("you")
    table.add_column(escape(f"history's {d.actor}"))
    dates = sorted({s.date for s in d.your_path} | {s.date for s in h.path})
    for date in dates:
        yours = "; ".join(f"{s.text} ({s.note})" if s.note else s.text for s in d.your_path if s.date == date)
        theirs = "; ".join(f"{s.text} ({s.note})" if s.note else s.text for s in h.path if s.date == date)
        table.add_row(date.isoformat(), escape(yours) or "[dim]hold[/]", escape(theirs))
    if not dates:
        table.add_row("", "you held every day", "history's actor did nothing either")
    console.print(table)
    if d.model_agreement is not None:
        console.print(f"On average the model's rule gave your own picks p={format_probability(d.model_agreement)}.")
    p = d.placement
    if p is None:
        return
    shares = ", ".join(f"{k} {100 * v:.0f}%" for k, v in p.outcome_shares.items())
    console.print(f"[bold]The model from the same branch point[/] ({p.runs} runs): {shares}.")
    if d.finished:
        console.print(
            f"  Your outcome ({escape(str(o['outcome']))}) happens in "
            f"{100 * (p.your_outcome_share or 0):.0f}% of the model's runs. "
            f"Your deaths: more than in {100 * p.deaths_below:.0f}% of runs, "
            f"fewer than in {100 * p.deaths_above:.0f}%. "
            f"Your highest rung: above {100 * p.rung_below:.0f}% of runs, below {100 * p.rung_above:.0f}%."
        )
        first = (o.get("first_response") or {}).get(d.actor) or "none"
        model_first = ", ".join(f"{k} {100 * v:.0f}%" for k, v in list(p.first_response_shares.items())[:4])
        console.print(
            f"  Your first hostile act: {first}; history's: {h.first_response}; the model's {d.actor}: {model_first}.",
            markup=False,
        )


def print_toll(d: Any) -> None:
    """The dead since the branch point, all causes (hostile acts, accidents, incidents), yours and history's."""
    killed = (d.outcome.get("casualties") or {}).get("killed") or {}
    by_nation = ", ".join(f"{k} {v}" for k, v in killed.items() if v) or "none"
    history = ", ".join(f"{k} {v}" for k, v in d.history.killed_after_branch.items() if v) or "none"
    what = "your game" if d.finished else f"your {d.days_played} days"
    console.print(
        f"[bold]Deaths since {d.branch_date}[/] (all causes, accidents included): {what} {d.deaths_after_branch}, "
        + escape(
            f"history {d.history.deaths_after_branch} ({history})"
            + (f". Killed over the whole crisis, by nation, in your game: {by_nation}" if d.finished else "")
        ),
        highlight=False,
    )


def print_class(s: Any) -> None:
    console.rule(escape(f"{s.scenario_title}  -  playing {s.actor} from {s.branch_date}"))
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
        + (f" (day {s.history.first_response_day + 1})" if s.history.first_response_day is not None else ""),
        markup=False,
    )
    table = Table(
        title="Most frequent choices, day by day (days when anyone acted or history did)", title_justify="left"
    )
    table.add_column("date")
    table.add_column("games", justify="right")
    table.add_column("class's most frequent choices")
    table.add_column(escape(f"history's {s.actor}"))
    for point in s.by_date:
        choices = ", ".join(f"{label} x{n}" for label, n in point.top_choices)
        table.add_row(point.date.isoformat(), str(point.played), escape(choices), escape("; ".join(point.history)))
    console.print(table)
    table = Table(title="Games", title_justify="left")
    for col in ("player", "file", "outcome", "top rung", "deaths", "actions", "first hostile act", "model p"):
        table.add_column(col)
    for g in s.games:
        table.add_row(
            escape(g.player),
            escape(g.source),
            escape(g.outcome),
            _text(g.max_rung),
            _text(g.hostile_deaths),
            str(g.actions),
            escape(g.first_response),
            format_probability(g.model_agreement) if g.model_agreement is not None else "",
        )
    console.print(table)


def plain(value: Any) -> Any:
    """Dates (as keys too) to ISO strings, tuples to lists: what json.dumps accepts."""
    if isinstance(value, dict):
        return {str(k) if isinstance(k, dt.date) else k: plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _text(value: object) -> str:
    return "" if value is None else str(value)


def read_line() -> str | None:
    """One typed line, at most MAX_COMMAND characters kept; the rest of a longer line is read and dropped in
    bounded pieces (a 1 MB paste must not be parsed, or held whole). None at the end of input."""
    line = sys.stdin.readline(MAX_COMMAND + 1)
    if not line:
        return None
    if len(line) <= MAX_COMMAND or line.endswith("\n"):
        return line
    while True:
        rest = sys.stdin.readline(64 * 1024)
        if not rest or rest.endswith("\n"):
            break
    return TOO_LONG
