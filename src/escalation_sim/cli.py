"""The `escalation-sim` command line: run, validate, list and describe scenarios.

Bad input exits with status 2 and a message that names the file, the field and what was expected.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from . import __version__
from .scenario import ScenarioError, json_schema, load_scenario, scenario_paths

app = typer.Typer(
    name="escalation-sim",
    help="Agent-based simulation of crises between states and armed groups (Mesa).\n\n"
    "Start with:  escalation-sim run scenarios/jan2020.yaml --seed 7 --out runs/demo",
    no_args_is_help=True,
    rich_markup_mode="markdown",
    pretty_exceptions_enable=False,
    add_completion=False,
)
console = Console()
errors = Console(stderr=True)


def fail(message: str, code: int = 2) -> typer.Exit:
    errors.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    return typer.Exit(code)


def resolve_scenario(name: str) -> Path:
    """A scenario file by path, or by the name of a shipped scenario (`jan2020`)."""
    path = Path(name)
    if path.exists():
        return path
    shipped = scenario_paths()
    if name in shipped:
        return shipped[name]
    known = ", ".join(shipped) or "none found"
    raise fail(f"{name}: no such file, and no shipped scenario of that name (shipped: {known})")


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


@app.command(
    epilog="Examples:\n\n"
    "  escalation-sim run scenarios/jan2020.yaml --seed 7 --out runs/demo\n\n"
    "  escalation-sim run jan2020 --branch-date 2019-12-29 --out runs/early\n\n"
    "  escalation-sim run jan2020 --no-branch --out runs/history   # replay history only\n\n"
    "  escalation-sim run scenarios/two_state.yaml --seed 3 --no-figure"
)
def run(
    scenario: Annotated[str, typer.Argument(help="Scenario file, or the name of a shipped scenario.")],
    seed: Annotated[int, typer.Option(help="Seed of the model's random generators.")] = 0,
    out: Annotated[
        Path | None, typer.Option(help="Folder for events.csv, actors.csv, summary.json, timeline.png.")
    ] = None,
    branch_date: Annotated[
        str | None, typer.Option(help="First day the model decides (YYYY-MM-DD); default: the scenario's.")
    ] = None,
    no_branch: Annotated[
        bool, typer.Option("--no-branch", help="Replay history only; the model decides nothing.")
    ] = False,
    figure: Annotated[bool, typer.Option(help="Draw timeline.png.")] = True,
    show: Annotated[int, typer.Option(help="How many of the model's decisions to list.")] = 12,
) -> None:
    """Run one scenario with one seed: replay history to the branch point, let the agents decide after it."""
    from .runner import run as run_scenario
    from .runner import write_run

    path = resolve_scenario(scenario)
    try:
        loaded = load_scenario(path)
    except ScenarioError as exc:
        raise fail(str(exc)) from None
    branch = None
    if branch_date is not None:
        if no_branch:
            raise fail("--branch-date and --no-branch contradict each other: give one of them")
        try:
            branch = dt.date.fromisoformat(branch_date)
        except ValueError:
            raise fail(f"--branch-date: {branch_date!r} is not a date; expected YYYY-MM-DD") from None
        if not (loaded.start_date <= branch <= loaded.end_date):
            raise fail(
                f"--branch-date: {branch} lies outside {path}'s {loaded.start_date} - {loaded.end_date}; "
                "pick a day inside it"
            )
    result = run_scenario(loaded, seed=seed, branch_date=branch, replay_only=no_branch)
    print_summary(result, show)
    if out is not None:
        try:
            written = write_run(result, out)
            if figure:
                from .plots import timeline

                fig = timeline(result.model)
                fig.savefig(out / "timeline.png", dpi=120)
                written.append(out / "timeline.png")
        except OSError as exc:
            raise fail(f"{out}: cannot write the results ({exc.strerror}); choose another --out folder") from None
        console.print(f"wrote {', '.join(str(p) for p in written)}")


def print_summary(result, show: int) -> None:
    s = result.summary
    table = Table(title=f"{result.scenario.title}  (seed {s['seed']})", show_header=False, title_justify="left")
    table.add_column(style="bold")
    table.add_column()
    table.add_row("outcome", s["outcome"])
    table.add_row("branch point", s["branch_date"] or "none: history only")
    table.add_row("highest rung after branch", str(s["max_rung"]))
    table.add_row("days to calm", str(s["days_to_calm"]) if s["days_to_calm"] is not None else "never calm")
    table.add_row("deaths in hostile acts", str(s["hostile_deaths"]))
    killed = ", ".join(f"{k} {v}" for k, v in s["casualties"]["killed"].items()) or "none"
    table.add_row("killed (all causes)", killed)
    table.add_row("retaliations", str(s["retaliations"]))
    first = ", ".join(f"{a}: {r}" for a, r in s["first_response"].items() if r)
    table.add_row("first hostile act after branch", first or "none")
    console.print(table)
    events = result.events
    decided = events[events["origin"] == "model"]
    if show and len(decided):
        console.print("[bold]The model's decisions[/] (probability the rule gave the action taken, and why):")
        for _, row in decided.head(show).iterrows():
            target = f" -> {row['target']}" if row["target"] else ""
            console.print(
                f"  {row['date']}  {row['actor']:>4} {row['action']}{target}  p={row['probability']:.2f}  "
                f"[dim]{row['reason']}[/]",
                highlight=False,
            )
        if len(decided) > show:
            console.print(f"  ... and {len(decided) - show} more in events.csv (--show N lists more)")


@app.command(
    epilog="Examples:\n\n"
    "  escalation-sim distribution jan2020 -n 1000\n\n"
    "  escalation-sim distribution jan2020 -n 1000 --actor IRN --actor USA --csv runs/dist.csv\n\n"
    "  escalation-sim distribution jan2020_no_soleimani -n 500 --workers 1"
)
def distribution(
    scenario: Annotated[str, typer.Argument(help="Scenario file, or the name of a shipped scenario.")],
    runs: Annotated[int, typer.Option("-n", "--runs", min=1, help="How many runs (seeds).")] = 1000,
    seed: Annotated[int, typer.Option(help="Root seed: run r's seed derives from it (numpy SeedSequence).")] = 0,
    workers: Annotated[int, typer.Option(min=1, help="Processes to use.")] = 2,
    branch_date: Annotated[str | None, typer.Option(help="First day the model decides (YYYY-MM-DD).")] = None,
    actor: Annotated[
        list[str] | None, typer.Option(help="Actors whose first and strongest responses to tabulate (repeatable).")
    ] = None,
    csv: Annotated[Path | None, typer.Option(help="Also write one row per run as CSV.")] = None,
) -> None:
    """Run a scenario many times from its branch point: outcome shares with 95% Wilson intervals, and what
    each actor did first and at its strongest."""
    from .sweep import distribution as run_distribution
    from .sweep import shutdown_pools
    from .sweep_analysis import wilson_interval

    path = resolve_scenario(scenario)
    try:
        loaded = load_scenario(path)
    except ScenarioError as exc:
        raise fail(str(exc)) from None
    branch = loaded.branch_date
    if branch_date is not None:
        try:
            branch = dt.date.fromisoformat(branch_date)
        except ValueError:
            raise fail(f"--branch-date: {branch_date!r} is not a date; expected YYYY-MM-DD") from None
        if not (loaded.start_date <= branch <= loaded.end_date):
            raise fail(f"--branch-date: {branch} lies outside {loaded.start_date} - {loaded.end_date}")
    unknown = [a for a in actor or [] if a not in loaded.actors]
    if unknown:
        raise fail(f"--actor: unknown {', '.join(unknown)}; the scenario's actors: {', '.join(loaded.actors)}")
    try:
        frame = run_distribution(loaded, n=runs, seed=seed, workers=workers, branch_date=branch)
    finally:
        shutdown_pools()
    failed = int(frame["error"].notna().sum())
    ok = frame[frame["error"].isna()]
    t = Table(title=f"{loaded.title}: {len(ok)} runs from {branch or 'the start'} (seed {seed})",
              title_justify="left")  # fmt: skip
    for col in ("outcome", "runs", "share", "95% interval"):
        t.add_column(col)
    for outcome in ("de-escalation", "protracted", "war"):
        k = int((ok["outcome"] == outcome).sum())
        low, high = wilson_interval(k, len(ok))
        t.add_row(outcome, str(k), f"{k / max(1, len(ok)):.1%}", f"{low:.1%} - {high:.1%}")
    console.print(t)
    for actor_id in actor or list(loaded.actors)[:2]:
        for kind, label in (("first_response", "first hostile act"), ("strongest_response", "strongest act")):
            counts = ok[f"{kind}_{actor_id}"].fillna("none").value_counts()
            shares = ", ".join(f"{name} {n / len(ok):.1%}" for name, n in counts.items())
            console.print(f"[bold]{actor_id}[/] {label} after the branch: {shares}", highlight=False)
    if failed:
        console.print(f"[red]{failed} runs failed[/]; see the error column (--csv)")
    if csv is not None:
        frame.to_csv(csv, index=False, lineterminator="\n")
        console.print(f"wrote {csv}")
    if failed:
        raise typer.Exit(1)


@app.command(
    epilog="Examples:\n\n"
    "  escalation-sim replay jan2020\n\n"
    "  escalation-sim replay scenarios/jan2020.yaml --seeds 500 --csv runs/history_probabilities.csv"
)
def replay(
    scenario: Annotated[str, typer.Argument(help="Scenario file, or the name of a shipped scenario.")],
    seeds: Annotated[int, typer.Option(min=1, help="Replays to average over (perception noise differs).")] = 200,
    csv: Annotated[Path | None, typer.Option(help="Also write the table as CSV.")] = None,
) -> None:
    """Replay history only and show how likely the model finds each historical decision.

    For each event, the probability the actor's rule gave the action actually taken, in the state the model
    had reached that day; averaged over seeds because what actors perceive is noisy.
    """
    from .runner import history_probabilities

    path = resolve_scenario(scenario)
    try:
        loaded = load_scenario(path)
    except ScenarioError as exc:
        raise fail(str(exc)) from None
    table = history_probabilities(loaded, seeds=seeds)
    t = Table(title=f"{loaded.title}: probability of each historical decision ({seeds} replays)",
              title_justify="left")  # fmt: skip
    for col in ("event", "date", "actor", "action", "target", "mean p", "5%", "95%"):
        t.add_column(col)
    for _, row in table.iterrows():
        if row["mean"] != row["mean"]:  # NaN: no decision involved
            cells = ["-", "", ""]
        else:
            cells = [f"{row['mean']:.3f}", f"{row['q05']:.3f}", f"{row['q95']:.3f}"]
        t.add_row(row["event_id"], row["date"], row["actor"], row["action"], row["target"], *cells)
    console.print(t)
    console.print("[dim]accident rows give the daily accident hazard; '-' marks events that are not decisions[/]")
    if csv is not None:
        table.to_csv(csv, index=False, float_format="%.6g", lineterminator="\n")
        console.print(f"wrote {csv}")


@app.command(
    epilog="Examples:\n\n  escalation-sim validate scenarios/*.yaml\n\n  escalation-sim validate my_crisis.yaml"
)
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
        console.print(
            f"{path}: ok ({len(scenario.actors)} actors, {len(scenario.events)} events, "
            f"{scenario.start_date} - {scenario.end_date})"
        )
    if bad:
        raise typer.Exit(2)


@app.command(name="list", epilog="Examples:\n\n  escalation-sim list\n\n  escalation-sim list --json")
def list_(as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False) -> None:
    """List shipped scenarios, deterrence rules (with their traits) and the actions of the default ladder."""
    from .rules import RULES
    from .scenario import default_ladder

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


@app.command(
    epilog="Examples:\n\n  escalation-sim schema > scenario.schema.json\n\n"
    "  then put  # yaml-language-server: $schema=scenario.schema.json  at the top of a scenario file"
)
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


def _register_command_modules() -> None:
    import importlib
    import pkgutil

    from . import commands

    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{commands.__name__}.{info.name}")
        module.register(app)


_register_command_modules()

if __name__ == "__main__":  # pragma: no cover
    app()
