"""Scenarios: `validate` files, `list` what is shipped (scenarios, rules, the ladder), print the `schema`."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from ..scenario import Scenario, ScenarioError, default_ladder, json_schema, load_scenario, scenario_paths
from .common import SCENARIOS, check_output, console, errors, examples, fail, plain


def validate(
    files: Annotated[list[Path], typer.Argument(help="Scenario or sweep files to check, or shipped names.")],
) -> None:
    """Check scenario files against the schema and each other's references, and sweep files (a `base:` and no
    `actors:`) with their base scenario and every design point's scenario, without running anything; exit 2 if
    any is invalid. Exactly the files `run` accepts are valid; a history `score` could not score (an event no
    actor could have chosen) is a warning."""
    bad = 0
    shipped = scenario_paths() if any(not p.exists() for p in files) else {}
    for path in files:
        if not path.exists() and str(path) in shipped:  # a shipped name, as `run` takes it (`validate jan2020`)
            path = shipped[str(path)]
        if _is_sweep_file(path):
            bad += not _validate_sweep(path)
            continue
        try:
            scenario = load_scenario(path)
        except ScenarioError as exc:
            errors.print(str(exc), highlight=False, soft_wrap=True, markup=False)
            bad += 1
            continue
        _warn_unchoosable(path, scenario)
        console.print(
            f"{path}: ok ({len(scenario.actors)} actors, {len(scenario.events)} events, "
            f"{scenario.start_date} - {scenario.end_date})",
            soft_wrap=True,  # one line per file, whatever the width: easy to grep
            markup=False,
        )
    if bad:
        raise typer.Exit(2)


def _is_sweep_file(path: Path) -> bool:
    """A sweep file names its `base` scenario at the top level and has no `actors` or `extends` (read as text:
    no YAML is parsed here, the loaders do that under their own limits). The text is read under the input policy
    (a regular file of bounded size, never blocking on a FIFO or reading a device without end); a file that breaks
    it is not a sweep file here, and the scenario loader reports why."""
    import re

    from ..files import read_text_file

    try:
        text = read_text_file(path)
    except (OSError, ValueError):  # FileProblem included: not a regular file, too large, not UTF-8
        return False
    keys = set(re.findall(r"^([A-Za-z_]+)\s*:", text, flags=re.MULTILINE))
    return "base" in keys and not keys & {"actors", "extends"}


def _validate_sweep(path: Path) -> bool:
    """Load a sweep file and build every design point's scenario (no runs); print ok or the problems."""
    from ..scenario import apply_edits, validate_scenario_data
    from ..sweep import SweepError, load_sweep, make_points

    try:
        sweep = load_sweep(path)
        points = make_points(sweep)
    except (SweepError, ScenarioError) as exc:
        errors.print(str(exc), highlight=False, soft_wrap=True, markup=False)
        return False
    problems: dict[str, str] = {}
    for point in points:
        key = point.edits_key()
        if key in problems:
            continue
        try:
            data = apply_edits(sweep.base_data, point.changes, point.remove_events)
            validate_scenario_data(data, f"{path} point {point.index}")
            problems[key] = ""
        except (ScenarioError, ValueError) as exc:
            problems[key] = f"point {point.index} ({point.counterfactual}, {point.values}): {exc}"
    failed = [p for p in problems.values() if p]
    for problem in failed[:5]:
        errors.print(f"{path}: {problem}", highlight=False, soft_wrap=True, markup=False)
    if failed:
        errors.print(
            f"{path}: {len(failed)} of {len(problems)} distinct point scenarios are invalid; fix the "
            "sweep's values or the base scenario",
            highlight=False,
            soft_wrap=True,
            markup=False,
        )
        return False
    spec = sweep.spec
    console.print(
        f"{path}: ok (sweep of {sweep.base_path.name}: {len(points)} points x {spec.replicates} "
        f"replicates = {len(points) * spec.replicates} runs, {spec.design.kind} design; every point's "
        "scenario is valid)",
        highlight=False,
        soft_wrap=True,
        markup=False,
    )
    return True


def _warn_unchoosable(path: Path, scenario) -> None:
    """A historical event no actor could have chosen: the scenario runs (history replays as recorded), so it is
    valid and `validate` agrees with `run`; but `score` cannot score it, so say so, as a warning."""
    from ..score import unchoosable

    for problem in unchoosable(scenario):
        errors.print(
            f"{path}: warning: {problem}; `escalation-sim score` will refuse this record",
            highlight=False,
            soft_wrap=True,
            markup=False,
        )


def list_(as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False) -> None:
    """List shipped scenarios, deterrence rules (with their traits) and the actions of the default ladder."""
    from ..rules import RULES, RuleParams

    scenarios = {}
    for name, path in scenario_paths().items():
        try:
            scenarios[name] = _case_info(path, load_scenario(path))
        except ScenarioError as exc:
            scenarios[name] = {"path": str(path), "title": f"INVALID: {exc.problems[0]}"}
    rules = {
        name: {"description": cls.description, **cls.classifier, "parameters": _parameters(cls.Params)}
        for name, cls in sorted(RULES.items())
    }
    ladder = {
        k: {"rung": a.rung, "label": a.label, "cameo": a.cameo, "goldstein": a.goldstein, "mid_level": a.mid_level}
        for k, a in default_ladder().items()
    }
    if as_json:
        print(json.dumps({"scenarios": scenarios, "rules": rules, "ladder": ladder}, indent=2, default=str))
        return
    cases = {name: info for name, info in scenarios.items() if info.get("split")}
    t = Table(title="Scenarios", title_justify="left")
    t.add_column("name", no_wrap=True)
    t.add_column("title", overflow="fold")
    t.add_column("file", overflow="fold")
    for name, info in scenarios.items():
        if name not in cases:
            t.add_row(plain(name), plain(info["title"]), plain(info["path"]))
    console.print(t)
    if cases:
        t = Table(
            title="Crisis library (scenarios/library: real cases, fitted on train, measured on test)",
            title_justify="left",
        )
        t.add_column("name", no_wrap=True)
        t.add_column("split", no_wrap=True)
        t.add_column("history", no_wrap=True)
        t.add_column("the question it teaches", overflow="fold")
        for name, info in cases.items():
            t.add_row(name, info["split"], info["observed_outcome"] or "", info["question"] or "")
        console.print(t)
    t = Table(title="Deterrence rules", title_justify="left")
    t.add_column("rule", no_wrap=True)
    for col in ("description", "parameters (default)", "memory", "stochastic", "attribution", "costs", "escalatory"):
        t.add_column(col, overflow="fold")
    shared = set(RuleParams.model_fields)
    for name, info in rules.items():
        own = ", ".join(
            f"{k}={v.get('default', '(required)')}" for k, v in info["parameters"].items() if k not in shared
        )
        t.add_row(
            name,
            info["description"],
            own or "-",
            str(info["memory_depth"]),
            _yes(info["stochastic"]),
            _yes(info["uses_attribution"]),
            _yes(info["uses_costs"]),
            _yes(info["escalatory"]),
        )
    console.print(t)
    common = ", ".join(f"{k}={f.default}" for k, f in RuleParams.model_fields.items())
    console.print(
        f"[dim]every rule also takes {common}; `escalation-sim list --json` gives each parameter's "
        "meaning and bounds; set one in a scenario as rule: {name: proportional, margin: 1}[/]",
        highlight=False,
    )
    t = Table(title="Default escalation ladder", title_justify="left")
    for col in ("rung", "action", "label", "CAMEO", "Goldstein", "MID level"):
        t.add_column(col, no_wrap=col in ("action", "rung"))
    for key, a in sorted(default_ladder().items(), key=lambda kv: kv[1].rung):
        t.add_row(str(a.rung), key, a.label, a.cameo or "", f"{a.goldstein:+.1f}", str(a.mid_level))
    console.print(t)


def _case_info(path: Path, scenario: Scenario) -> dict[str, str | None]:
    """What `list` says of a scenario: a library case also gives its split, its history and its question."""
    return {
        "path": str(path),
        "title": scenario.title,
        "split": scenario.split,
        "observed_outcome": scenario.observed_outcome,
        "question": scenario.card.question if scenario.card is not None else None,
    }


def _parameters(params: type) -> dict[str, dict[str, object]]:
    """A rule's parameters (the `name` field aside): default, bounds and the reason for the default, as the
    JSON Schema of its Params model gives them (composite rules refer to their own definition)."""
    schema = params.model_json_schema()  # type: ignore[attr-defined]
    if "properties" not in schema and "$ref" in schema:
        schema = schema["$defs"][schema["$ref"].rsplit("/", 1)[-1]]
    keep = ("default", "minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum", "description")
    return {k: {f: v[f] for f in keep if f in v} for k, v in schema.get("properties", {}).items() if k != "name"}


def _yes(flag: bool) -> str:
    return "yes" if flag else ""


def schema(
    out: Annotated[Path | None, typer.Option(help="Write to this file instead of standard output.")] = None,
) -> None:
    """Print the JSON Schema of scenario files, for editors' autocompletion and checking."""
    from ..files import write_text

    check_output(out, "--out")
    text = json.dumps(json_schema(), indent=2) + "\n"
    if out is None:
        sys.stdout.write(text)
    else:
        try:
            write_text(out, text)
        except OSError as exc:
            raise fail(f"--out: cannot write {out} ({exc.strerror or exc}); choose another file") from None
        console.print(f"wrote {out}", markup=False)


def register(app: typer.Typer) -> None:
    app.command(
        rich_help_panel=SCENARIOS,
        epilog=examples(
            "escalation-sim validate scenarios/*.yaml",
            "escalation-sim validate my_crisis.yaml",
        ),
    )(validate)
    app.command(
        name="list",
        rich_help_panel=SCENARIOS,
        epilog=examples(
            "escalation-sim list",
            "escalation-sim list --json",
        ),
    )(list_)
    app.command(
        rich_help_panel=SCENARIOS,
        epilog=examples(
            "escalation-sim schema > scenario.schema.json",
            "escalation-sim schema --out scenario.schema.json   # what tests/cli/test_cli.py compares with",
            note="Then put  # yaml-language-server: $schema=scenario.schema.json  at the top of a scenario file.",
        ),
    )(schema)
