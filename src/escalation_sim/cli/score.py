"""Scoring: `score` (the record's log-likelihood under the model, against baselines), `calibrate`
(estimating a handful of parameters from one or several records) and `evaluate` (the crisis library: fit on
train, freeze, measure the test split, leave-one-out)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress
from rich.table import Table

from .common import MAX_WORKERS, ScenarioArg, check_output, check_seed, console, examples, fail, open_scenario, plain
from .score_inputs import (
    MAX_LIBRARY_RUNS,
    MAX_PARTICLES,
    MAX_REPLICATIONS,
    MAX_STEPS,
    MAX_WALKERS,
    calibration_inputs,
    frozen_scenario,
)

SCORING = "Scoring"
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
    registry: Annotated[Path, typer.Option(help="The frozen-parameters registry.")] = Path("calibration/frozen.json"),
    executor: Executor = "process",
    workers: Annotated[int | None, typer.Option(min=1, max=MAX_WORKERS, help="Processes (default: all cores).")] = None,
    events_csv: Annotated[Path | None, typer.Option(help="Also write the per-event parts as CSV.")] = None,
) -> None:
    """The log-likelihood of the scenario's recorded history under the model, every actor-day (holds
    included), with hidden draws integrated out by a particle filter; timing and choice parts per actor and
    event; and the same for the baselines: uniform; base rate and first-order Markov fitted to the record
    (in-sample, their parameter counts shown); the same two prequential (each day from earlier days only); a
    Hawkes self-exciting count per actor fitted prequentially (docs/validation.md, "Baselines")."""
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
        print(json.dumps(out, indent=2))
        return
    print_score(result)


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


def print_score(result) -> None:
    from ..score.baselines import BASELINES

    j = result.as_json()
    summary = j["baselines"]
    console.print(
        f"[bold]{plain(result.scenario)}[/]: log-likelihood {j['log_likelihood']:.2f} nats over {result.actor_days} "
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
            "escalation-sim score jan2020",
            "escalation-sim score jan2020 --particles 200 --json",
            "escalation-sim score jan2020 --until branch --events-csv runs/score_events.csv",
            "escalation-sim score my_test.yaml --frozen runs/cal/params.json   # test scenarios: frozen only",
        ),
    )(score)
    register_calibrate(app)
    register_evaluate(app)


def calibrate(
    scenarios: Annotated[list[str], typer.Argument(help="Scenario files or shipped names whose records to fit.")],
    params: Annotated[
        list[str], typer.Option("--params", help="NAME=LO:HI (dotted path, prior box); repeat for each, at most 6.")
    ],
    out: Annotated[Path, typer.Option(help="Folder for the chain, posterior, diagnostics and figure.")] = Path(
        "runs/calibration"
    ),
    steps: Annotated[
        int, typer.Option(min=2, max=MAX_STEPS, help="MCMC steps (re-running continues to this many).")
    ] = 100,
    walkers: Annotated[
        int | None, typer.Option(min=2, max=MAX_WALKERS, help="emcee walkers (even, >= 2 x parameters).")
    ] = None,
    particles: Annotated[
        int, typer.Option(min=10, max=MAX_PARTICLES, help="Particles per likelihood evaluation.")
    ] = 100,
    seed: Annotated[int, typer.Option(help="Seed of the sampler.")] = 0,
    executor: Executor = "process",
    workers: Annotated[int | None, typer.Option(min=1, max=MAX_WORKERS, help="Processes (default: all cores).")] = None,
    freeze: Annotated[bool, typer.Option(help="Record the posterior medians (params.json) as frozen.")] = False,
    registry: Annotated[Path, typer.Option(help="The frozen-parameters registry.")] = Path("calibration/frozen.json"),
) -> None:
    """Estimate a handful of parameters from one or several records: pseudo-marginal MCMC (emcee) over the
    particle-filter likelihood, uniform priors on the boxes; writes chain.parquet, posterior.parquet,
    calibration.json (intervals, R-hat, ESS), params.json and calibration.png. Resumable."""
    from ..calibrate import calibrate as run_calibration
    from ..calibrate.figures import calibration_figure
    from ..scenario import ScenarioError
    from ..score.frozen import FrozenError, record
    from ..sweep import shutdown_pools

    if executor not in ("serial", "process", "dask"):
        raise fail(f"--executor: {executor!r} is not one of: serial, process, dask")
    check_seed(seed)
    check_output(out, "--out", folder=True)  # up front: a file or a device is refused before any work
    if freeze:
        check_output(registry, "--registry")
    loaded, declared = calibration_inputs(scenarios, params)
    try:
        with Progress(console=console, transient=True) as bar:
            task = bar.add_task("calibrating", total=steps)
            summary = run_calibration(
                loaded,
                declared,
                out,
                walkers,
                steps,
                particles,
                seed,
                executor,
                workers,
                progress=lambda n: bar.advance(task, n),
            )
    except (ValueError, KeyError) as exc:
        raise fail(str(exc)) from None
    except ScenarioError as exc:  # a value inside the box that the scenario refuses (the box checks sample three)
        raise fail(f"--params: {exc}; choose boxes inside the fields' bounds") from None
    except OSError as exc:  # the folder became unwritable, the disk filled
        raise fail(f"--out: cannot write into {out} ({exc.strerror or exc}); choose another folder") from None
    finally:
        shutdown_pools()
    import pandas as pd

    from ..files import write_with

    fig = calibration_figure(pd.read_parquet(out / "chain.parquet"), [p.name for p in declared])
    write_with(out / "calibration.png", lambda handle: fig.savefig(handle, dpi=110, format="png"))
    t = Table(
        title=f"Posterior ({summary['interval']:.0%} intervals; {summary['samples']} samples after burn-in)",
        title_justify="left",
    )
    for col in ("parameter", "median", "low", "high", "R-hat", "ESS"):
        t.add_column(col)
    for name, p in summary["parameters"].items():
        t.add_row(
            plain(name),
            f"{p['median']:.4g}",
            f"{p['low']:.4g}",
            f"{p['high']:.4g}",
            f"{p['rhat']:.3f}",
            f"{p['ess_bulk']:.0f}",
        )
    console.print(t)
    console.print(
        f"acceptance {summary['acceptance']:.2f}; wrote {out}/chain.parquet, posterior.parquet, "
        "calibration.json, params.json, calibration.png",
        markup=False,
    )
    if freeze:
        try:
            from ..score.frozen import read_params

            digest = record(read_params(out / "params.json"), f"calibrate {' '.join(scenarios)}", registry)
        except FrozenError as exc:
            raise fail(str(exc)) from None
        console.print(f"froze {out}/params.json as {digest[:12]} in {registry}", markup=False)


def register_calibrate(app: typer.Typer) -> None:
    app.command(
        rich_help_panel=SCORING,
        epilog=examples(
            "escalation-sim calibrate jan2020 --params actors.KH.rule.base_rate=0.001:0.1 --steps 60",
            "escalation-sim calibrate jan2020 --params actors.IRN.rule.temperature=0.02:0.5 "
            "--params actors.USA.decision_lag_days=1:10 --params actors.KH.rule.base_rate=0.001:0.1 --out runs/cal",
            "escalation-sim calibrate jan2020 --params actors.KH.rule.base_rate=0.001:0.1 --out runs/cal --freeze",
            note="Re-running the same command continues the chain to --steps.",
        ),
    )(calibrate)


def evaluate(
    library: Annotated[
        Path, typer.Argument(help="The folder of library cases (split and observed_outcome set).")
    ] = Path("scenarios/library"),
    out: Annotated[Path, typer.Option(help="Output folder (CSV, Parquet, JSON, figure, the calibrations).")] = Path(
        "evaluation/library"
    ),
    walkers: Annotated[int, typer.Option(min=2, max=MAX_WALKERS, help="emcee walkers of each calibration.")] = 8,
    steps: Annotated[
        int, typer.Option(min=2, max=MAX_STEPS, help="MCMC steps of each calibration (re-running continues).")
    ] = 24,
    particles: Annotated[
        int, typer.Option(min=10, max=MAX_PARTICLES, help="Particles per likelihood evaluation in the fits.")
    ] = 50,
    runs: Annotated[
        int, typer.Option(min=10, max=MAX_LIBRARY_RUNS, help="Runs per case for the outcome shares (common seeds).")
    ] = 1000,
    score_particles: Annotated[
        int, typer.Option(min=10, max=MAX_PARTICLES, help="Particles per filter of each case's score.")
    ] = 200,
    score_replications: Annotated[int, typer.Option(min=2, max=MAX_REPLICATIONS, help="Filters per case's score.")] = 2,
    loo_draws: Annotated[int, typer.Option(min=4, max=MAX_STEPS, help="Posterior draws for PSIS-LOO.")] = 48,
    loo_steps: Annotated[
        int, typer.Option(min=2, max=MAX_STEPS, help="MCMC steps of the fit on all cases (for LOO).")
    ] = 10,
    loo_particles: Annotated[
        int, typer.Option(min=10, max=MAX_PARTICLES, help="Particles per evaluation in the LOO fit.")
    ] = 20,
    loo: Annotated[bool, typer.Option(help="Run the leave-one-out part (a second calibration, on all cases).")] = True,
    seed: Annotated[int, typer.Option(help="Root seed: calibrations, runs and filters.")] = 0,
    workers: Annotated[int, typer.Option(min=1, max=MAX_WORKERS, help="Processes.")] = 2,
    registry: Annotated[Path, typer.Option(help="The frozen-parameters registry.")] = Path("calibration/frozen.json"),
    frozen: Annotated[
        str | None,
        typer.Option(
            help="A committed frozen hash (8+ characters): no fit; every case, test included, with those parameters. "
            "Without it: fit on train, record the hash, train cases only."
        ),
    ] = None,
    horizon: Annotated[bool, typer.Option(help="Class shares with each horizon moved +-4 weeks.")] = True,
) -> None:
    """The crisis library in and out of sample, in two runs with a commit between them. Without --frozen: fit
    the shared parameters (every rule's spread, the cheap-talk floor ignore_below, perception noise_sd) on the
    train split, record the posterior medians' hash in the registry, and measure the train cases only. Commit the
    registry; then --frozen HASH (checked with git: the hash must be in a commit at or before HEAD) measures every
    case: outcome shares (95% Wilson intervals; the modal class only where its interval clears the runner-up's),
    shares with the horizon moved +-4 weeks (5 points or more: horizon-sensitive, not counted), record score
    against the baselines (uniform, train climatology, in-sample and prequential base rate and Markov-1, Hawkes),
    key first response against history; Brier and log scores against always answering "de-escalation", ranked
    probability scores against uniform and the train climatology; PSIS-LOO over a fit on every case. Writes
    outcomes.csv, scores.csv, summary.csv, loo.csv, runs.parquet, report.json and shares.png into --out."""
    from ..evaluation import Settings
    from ..evaluation import evaluate as run_evaluation
    from ..scenario import ScenarioError
    from ..score.frozen import FrozenError
    from ..sweep import shutdown_pools

    if not library.is_dir():
        raise fail(f"{library}: not a folder of library cases")
    check_seed(seed)
    check_output(out, "--out", folder=True)  # up front: a file or /dev/null is refused before hours of fitting
    check_output(registry, "--registry")
    settings = Settings(
        walkers=walkers,
        steps=steps,
        particles=particles,
        seed=seed,
        runs=runs,
        score_particles=score_particles,
        score_replications=score_replications,
        loo_draws=loo_draws,
        loo_steps=loo_steps,
        loo_particles=loo_particles,
        workers=workers,
        loo=loo,
        horizon=horizon,
    )
    try:
        with Progress(console=console, transient=True) as bar:
            report = run_evaluation(library, out, settings, registry, _stages(bar), frozen)
    except ScenarioError as exc:  # a case in the folder that is not a valid scenario: say which and why
        raise fail(f"{library}: a case cannot be used: {exc}") from None
    except (FrozenError, ValueError, KeyError) as exc:
        raise fail(str(exc)) from None
    except OSError as exc:
        raise fail(f"--out: cannot write into {out} ({exc.strerror or exc}); choose another folder") from None
    finally:
        shutdown_pools()
    print_evaluation(out, report)


def _stages(bar: Progress):
    """A progress callback `(stage, done, total)` that gives each stage its own bar."""
    tasks: dict[str, int] = {}

    def progress(stage: str, done: int, total: int) -> None:
        if stage not in tasks:
            tasks[stage] = bar.add_task(stage, total=total)
        bar.update(tasks[stage], completed=done, total=total)

    return progress


def print_evaluation(out: Path, report: dict) -> None:
    import pandas as pd

    frozen = report["frozen"]
    console.print(
        f"frozen {frozen['sha256'][:12]} in {frozen['registry']}: "
        + ", ".join(f"{k} = {v:.3g}" for k, v in frozen["params"].items()),
        highlight=False,
        markup=False,
    )
    table = pd.read_csv(out / "outcomes.csv")
    t = Table(title="Per case, parameters frozen (shares of runs)", title_justify="left")
    for col in ("case", "split", "observed", "de-esc.", "protr.", "war", "modal", "history's first", "model's share"):
        t.add_column(col)
    for r in table.to_dict(orient="records"):
        t.add_row(
            r["case"],
            r["split"],
            r["observed"],
            *(f"{r[f'share_{k}']:.2f}" for k in ("de-escalation", "protracted", "war")),
            r["modal"],
            plain(f"{r['key_actor']} {r['history_first']}"),
            f"{r['model_share_of_history_first']:.2f}",
        )
    console.print(t)
    if frozen["commit"] is None:
        console.print(
            f"train cases only. Commit {frozen['registry']} now, then run `escalation-sim evaluate "
            f"--frozen {frozen['sha256'][:12]}` for every case, test included.",
            highlight=False,
        )
    s = Table(
        title="Brier and ranked probability score (lower is better), log score of the observed class "
        "(higher is better)",
        title_justify="left",
    )
    for col in (
        "cases",
        "n",
        "Brier model",
        "Brier always de-esc.",
        "log model",
        "log always de-esc.",
        "RPS model",
        "RPS uniform",
        "RPS train climatology",
    ):
        s.add_column(col)
    for r in report["summary"]:
        s.add_row(
            r["cases"],
            str(r["n"]),
            f"{r['brier_model']:.3f}",
            f"{r['brier_always_de']:.3f}",
            f"{r['log_model']:.2f}",
            f"{r['log_always_de']:.2f}",
            f"{r['rps_model']:.3f}",
            f"{r['rps_uniform']:.3f}",
            f"{r['rps_climatology']:.3f}",
        )
    console.print(s)
    loo = report["loo"]
    if loo.get("done"):
        console.print(
            f"PSIS-LOO over {loo['draws']} draws: elpd_loo {loo['elpd_loo']:.1f} (s.e. {loo['se']:.1f}), "
            f"p_loo {loo['p_loo']:.1f}; Pareto k max {loo['pareto_k_max']:.2f}, "
            f"{loo['pareto_k_over_0_7']} cases over 0.7, {loo['pareto_k_undefined']} undefined",
            highlight=False,
        )
    console.print(
        f"wrote {out}/outcomes.csv, scores.csv, summary.csv, runs.parquet, report.json, shares.png"
        + (", loo.csv" if loo.get("done") else ""),
        markup=False,
    )


def register_evaluate(app: typer.Typer) -> None:
    app.command(
        rich_help_panel=SCORING,
        epilog=examples(
            "escalation-sim evaluate",
            "escalation-sim evaluate scenarios/library --out evaluation/library --steps 24 --particles 50 --workers 2",
            "escalation-sim evaluate --no-loo   # fit on train, record the freeze, train cases only",
            "git add calibration/frozen.json && git commit -m 'Freeze'; escalation-sim evaluate --frozen 7e012fda",
            note="The test split is measured only with --frozen, and only once the hash is committed (git checks it). "
            "Re-running without --frozen continues the train calibration's chain.",
        ),
    )(evaluate)
