"""Scenarios: `validate` files, `list` what is shipped (scenarios, rules, the ladder), print the `schema`."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from ..scenario import ScenarioError, default_ladder, json_schema, load_scenario, scenario_paths
from .common import SCENARIOS, console, errors, examples


def validate(files: Annotated[list[Path], typer.Argument(help="Scenario files to check.")]) -> None:
    """Check scenario files against the schema and each other's references; exit 2 if any is invalid."""
    bad = 0
    for path in files:
        try:
            scenario = load_scenario(path)
        except ScenarioError as exc:
            errors.print(str(exc), highlight=False, soft_wrap=True)
            bad += 1
            continue
        if not _history_is_choosable(path, scenario):
            bad += 1
            continue
        console.print(
            f"{path}: ok ({len(scenario.actors)} actors, {len(scenario.events)} events, "
            f"{scenario.start_date} - {scenario.end_date})"
        )
    if bad:
        raise typer.Exit(2)


def _history_is_choosable(path: Path, scenario) -> bool:
    """A historical event no actor could have chosen makes the record unscorable: an error, not a zero."""
    from ..score import unchoosable

    problems = unchoosable(scenario)
    for problem in problems:
        errors.print(f"{path}: {problem}", highlight=False, soft_wrap=True)
    return not problems


def list_(as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False) -> None:
    """List shipped scenarios, deterrence rules (with their traits) and the actions of the default ladder."""
    from ..rules import RULES

    scenarios = {}
    for name, path in scenario_paths().items():
        try:
            scenarios[name] = {"path": str(path), "title": load_scenario(path).title}
        except ScenarioError as exc:
            scenarios[name] = {"path": str(path), "title": f"INVALID: {exc.problems[0]}"}
    rules = {name: {"description": cls.description, **cls.classifier} for name, cls in sorted(RULES.items())}
    ladder = {k: {"rung": a.rung, "label": a.label, "cameo": a.cameo, "goldstein": a.goldstein,
                  "mid_level": a.mid_level} for k, a in default_ladder().items()}  # fmt: skip
    if as_json:
        print(json.dumps({"scenarios": scenarios, "rules": rules, "ladder": ladder}, indent=2, default=str))
        return
    t = Table(title="Scenarios", title_justify="left")
    t.add_column("name")
    t.add_column("title")
    t.add_column("file")
    for name, info in scenarios.items():
        t.add_row(name, info["title"], info["path"])
    console.print(t)
    t = Table(title="Deterrence rules", title_justify="left")
    t.add_column("rule", no_wrap=True)
    for col in ("description", "memory", "stochastic", "attribution", "costs", "escalatory"):
        t.add_column(col, overflow="fold")
    for name, info in rules.items():
        t.add_row(name, info["description"], str(info["memory_depth"]), _yes(info["stochastic"]),
                  _yes(info["uses_attribution"]), _yes(info["uses_costs"]), _yes(info["escalatory"]))  # fmt: skip
    console.print(t)
    t = Table(title="Default escalation ladder", title_justify="left")
    for col in ("rung", "action", "label", "CAMEO", "Goldstein", "MID level"):
        t.add_column(col, no_wrap=col in ("action", "rung"))
    for key, a in sorted(default_ladder().items(), key=lambda kv: kv[1].rung):
        t.add_row(str(a.rung), key, a.label, a.cameo or "", f"{a.goldstein:+.1f}", str(a.mid_level))
    console.print(t)


def _yes(flag: bool) -> str:
    return "yes" if flag else ""


def schema(
    out: Annotated[Path | None, typer.Option(help="Write to this file instead of standard output.")] = None,
) -> None:
    """Print the JSON Schema of scenario files, for editors' autocompletion and checking."""
    text = json.dumps(json_schema(), indent=2) + "\n"
    if out is None:
        sys.stdout.write(text)
    else:
        out.write_text(text)
        console.print(f"wrote {out}")


def register(app: typer.Typer) -> None:
    app.command(rich_help_panel=SCENARIOS, epilog=examples(
        "escalation-sim validate scenarios/*.yaml", "escalation-sim validate my_crisis.yaml",
    ))(validate)  # fmt: skip
    app.command(name="list", rich_help_panel=SCENARIOS, epilog=examples(
        "escalation-sim list", "escalation-sim list --json",
    ))(list_)  # fmt: skip
    app.command(rich_help_panel=SCENARIOS, epilog=examples(
        "escalation-sim schema > scenario.schema.json",
        "escalation-sim schema --out scenario.schema.json   # what tests/cli/test_cli.py compares with",
        note="Then put  # yaml-language-server: $schema=scenario.schema.json  at the top of a scenario file.",
    ))(schema)  # fmt: skip
