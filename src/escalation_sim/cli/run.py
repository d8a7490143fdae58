"""Runs: `run` (one scenario, one seed), `distribution` (many seeds from a branch point), `replay` (how likely
the model finds each historical decision)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from ..display import format_probability
from .common import (
    MAX_RUNS,
    MAX_WORKERS,
    RUNS,
    DecisionsOption,
    ScenarioArg,
    SetOption,
    apply_decisions,
    check_output,
    check_seed,
    console,
    examples,
    fail,
    open_scenario,
    parse_date,
    plain,
)


def run(
    scenario: ScenarioArg,
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
    sets: SetOption = None,
    events_parquet: Annotated[
        Path | None, typer.Option(help="Also write the run's event series (CAMEO, quad class, PLOVER, Goldstein).")
    ] = None,
    decisions: DecisionsOption = "learned",
) -> None:
    """Run one scenario with one seed: replay history to the branch point, let the agents decide after it."""
    from ..runner import run as run_scenario
    from ..runner import write_run

    if branch_date is not None and no_branch:
        raise fail("--branch-date and --no-branch contradict each other: give one of them")
    check_seed(seed)
    check_output(out, "--out", folder=True)
    check_output(events_parquet, "--events-parquet")
    _, loaded = open_scenario(scenario, sets)
    loaded = apply_decisions(loaded, decisions, sets)
    branch = parse_date(branch_date, "--branch-date", loaded)
    result = run_scenario(loaded, seed=seed, branch_date=branch, replay_only=no_branch)
    print_summary(result, show)
    if out is not None:
        try:
            written = write_run(result, out)
            if figure:
                from ..plots import save_figure, timeline

                fig = timeline(result.model)
                written.append(save_figure(fig, out / "timeline.png", dpi=120))
        except OSError as exc:
            raise fail(
                f"--out: cannot write the results in {out} ({exc.strerror or exc}); choose another folder"
            ) from None
        console.print(f"wrote {', '.join(str(p) for p in written)}", markup=False)
    if events_parquet is not None:
        from ..eventdata import event_rows, write_events

        try:
            console.print(f"wrote {write_events(event_rows(result.model, 0, seed), events_parquet)}", markup=False)
        except OSError as exc:
            message = (
                f"--events-parquet: cannot write the event series to {events_parquet} ({exc.strerror}); "
                "choose another path"
            )
            raise fail(message) from None


def print_summary(result, show: int) -> None:
    s = result.summary
    table = Table(title=f"{plain(result.scenario.title)}  (seed {s['seed']})", show_header=False, title_justify="left")
    table.add_column(style="bold")
    table.add_column()
    table.add_row("outcome", s["outcome"])
    table.add_row("branch point", s["branch_date"] or "none: history only")
    table.add_row("highest rung after branch", str(s["max_rung"]))
    table.add_row("days to calm", str(s["days_to_calm"]) if s["days_to_calm"] is not None else "never calm")
    table.add_row("deaths in hostile acts (history included)", str(s["hostile_deaths"]))
    table.add_row("deaths in hostile acts after the branch", str(s["hostile_deaths_after_branch"]))
    table.add_row("still active at the horizon (censored)", "yes" if s["censored"] else "no")
    lasted = f"{s['duration_days']} days" + (" or more (still active at the horizon)" if s["duration_censored"] else "")
    table.add_row("time to the last hostile act", lasted)
    killed = ", ".join(f"{k} {v}" for k, v in s["casualties"]["killed"].items()) or "none"
    table.add_row("killed (all causes)", plain(killed))
    table.add_row("retaliations", str(s["retaliations"]))
    first = ", ".join(f"{a}: {r}" for a, r in s["first_response"].items() if r)
    table.add_row("first hostile act after branch", plain(first) if first else "none")
    console.print(table)
    events = result.events
    decided = events[events["origin"] == "model"]
    if show and len(decided):
        console.print("[bold]The model's decisions[/] (probability the rule gave the action taken, and why):")
        for _, row in decided.head(show).iterrows():
            target = f" -> {row['target']}" if row["target"] else ""
            console.print(
                f"  {row['date']}  {plain(f'{row["actor"]:>4}')} {plain(row['action'])}{plain(target)}  "
                f"p={format_probability(row['probability'])}  [dim]{plain(row['reason'])}[/]",
                highlight=False,
            )
        if len(decided) > show:
            console.print(f"  ... and {len(decided) - show} more in events.csv (--show N lists more)")


def distribution(
    scenario: ScenarioArg,
    runs: Annotated[int, typer.Option("-n", "--runs", min=1, max=MAX_RUNS, help="How many runs (seeds).")] = 1000,
    seed: Annotated[int, typer.Option(help="Root seed: run r's seed derives from it (numpy SeedSequence).")] = 0,
    workers: Annotated[int, typer.Option(min=1, max=MAX_WORKERS, help="Processes to use.")] = 2,
    branch_date: Annotated[str | None, typer.Option(help="First day the model decides (YYYY-MM-DD).")] = None,
    actor: Annotated[
        list[str] | None, typer.Option(help="Actors whose first and strongest responses to tabulate (repeatable).")
    ] = None,
    csv: Annotated[Path | None, typer.Option(help="Also write one row per run as CSV.")] = None,
    sets: SetOption = None,
    events_parquet: Annotated[
        Path | None, typer.Option(help="Also write every run's event series (CAMEO, PLOVER, Goldstein) as Parquet.")
    ] = None,
    decisions: DecisionsOption = "learned",
) -> None:
    """Run a scenario many times from its branch point: outcome shares with 95% Wilson intervals, and what
    each actor did first and at its strongest."""
    from ..sweep import distribution as run_distribution
    from ..sweep import shutdown_pools
    from ..sweep.analysis import wilson_interval

    check_seed(seed)
    check_output(csv, "--csv")
    check_output(events_parquet, "--events-parquet")
    _, loaded = open_scenario(scenario, sets)
    loaded = apply_decisions(loaded, decisions, sets)
    branch = parse_date(branch_date, "--branch-date", loaded) or loaded.branch_date
    unknown = [a for a in actor or [] if a not in loaded.actors]
    if unknown:
        raise fail(f"--actor: unknown {', '.join(unknown)}; the scenario's actors: {', '.join(loaded.actors)}")
    if branch is not None and not loaded.start_date <= branch <= loaded.end_date:
        raise fail(f"--branch-date: {branch} lies outside {loaded.start_date} - {loaded.end_date}")
    try:
        frame = run_distribution(loaded, n=runs, seed=seed, workers=workers, branch_date=branch)
    finally:
        shutdown_pools()
    failed = int(frame["error"].notna().sum())
    ok = frame[frame["error"].isna()]
    t = Table(
        title=f"{plain(loaded.title)}: {len(ok)} runs from {branch or 'the start'} "
        f"(seed {seed}; decisions: {decisions})",
        title_justify="left",
    )
    for col in ("outcome", "runs", "share", "95% interval"):
        t.add_column(col)
    for outcome in ("de-escalation", "protracted", "war"):
        k = int((ok["outcome"] == outcome).sum())
        low, high = wilson_interval(k, len(ok))
        t.add_row(outcome, str(k), f"{k / max(1, len(ok)):.1%}", f"{low:.1%} - {high:.1%}")
    console.print(t)
    _print_durations(ok)
    for actor_id in actor or list(loaded.actors)[:2]:
        for kind, label in (("first_response", "first hostile act"), ("strongest_response", "strongest act")):
            counts = ok[f"{kind}_{actor_id}"].fillna("none").value_counts()
            shares = ", ".join(f"{name} {n / max(1, len(ok)):.1%}" for name, n in counts.items())
            console.print(f"[bold]{plain(actor_id)}[/] {label} after the branch: {plain(shares)}", highlight=False)
    if failed:
        console.print(f"[red]{failed} runs failed[/]; see the error column (--csv)")
    if events_parquet is not None:
        from ..sweep.events import rerun_events

        try:
            console.print(f"wrote {rerun_events(loaded, ok, events_parquet)}", markup=False)
        except OSError as exc:  # disk full, read-only folder
            raise fail(
                f"--events-parquet: cannot write the event series to {events_parquet} "
                f"({exc.strerror or exc}); choose another path"
            ) from None
    if csv is not None:
        _write_csv(frame, csv, "--csv")
    if failed:
        raise typer.Exit(1)


def _print_durations(ok) -> None:
    """Time to the last hostile act: its spread over the runs that ended, and the share cut off by the horizon."""
    if "duration_days" not in ok or not len(ok):
        return
    ended = ok[~ok["duration_censored"].astype(bool)]["duration_days"].astype(float)
    active = ok[ok["duration_censored"].astype(bool)]["duration_days"].astype(float)
    spread = (
        f"median {ended.median():.0f} days (5-95% {ended.quantile(0.05):.0f}-{ended.quantile(0.95):.0f})"
        if len(ended)
        else "none"
    )
    console.print(
        f"[bold]Time to the last hostile act[/] (from the branch): ended in {len(ended)} runs, {plain(spread)}; "
        f"still active at the horizon (right-censored) in {len(active)} ({len(active) / len(ok):.1%})"
        + (f", at least {active.median():.0f} days (median)" if len(active) else ""),
        highlight=False,
    )


def replay(
    scenario: ScenarioArg,
    seeds: Annotated[
        int, typer.Option(min=1, max=MAX_RUNS, help="Replays to average over (perception noise differs).")
    ] = 200,
    csv: Annotated[Path | None, typer.Option(help="Also write the table as CSV.")] = None,
    sets: SetOption = None,
    sensitivity: Annotated[
        bool,
        typer.Option(
            "--sensitivity",
            help="Instead: the key numbers over a grid of the declared priors (regime filter tremble x trigger "
            "probability), one row per cell; --seeds replays and --runs runs from the branch per cell.",
        ),
    ] = False,
    tremble: Annotated[
        list[float] | None,
        typer.Option(
            metavar="FLOAT", help="With --sensitivity: a tremble of the grid (repeat; default 0 1e-4 1e-3 1e-2)."
        ),
    ] = None,
    trigger: Annotated[
        list[float] | None,
        typer.Option(metavar="P", help="With --sensitivity: a trigger probability (repeat; default 0.1 .. 0.9)."),
    ] = None,
    runs: Annotated[
        int, typer.Option(min=0, max=MAX_RUNS, help="With --sensitivity: runs from the branch per cell.")
    ] = 100,
) -> None:
    """Replay history only and show how likely the model finds each historical decision.

    For each event, the probability the actor's rule gave the action actually taken, in the state the model
    had reached that day; averaged over seeds because what actors perceive is noisy. With --sensitivity, how
    those numbers and the outcomes move with the scenario's declared priors.
    """
    from ..runner import history_probabilities

    if (tremble or trigger) and not sensitivity:
        raise fail("--tremble and --trigger set the grid of --sensitivity: add --sensitivity or drop them")
    check_output(csv, "--csv")
    _, loaded = open_scenario(scenario, sets)
    if sensitivity:
        from .prior_sensitivity import show_sensitivity

        return show_sensitivity(loaded, tremble or [], trigger or [], runs, seeds, csv)
    table = history_probabilities(loaded, seeds=seeds)
    t = Table(
        title=f"{plain(loaded.title)}: probability of each historical decision ({seeds} replays)", title_justify="left"
    )
    for col in ("event", "date", "actor", "action", "target", "median p", "5%", "95%", "mean p"):
        t.add_column(col)
    skewed = 0
    for _, row in table.iterrows():
        if row["mean"] != row["mean"]:  # NaN: no decision involved
            cells = ["-", "", "", ""]
        else:
            cells = [format_probability(row[c], 3) for c in ("median", "q05", "q95", "mean")]
            slack = 1e-9 * max(abs(row["q95"]), 1e-300)  # rounding in the mean of equal values is not a skew
            if not row["q05"] - slack <= row["mean"] <= row["q95"] + slack:
                skewed += 1
                cells[-1] += " *"
        t.add_row(*(plain(row[c]) for c in ("event_id", "date", "actor", "action", "target")), *cells)
    console.print(t)
    console.print(
        "[dim]median p and its 5%-95% range over the replays; accident rows give the daily accident "
        "hazard; '-' marks events that are not decisions[/]"
    )
    if skewed:
        console.print(
            f"[dim]* {skewed} mean(s) lie outside the 5%-95% range: fewer than 5% of the replays gave "
            "that decision a very different probability (a skewed spread), which pulls the mean; the "
            "median is the typical replay[/]"
        )
    if csv is not None:
        _write_csv(table, csv, "--csv", float_format="%.6g")


def _write_csv(frame, path: Path, option: str, **options) -> None:
    """Write a table as CSV (spreadsheet-safe, atomic); exit 2 naming the option if it cannot be written."""
    from ..files import write_csv

    try:
        write_csv(frame, path, **options)
    except OSError as exc:
        raise fail(f"{option}: cannot write {path} ({exc.strerror or exc}); choose another file") from None
    console.print(f"wrote {path}", markup=False)


def register(app: typer.Typer) -> None:
    app.command(
        rich_help_panel=RUNS,
        epilog=examples(
            "escalation-sim run scenarios/jan2020.yaml --seed 7 --out runs/demo",
            "escalation-sim run jan2020 --branch-date 2019-12-29 --out runs/early",
            "escalation-sim run jan2020 --no-branch --out runs/history   # replay history only",
            "escalation-sim run scenarios/two_state.yaml --seed 3 --no-figure",
            "escalation-sim run jan2020 --decisions doctrines   # the rules the scenario file names",
            "escalation-sim run jan2020 --decisions doctrines --set 'actors.USA.rule={name: restraint}'",
            "escalation-sim run jan2020 --no-branch --events-parquet runs/history_events.parquet",
        ),
    )(run)
    app.command(
        rich_help_panel=RUNS,
        epilog=examples(
            "escalation-sim distribution jan2020 -n 1000",
            "escalation-sim distribution jan2020 -n 1000 --actor IRN --actor USA --csv runs/dist.csv",
            "escalation-sim distribution jan2020_no_soleimani -n 500 --workers 1",
            "escalation-sim distribution jan2020 -n 1000 --decisions doctrines",
            "escalation-sim distribution jan2020 -n 500 --decisions doctrines --set 'actors.USA.rule={name: restraint}'",  # noqa: E501
            "escalation-sim distribution jan2020 -n 200 --events-parquet runs/dist_events.parquet",
        ),
    )(distribution)
    app.command(
        rich_help_panel=RUNS,
        epilog=examples(
            "escalation-sim replay jan2020",
            "escalation-sim replay scenarios/jan2020.yaml --seeds 500 --csv runs/history_probabilities.csv",
            "escalation-sim replay jan2020 --set actors.KH.rule.epsilon=0.001   # no decision ruled out",
            "escalation-sim replay jan2020 --sensitivity --seeds 20 --runs 100 --csv runs/jan2020_sensitivity.csv",
            "escalation-sim replay jan2020 --sensitivity --tremble 0 --tremble 0.01 --trigger 0.5 --seeds 5 --runs 20",
        ),
    )(replay)
