"""What every command shares: the consoles, one way to fail, one way to name a scenario, one date parser.

Bad input exits with status 2 and a message that names the file (or option), the field and what was expected;
never a traceback.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
import time
import traceback
from pathlib import Path
from typing import Annotated, Any

import click
import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.text import Text
from typer.core import TyperGroup

from ..files import output_problem
from ..scenario import Scenario, ScenarioError, load_scenario, scenario_paths
from ..scenario.errors import InputFileError
from ..scenario.policy import read_yaml


class WholeCells(Console):
    """A console whose tables keep every cell whole: piped to a file or another program (where rich assumes 80
    columns), a table is printed as wide as its cells need; on a terminal, long cells fold onto more lines
    instead of being cut with an ellipsis."""

    def print(self, *objects, **kwargs) -> None:  # type: ignore[override]
        from rich.measure import Measurement
        from rich.table import Table

        for item in objects:
            if isinstance(item, Table):
                for column in item.columns:
                    if column.overflow == "ellipsis":
                        column.overflow = "fold"
        tables = [item for item in objects if isinstance(item, Table)]
        if not tables or self.is_terminal:
            super().print(*objects, **kwargs)
            return
        needed = max(Measurement.get(self, self.options.update(max_width=100_000), t).maximum for t in tables)
        width = self._width
        self.width = max(self.width, needed)  # print() never exceeds the console's width: widen it for this call
        try:
            super().print(*objects, **kwargs)
        finally:
            self._width = width


console = WholeCells()
errors = Console(stderr=True)

# help panels of `escalation-sim --help`
RUNS = "Runs"
SCENARIOS = "Scenarios"
SWEEPS = "Sweeps"
CLASSROOM = "Classroom"

MAX_RUNS = 1_000_000  # runs of one in-memory distribution (its table is held in memory: ~1 KB a run)
MAX_WORKERS = 512  # local processes: far above any machine's cores, far below what would exhaust the process table

ScenarioArg = Annotated[str, typer.Argument(help="Scenario file, or the name of a shipped scenario.")]
SetOption = Annotated[
    list[str] | None,
    typer.Option(
        "--set",
        metavar="PATH=VALUE",
        help="Change one value of the scenario before running (repeatable). VALUE is read as YAML: "
        "--set actors.USA.rule.margin=1, --set 'actors.USA.rule={name: restraint}' (a whole rule, defaults "
        "for the rest), --set events.A06.killed='{IRN: 1}'.",
    ),
]


def fail(message: str, code: int = 2) -> typer.Exit:
    """Print `error: message` on standard error; return the Exit to raise (`raise fail(...)`).

    The message is plain text (it quotes file names and values from input files): never read as markup.
    """
    errors.print(Text.assemble(("error:", "bold red"), " ", str(message)), highlight=False, soft_wrap=True)
    return typer.Exit(code)


def plain(value: Any) -> str:
    """Text from input (titles, actor ids, file names) made safe to embed in rich markup: shown as written."""
    return escape(str(value))


def check_output(path: Path | None, option: str, *, folder: bool = False) -> None:
    """Exit 2 naming the option if `path` cannot be written (a device, a folder for a file, not writable)."""
    if path is None:
        return
    problem = output_problem(path, folder=folder)
    if problem:
        raise fail(f"{option}: {problem}")


def check_seed(seed: int, option: str = "--seed") -> None:
    """numpy takes seeds from 0 up; say so instead of numpy's ValueError."""
    if seed < 0 or seed >= 2**63:
        raise fail(f"{option}: expected a whole number from 0 to 2**63 - 1, got {seed}")


class SafeGroup(TyperGroup):
    """The command group: a bug never shows the user a traceback, but a short message and where the report is."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (
            typer.TyperException,
            typer.Exit,
            typer.Abort,
            click.exceptions.Exit,
            click.ClickException,
            click.exceptions.Abort,
            SystemExit,
        ):  # the CLI's own exits and usage errors (exit 2)
            raise
        except KeyboardInterrupt:
            errors.print(Text("interrupted", style="bold red"))
            raise typer.Exit(130) from None
        except Exception as exc:  # the truly unexpected: say so briefly, keep the details in a file
            report = crash_report(exc)
            where = f"the full report is in {report}" if report else "no report could be written"
            raise fail(
                f"unexpected failure ({type(exc).__name__}: {str(exc)[:200]}); {where}. Please report "
                "it with the command you ran.",
                code=1,
            ) from None


def crash_report(exc: BaseException) -> Path | None:
    """Write the traceback and the command line to a private temporary file; its path, or None."""
    try:
        fd, name = tempfile.mkstemp(prefix=f"escalation-sim-crash-{time.strftime('%Y%m%d-%H%M%S')}-", suffix=".txt")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(f"command: {' '.join(sys.argv)}\n\n")
            handle.write("".join(traceback.format_exception(exc)))
        return Path(name)
    except OSError:
        return None


def resolve_scenario(name: str) -> Path:
    """A scenario file by path, or by the name of a shipped scenario (`jan2020`); exit 2 if neither."""
    path = Path(name)
    if path.exists():
        return path
    shipped = scenario_paths()
    if name in shipped:
        return shipped[name]
    raise fail(
        f"{name}: no such file, and no shipped scenario of that name "
        f"(shipped: {', '.join(shipped) or 'none found'}); `escalation-sim list` shows them"
    )


def open_scenario(name: str, sets: list[str] | None = None) -> tuple[Path, Scenario]:
    """A scenario by path or shipped name, validated, with `--set` edits; exit 2 with the reason if it cannot
    be used."""
    path = resolve_scenario(name)
    try:
        loaded = load_scenario(path)
    except ScenarioError as exc:
        raise fail(str(exc)) from None
    return path, apply_sets(loaded, sets or [])


DecisionsOption = Annotated[
    str,
    typer.Option(
        "--decisions",
        metavar="learned|doctrines",
        help="Who decides after the branch. learned (the default since the pre-registered out-of-sample test "
        "chose it, docs/protocol.md): every actor under the quantal rule with the weights fitted on the train "
        "split; doctrines: each actor under the rule its scenario file names (needed for --set on a rule).",
    ),
]


def apply_decisions(scenario: Scenario, decisions: str, sets: list[str] | None) -> Scenario:
    """The scenario as the chosen decision model runs it; exit 2 on an unknown choice, or on a `--set` of a rule
    the learned model would silently replace."""
    if decisions == "doctrines":
        return scenario
    if decisions != "learned":
        raise fail(f"--decisions {decisions!r}: expected learned or doctrines")
    on_rules = [s.partition("=")[0].strip() for s in sets or [] if ".rule" in s.partition("=")[0]]
    if on_rules:
        raise fail(
            f"--set {on_rules[0]}: the learned model replaces every actor's rule, so this edit would have no "
            "effect; add --decisions doctrines to run the scenario's own rules"
        )
    from ..learn.extract import quantal_everywhere

    return quantal_everywhere(scenario)


def parse_sets(sets: list[str]) -> dict[str, object]:
    """`--set PATH=VALUE` options as the scenario's edits (`set:`): VALUE read as YAML; exit 2 if malformed."""
    changes: dict[str, object] = {}
    for item in sets:
        path, sep, text = item.partition("=")
        path = path.strip()
        if not sep or not path:
            raise fail(f"--set {item!r}: expected PATH=VALUE, e.g. --set actors.USA.rule.margin=1")
        try:  # the one input reader: safe tags, bounded depth and aliases, unique keys (as in a file's `set:`)
            changes[path] = read_yaml(text, f"--set {path}", _SetValue)[0]
        except _SetValue as exc:
            shown = text if len(text) <= 60 else text[:60] + "..."
            raise fail(
                f"--set {path}: the value {shown!r} cannot be used ({exc.problems[0]}); quote it for the "
                "shell, e.g. --set 'actors.USA.rule={name: restraint}'"
            ) from None
    return changes


class _SetValue(InputFileError):
    kind = "--set value"


def apply_sets(scenario: Scenario, sets: list[str]) -> Scenario:
    """The scenario with `--set` edits applied and validated (the same edits and errors as a file's `set:`)."""
    if not sets:
        return scenario
    try:
        return scenario.with_edits(parse_sets(sets))
    except ScenarioError as exc:
        raise fail(f"--set: {exc}") from None
    except ValueError as exc:
        raise fail(f"--set: {exc}; fix the PATH (fields as in the scenario file, events by id)") from None


def parse_date(value: str | None, option: str, scenario: Scenario) -> dt.date | None:
    """A date option (YYYY-MM-DD) that must lie inside the scenario; None if not given; exit 2 if bad."""
    if value is None:
        return None
    try:
        date = dt.date.fromisoformat(value)
    except ValueError:
        raise fail(f"{option}: {value!r} is not a date; expected YYYY-MM-DD") from None
    if not (scenario.start_date <= date <= scenario.end_date):
        raise fail(f"{option}: {date} lies outside {scenario.start_date} - {scenario.end_date}; pick a day inside it")
    return date


def examples(*lines: str, note: str = "") -> str:
    """A command's help epilog: its examples, one per paragraph (Typer's markdown keeps them apart)."""
    text = "Examples:\n\n" + "\n\n".join(f"  {line}" for line in lines)
    return text + (f"\n\n{note}" if note else "")


def counted_bar(description: str = "{task.description}", remaining: bool = False) -> Progress:
    """A transient progress bar that counts done of total and the time taken (and, if asked, the time left)."""
    columns = [TextColumn(description), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn()]
    if remaining:
        columns.append(TimeRemainingColumn())
    return Progress(*columns, console=console, transient=True)
