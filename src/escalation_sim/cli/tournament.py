"""`escalation-sim tournament`: every pairing of deterrence rules on a two-sided scenario, ranked (Axelrod)."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Annotated

import typer

from .common import (
    MAX_RUNS,
    MAX_WORKERS,
    SWEEPS,
    ScenarioArg,
    check_output,
    console,
    examples,
    fail,
    open_scenario,
    plain,
)

MAX_REPETITIONS = 10_000  # runs per game: a share's s.e. is under 0.5 points at 10,000; all runs are held in memory
EXECUTOR_HELP = "serial, process (a local process pool) or dask (a cluster: --scheduler, or a local one)."


def tournament(
    scenario: ScenarioArg,
    rules: Annotated[
        str, typer.Option(help="Rules, comma-separated; parameters as name:key=value (proportional:margin=1).")
    ],
    repetitions: Annotated[
        int, typer.Option(min=1, max=MAX_REPETITIONS, help="Runs of each game (seeds, the same in every game).")
    ] = 20,
    seed: Annotated[int, typer.Option(help="Root seed (>= 0) of the repetitions' seeds.")] = 0,
    noise: Annotated[
        float | None, typer.Option(help="Perception noise (sd, rungs) for both actors; default: the scenario's.")
    ] = None,
    executor: Annotated[str, typer.Option(help=EXECUTOR_HELP)] = "process",
    workers: Annotated[
        int | None, typer.Option(max=MAX_WORKERS, help="Processes (process, local dask); default: all cores.")
    ] = None,
    scheduler: Annotated[str | None, typer.Option(help="Dask scheduler address, e.g. tcp://10.0.0.5:8786.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the standings and pairings as JSON.")] = False,
    csv: Annotated[Path | None, typer.Option(help="Write the standings as CSV.")] = None,
    games_csv: Annotated[Path | None, typer.Option(help="Write one row per run (both seats' rules) as CSV.")] = None,
    figure: Annotated[Path | None, typer.Option(help="Write the figure (PNG): outcome shares, P(war) grid.")] = None,
    progress: Annotated[bool | None, typer.Option(help="Progress bar; default: only on a terminal.")] = None,
) -> None:
    """Round-robin tournament of deterrence rules (Axelrod): every pairing, both seatings, self-play included.

    Each game sets the two actors' rules and runs REPETITIONS seeds with the scenario's noise. Rules are ranked
    by war share, then mean deaths after the branch point, then de-escalation share; equal rules share a rank.
    """
    from ..sweep import EXECUTORS, ExecutorError
    from ..sweep.tournament import TournamentError, pairings, parse_rules, play_tournament, standings

    if executor not in EXECUTORS:
        raise fail(f"--executor: unknown {executor!r}; expected one of: {', '.join(EXECUTORS)}")
    if scheduler is not None and executor != "dask":
        raise fail("--scheduler is for --executor dask; add --executor dask or drop --scheduler")
    if workers is not None and workers < 1:
        raise fail(f"--workers: expected a whole number >= 1, got {workers}")
    if noise is not None and not 0 <= noise <= 5:
        raise fail(f"--noise: expected a standard deviation in rungs between 0 and 5, got {noise}")
    for path, option in ((csv, "--csv"), (games_csv, "--games-csv"), (figure, "--figure")):
        check_output(path, option)  # up front: a device or a folder is refused before any run
    _, loaded = open_scenario(scenario)
    try:
        entrants = parse_rules(rules)
        if len(entrants) ** 2 * repetitions > MAX_RUNS:  # n rules play n * n games (both seatings, self-play)
            raise TournamentError(
                f"--rules and --repetitions: {len(entrants)} rules make {len(entrants) ** 2:,} games "
                f"of {repetitions:,} runs, over the {MAX_RUNS:,} runs held in memory at once; "
                "enter fewer rules or fewer repetitions"
            )
        results = play_tournament(
            loaded,
            entrants,
            repetitions,
            seed,
            noise,
            executor,
            workers,
            scheduler,  # type: ignore[arg-type]
            progress,
        )
        table = standings(results)
    except TournamentError as exc:
        raise fail(str(exc)) from None
    except ExecutorError as exc:
        raise fail(str(exc), code=2 if scheduler else 1) from None
    war = pairings(results)
    if as_json:
        print(json.dumps(_as_json(loaded.name, results, table, war, repetitions, seed), indent=2))
    else:
        _print_table(loaded.title, table, results.attrs["seats"], repetitions)
    written = _write(table, results, war, csv, games_csv, figure, loaded.title)
    if written and not as_json:
        console.print(f"wrote {', '.join(str(p) for p in written)}", highlight=False, markup=False)


def _clean(value: object) -> object:
    return None if isinstance(value, float) and math.isnan(value) else value


def _as_json(name: str, results, table, war, repetitions: int, seed: int) -> dict:
    return {
        "scenario": name,
        "seats": list(results.attrs["seats"]),
        "repetitions": repetitions,
        "seed": seed,
        "standings": [{k: _clean(v) for k, v in row.items()} for row in table.to_dict(orient="records")],
        "p_war": {r: {o: _clean(float(v)) for o, v in row.items()} for r, row in war.to_dict(orient="index").items()},
    }


def _print_table(title: str, table, seats: tuple[str, str], repetitions: int) -> None:
    from rich.table import Table

    shown = Table(
        title=plain(f"{title}: tournament, {repetitions} runs per game, seats {seats[0]} and {seats[1]}"),
        title_justify="left",
    )
    for col in (
        "rank",
        "rule",
        "seat-games",
        "de-escalation",
        "protracted",
        "war (95% interval)",
        "mean deaths (95%)",
        "own deaths",
        "median days to calm",
    ):
        shown.add_column(col, justify="left" if col == "rule" else "right")
    shared = table["rank"].value_counts()
    for _, row in table.iterrows():
        calm = row["median_days_to_calm"]
        rank = f"{row['rank']}=" if shared[row["rank"]] > 1 else str(row["rank"])
        war = f"{row['war']:.1%} ({row['war_low']:.0%}-{row['war_high']:.0%})"
        deaths = f"{row['mean_deaths']:.1f} ({max(0.0, row['deaths_low']):.0f}-{row['deaths_high']:.0f})"
        shown.add_row(
            rank,
            plain(row["rule"]),
            str(row["games"]),
            f"{row['de-escalation']:.1%}",
            f"{row['protracted']:.1%}",
            war,
            deaths,
            f"{row['mean_own_deaths']:.1f}",
            "never calm" if calm != calm else f"{calm:g}",
        )
    console.print(shown)
    console.print(
        "[dim]rank: '2=' is a shared rank - the runs cannot tell those rules apart (war intervals "
        "overlap, then deaths, then de-escalation); deaths: hostile-act deaths after the branch point, "
        "mean per run; own deaths: the rule's own nationals, after the branch; days to calm: runs that "
        "calmed[/]"
    )


def _write(table, results, war, csv: Path | None, games_csv: Path | None, figure: Path | None, title: str):
    """Each output atomically, as a regular file (never onto a device: `/dev/full` was once reported written)."""
    from ..files import write_csv, write_with

    written = []
    outputs = [
        (csv, "--csv", lambda p: write_csv(table, p, float_format="%.6g")),
        (games_csv, "--games-csv", lambda p: write_csv(results, p, float_format="%.6g")),
    ]
    if figure is not None:
        from ..sweep.tournament_figure import tournament_figure

        drawn = tournament_figure(table, war, title=f"{title}: tournament")
        outputs.append((figure, "--figure", lambda p: write_with(p, lambda h: drawn.savefig(h, format="png", dpi=110))))
    for path, option, write in outputs:
        if path is None:
            continue
        try:
            write(path)
        except OSError as exc:
            raise fail(f"{option}: cannot write {path} ({exc.strerror or exc}); choose another path") from None
        written.append(path)
    return written


def register(app: typer.Typer) -> None:
    app.command(
        rich_help_panel=SWEEPS,
        epilog=examples(
            "escalation-sim tournament two_state --rules proportional,tit_for_tat,red_line,graduated,restraint",
            "escalation-sim tournament two_state --rules proportional,proportional:margin=1,restraint"
            " --repetitions 100",
            "escalation-sim tournament two_state --rules tit_for_tat,graduated --noise 1.2 --figure tournament.png",
            "escalation-sim tournament scenarios/two_state.yaml --rules red_line,restraint --json > standings.json",
            "escalation-sim tournament two_state --rules red_line,restraint --csv standings.csv --executor dask",
        ),
    )(tournament)
