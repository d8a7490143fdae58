"""Scoring: `score`, the record's log-likelihood under the model, against baselines (`calibrate` and
`evaluate`, in the same help panel, have their own modules)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress
from rich.table import Table

from .common import (
    MAX_WORKERS,
    DecisionsOption,
    ScenarioArg,
    apply_decisions,
    check_output,
    check_seed,
    console,
    examples,
    fail,
    open_scenario,
    plain,
)
from .score_inputs import (
    MAX_PARTICLES,
    MAX_REPLICATIONS,
    frozen_scenario,
)

SCORING = "Scoring"
Registry = Annotated[Path, typer.Option(help="The frozen-parameters registry.")]
Executor = Annotated[str, typer.Option(help="Where to run: serial, process or dask.")]


def score(
    scenario: ScenarioArg,
    particles: Annotated[int, typer.Option(min=10, max=MAX_PARTICLES, help="Particles per filter.")] = 1000,
    replications: Annotated[
        int, typer.Option(min=2, max=MAX_REPLICATIONS, help="Independent filters (for the Monte Carlo error).")
    ] = 4,
    seed: Annotated[int, typer.Option(help="Root seed of the filters.")] = 0,
    until: Annotated[
        str, typer.Option(help="record: through the last event; branch: the days before it; horizon: every day.")
    ] = "record",
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON (nats).")] = False,
    frozen: Annotated[
        Path | None, typer.Option(help="Parameters (JSON) to score with; test scenarios need them recorded first.")
    ] = None,
    record_frozen: Annotated[
        bool, typer.Option(help="Record --frozen's hash as frozen (not on a test scenario).")
    ] = False,
    registry: Registry = Path("calibration/frozen.json"),
    executor: Executor = "process",
    workers: Annotated[int | None, typer.Option(min=1, max=MAX_WORKERS, help="Processes (default: all cores).")] = None,
    events_csv: Annotated[Path | None, typer.Option(help="Also write the per-event parts as CSV.")] = None,
    decisions: DecisionsOption = "learned",
) -> None:
    """The log-likelihood of the scenario's recorded history under the model, every actor-day (holds
    included), with hidden draws integrated out by a particle filter; timing and choice parts per actor and
    event; and the same for the baselines: uniform; base rate and first-order Markov fitted to the record
    (in-sample, their parameter counts shown); the same two prequential (each day from earlier days only); a
    Hawkes self-exciting count per actor fitted prequentially (docs/validation.md, "Baselines"). The model scored
    is the one `run` and `distribution` run: the learned one unless `--decisions doctrines`."""
    from ..score import UnscorableError, score_scenario
    from ..sweep import shutdown_pools

    if until not in ("record", "branch", "horizon"):
        raise fail(f"--until: {until!r} is not one of: record, branch, horizon")
    if executor not in ("serial", "process", "dask"):
        raise fail(f"--executor: {executor!r} is not one of: serial, process, dask")
    check_seed(seed)
    check_output(events_csv, "--events-csv")  # up front: a device or a folder is refused before any work
    if record_frozen:
        check_output(registry, "--registry")
    _, loaded = open_scenario(scenario)
    loaded, digest = frozen_scenario(loaded, frozen, record_frozen, registry)
    loaded = apply_decisions(loaded, decisions, None)
    try:
        with Progress(console=console, transient=True, disable=as_json) as bar:
            task = bar.add_task(f"{replications} filters x {particles} particles", total=replications)
            result = score_scenario(
                loaded,
                particles,
                replications,
                seed,
                until,
                executor,  # type: ignore[arg-type]
                workers,
                done=lambda: bar.advance(task),
            )
    except UnscorableError as exc:
        raise fail(f"{exc}. Run `escalation-sim validate` on the file") from None
    except ValueError as exc:
        raise fail(str(exc)) from None
    finally:
        shutdown_pools()
    if events_csv is not None:
        from ..files import write_csv

        try:  # atomically, as a regular file; event ids and actor ids made spreadsheet-safe
            write_csv(result.per_event, events_csv, float_format="%.6g")
        except OSError as exc:
            raise fail(
                f"--events-csv: cannot write {events_csv} ({exc.strerror or exc}); choose another file"
            ) from None
    if as_json:
        out = result.as_json()
        out["params_sha256"] = digest
        out["decisions"] = decisions
        print(json.dumps(out, indent=2))
        return
    print_score(result, decisions)


MODEL_NAMES = {"learned": "the learned model", "doctrines": "the scenario's own rules"}
HEADERS = {
    "uniform": "uniform",
    "base_rate": "base rate",
    "markov1": "Markov-1",
    "prequential_base_rate": "preq. base rate",
    "prequential_markov1": "preq. Markov-1",
    "hawkes": "Hawkes",
}


def baseline_header(name: str, summary: dict) -> str:
    """A baseline's column: its name, and for an in-sample one the count of numbers it fits to this record."""
    info = summary[name]
    if info["fit"] == "in-sample":
        return f"{HEADERS[name]} (in-sample, {info['parameters']:,} params)"
    return HEADERS[name]


def print_score(result, decisions: str = "learned") -> None:
    from ..score.baselines import BASELINES

    j = result.as_json()
    summary = j["baselines"]
    console.print(
        f"[bold]{plain(result.scenario)}[/] ({MODEL_NAMES[decisions]}): log-likelihood {j['log_likelihood']:.2f} "
        f"nats over {result.actor_days} "
        f"actor-days (timing {j['timing']:.2f} + choice {j['choice']:.2f}); Monte Carlo s.e. {j['mc_se']:.2f} "
        f"({len(result.replications)} filters x {result.particles} particles; one filter's s.d. "
        f"{j['mc_sd']:.2f}); {j['floor_nats']:.2f} nats ({j['floor_share']:.0%}) from the probability floor",
        highlight=False,
    )
    t = Table(
        title="Model against baselines (nats; higher is better; preq. = each day from earlier days only)",
        title_justify="left",
    )
    for col in (
        "actor",
        "model",
        "timing",
        "choice",
        *(baseline_header(b, summary) for b in BASELINES),
        "model loses to",
    ):
        t.add_column(col)
    for _, row in result.per_actor.iterrows():
        losses = [HEADERS[b] for b in BASELINES if row[b] > row["total"]]
        t.add_row(
            plain(row["actor"]),
            f"{row['total']:.2f}",
            f"{row['timing']:.2f}",
            f"{row['choice']:.2f}",
            *(f"{row[b]:.2f}" for b in BASELINES),
            ", ".join(losses) or "-",
        )
    totals = [f"{summary[b]['total']:.2f}" for b in BASELINES]
    lost = [HEADERS[b] for b in BASELINES if summary[b]["total"] > j["log_likelihood"]]
    t.add_row(
        "all",
        f"{j['log_likelihood']:.2f}",
        f"{j['timing']:.2f}",
        f"{j['choice']:.2f}",
        *totals,
        ", ".join(lost) or "-",
        style="bold",
    )
    t.add_row("all, timing", "", f"{j['timing']:.2f}", "", *(f"{summary[b]['timing']:.2f}" for b in BASELINES), "")
    t.add_row("all, choice", "", "", f"{j['choice']:.2f}", *(f"{summary[b]['choice']:.2f}" for b in BASELINES), "")
    console.print(t)
    worst = result.per_event.sort_values("total").head(5)
    console.print(
        "[bold]Least likely parts of the record[/] (nats): "
        + "; ".join(f"{plain(r.event_id)} {r.total:.1f}" for r in worst.itertuples()),
        highlight=False,
    )


def register(app: typer.Typer) -> None:
    app.command(
        rich_help_panel=SCORING,
        epilog=examples(
            "escalation-sim score jan2020                          # the learned model (the default)",
            "escalation-sim score jan2020 --decisions doctrines    # the scenario's own rules",
            "escalation-sim score jan2020 --particles 200 --json",
            "escalation-sim score jan2020 --until branch --events-csv runs/score_events.csv",
            "escalation-sim score my_test.yaml --frozen runs/cal/params.json   # test scenarios: frozen only",
        ),
    )(score)
