"""What every command shares: the consoles, one way to fail, one way to name a scenario, one date parser.

Bad input exits with status 2 and a message that names the file (or option), the field and what was expected;
never a traceback.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer
import yaml
from rich.console import Console

from ..scenario import Scenario, ScenarioError, load_scenario, scenario_paths


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
    """Print `error: message` on standard error; return the Exit to raise (`raise fail(...)`)."""
    errors.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    return typer.Exit(code)


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


def parse_sets(sets: list[str]) -> dict[str, object]:
    """`--set PATH=VALUE` options as the scenario's edits (`set:`): VALUE read as YAML; exit 2 if malformed."""
    changes: dict[str, object] = {}
    for item in sets:
        path, sep, text = item.partition("=")
        path = path.strip()
        if not sep or not path:
            raise fail(f"--set {item!r}: expected PATH=VALUE, e.g. --set actors.USA.rule.margin=1")
        try:
            changes[path] = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            problem = getattr(exc, "problem", None) or "not valid YAML"
            raise fail(f"--set {path}: the value {text!r} is not valid YAML ({problem}); quote it for the shell, "
                       "e.g. --set 'actors.USA.rule={name: restraint}'") from None  # fmt: skip
    return changes


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
