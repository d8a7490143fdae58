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

from .common import ScenarioArg, console, examples, fail, open_scenario

SCORING = "Scoring"
Executor = Annotated[str, typer.Option(help="Where to run: serial, process or dask.")]


def _frozen_scenario(loaded, frozen: Path | None, record_frozen: bool, registry: Path):
    """The scenario with frozen parameters applied; exits 2 if the train/test protocol forbids it."""
    from ..score.frozen import FrozenError, check, read_params, record

    if frozen is None:
        if record_frozen:
            raise fail("--record-frozen needs --frozen PARAMS.json: the parameters whose hash to record")
        return loaded, None
    try:
        params = read_params(frozen)
        if record_frozen:
            if loaded.split == "test":
                raise FrozenError("parameters cannot be frozen while a test scenario is scored; record them on "
                                  "a training scenario (or with `calibrate --freeze`)")  # fmt: skip
            digest = record(params, f"recorded with score {loaded.name}", registry)
            console.print(f"recorded parameters {digest[:12]} in {registry}")
        digest = check(params, loaded.split, registry)
        return loaded.with_edits(params), digest
    except FrozenError as exc:
        raise fail(f"--frozen {frozen}: {exc}") from None
    except (ValueError, KeyError) as exc:
        raise fail(f"--frozen {frozen}: the parameters do not apply to {loaded.name}: {exc}") from None


def score(
    scenario: ScenarioArg,
    particles: Annotated[int, typer.Option(min=10, help="Particles per filter.")] = 1000,
    replications: Annotated[int, typer.Option(min=2, help="Independent filters (for the Monte Carlo error).")] = 4,
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
    workers: Annotated[int | None, typer.Option(min=1, help="Processes (default: all cores).")] = None,
    events_csv: Annotated[Path | None, typer.Option(help="Also write the per-event parts as CSV.")] = None,
) -> None:
    """The log-likelihood of the scenario's recorded history under the model, every actor-day (holds
    included), with hidden draws integrated out by a particle filter; timing and choice parts per actor and
    event; and the same for three baselines (uniform, base rate, first-order Markov)."""
    from ..score import UnscorableError, score_scenario
    from ..sweep import shutdown_pools

    if until not in ("record", "branch", "horizon"):
        raise fail(f"--until: {until!r} is not one of: record, branch, horizon")
    if executor not in ("serial", "process", "dask"):
        raise fail(f"--executor: {executor!r} is not one of: serial, process, dask")
    _, loaded = open_scenario(scenario)
    loaded, digest = _frozen_scenario(loaded, frozen, record_frozen, registry)
    try:
        with Progress(console=console, transient=True, disable=as_json) as bar:
            task = bar.add_task(f"{replications} filters x {particles} particles", total=replications)
            result = score_scenario(loaded, particles, replications, seed, until, executor,  # type: ignore[arg-type]
                                    workers, done=lambda: bar.advance(task))  # fmt: skip
    except UnscorableError as exc:
        raise fail(f"{exc}. Run `escalation-sim validate` on the file") from None
    except ValueError as exc:
        raise fail(str(exc)) from None
    finally:
        shutdown_pools()
    if events_csv is not None:
        result.per_event.to_csv(events_csv, index=False, float_format="%.6g", lineterminator="\n")
    if as_json:
        out = result.as_json()
        out["params_sha256"] = digest
        print(json.dumps(out, indent=2))
        return
    print_score(result)


def print_score(result) -> None:
    from ..score.baselines import BASELINES

    j = result.as_json()
    console.print(
        f"[bold]{result.scenario}[/]: log-likelihood {j['log_likelihood']:.2f} nats over {result.actor_days} "
        f"actor-days (timing {j['timing']:.2f} + choice {j['choice']:.2f}); Monte Carlo s.e. {j['mc_se']:.2f} "
        f"({len(result.replications)} filters x {result.particles} particles; one filter's s.d. "
        f"{j['mc_sd']:.2f}); {j['floor_nats']:.2f} nats ({j['floor_share']:.0%}) from the probability floor",
        highlight=False,
    )
    t = Table(title="Model against baselines (nats; higher is better)", title_justify="left")
    for col in ("actor", "model", "timing", "choice", *BASELINES, "model loses to"):
        t.add_column(col)
    for _, row in result.per_actor.iterrows():
        losses = [b for b in BASELINES if row[b] > row["total"]]
        t.add_row(row["actor"], f"{row['total']:.2f}", f"{row['timing']:.2f}", f"{row['choice']:.2f}",
                  *(f"{row[b]:.2f}" for b in BASELINES), ", ".join(losses) or "-")  # fmt: skip
    totals = [f"{result.baseline_total(b):.2f}" for b in BASELINES]
    lost = [b for b in BASELINES if result.baseline_total(b) > j["log_likelihood"]]
    t.add_row("all", f"{j['log_likelihood']:.2f}", f"{j['timing']:.2f}", f"{j['choice']:.2f}", *totals,
              ", ".join(lost) or "-", style="bold")  # fmt: skip
    console.print(t)
    worst = result.per_event.sort_values("total").head(5)
    console.print("[bold]Least likely parts of the record[/] (nats): " + "; ".join(
        f"{r.event_id} {r.total:.1f}" for r in worst.itertuples()), highlight=False)  # fmt: skip


def register(app: typer.Typer) -> None:
    app.command(rich_help_panel=SCORING, epilog=examples(
        "escalation-sim score jan2020",
        "escalation-sim score jan2020 --particles 200 --json",
        "escalation-sim score jan2020 --until branch --events-csv runs/score_events.csv",
        "escalation-sim score my_test.yaml --frozen runs/cal/params.json   # test scenarios: frozen only",
    ))(score)  # fmt: skip
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
    steps: Annotated[int, typer.Option(min=2, help="MCMC steps (re-running continues to this many).")] = 100,
    walkers: Annotated[int | None, typer.Option(help="emcee walkers (even, >= 2 x parameters).")] = None,
    particles: Annotated[int, typer.Option(min=10, help="Particles per likelihood evaluation.")] = 100,
    seed: Annotated[int, typer.Option(help="Seed of the sampler.")] = 0,
    executor: Executor = "process",
    workers: Annotated[int | None, typer.Option(min=1, help="Processes (default: all cores).")] = None,
    freeze: Annotated[bool, typer.Option(help="Record the posterior medians (params.json) as frozen.")] = False,
    registry: Annotated[Path, typer.Option(help="The frozen-parameters registry.")] = Path("calibration/frozen.json"),
) -> None:
    """Estimate a handful of parameters from one or several records: pseudo-marginal MCMC (emcee) over the
    particle-filter likelihood, uniform priors on the boxes; writes chain.parquet, posterior.parquet,
    calibration.json (intervals, R-hat, ESS), params.json and calibration.png. Resumable."""
    from ..calibrate import Param
    from ..calibrate import calibrate as run_calibration
    from ..calibrate.figures import calibration_figure
    from ..score.frozen import FrozenError, record
    from ..sweep import shutdown_pools

    if executor not in ("serial", "process", "dask"):
        raise fail(f"--executor: {executor!r} is not one of: serial, process, dask")
    try:
        declared = [Param.parse(p) for p in params]
    except ValueError as exc:
        raise fail(f"--params {exc}") from None
    loaded = [open_scenario(s)[1] for s in scenarios]
    tests = [s.name for s in loaded if s.split == "test"]
    if tests:
        raise fail(f"{', '.join(tests)}: test scenarios are never used to calibrate; drop them or mark them train")
    try:
        with Progress(console=console, transient=True) as bar:
            task = bar.add_task("calibrating", total=steps)
            summary = run_calibration(loaded, declared, out, walkers, steps, particles, seed, executor, workers,
                                      progress=lambda n: bar.advance(task, n))  # fmt: skip
    except (ValueError, KeyError) as exc:
        raise fail(str(exc)) from None
    finally:
        shutdown_pools()
    import pandas as pd

    fig = calibration_figure(pd.read_parquet(out / "chain.parquet"), [p.name for p in declared])
    fig.savefig(out / "calibration.png", dpi=110)
    t = Table(title=f"Posterior ({summary['interval']:.0%} intervals; {summary['samples']} samples after burn-in)",
              title_justify="left")  # fmt: skip
    for col in ("parameter", "median", "low", "high", "R-hat", "ESS"):
        t.add_column(col)
    for name, p in summary["parameters"].items():
        t.add_row(name, f"{p['median']:.4g}", f"{p['low']:.4g}", f"{p['high']:.4g}", f"{p['rhat']:.3f}",
                  f"{p['ess_bulk']:.0f}")  # fmt: skip
    console.print(t)
    console.print(f"acceptance {summary['acceptance']:.2f}; wrote {out}/chain.parquet, posterior.parquet, "
                  "calibration.json, params.json, calibration.png")  # fmt: skip
    if freeze:
        try:
            from ..score.frozen import read_params

            digest = record(read_params(out / "params.json"), f"calibrate {' '.join(scenarios)}", registry)
        except FrozenError as exc:
            raise fail(str(exc)) from None
        console.print(f"froze {out}/params.json as {digest[:12]} in {registry}")


def register_calibrate(app: typer.Typer) -> None:
    app.command(rich_help_panel=SCORING, epilog=examples(
        "escalation-sim calibrate jan2020 --params actors.KH.rule.base_rate=0.001:0.1 --steps 60",
        "escalation-sim calibrate jan2020 --params actors.IRN.rule.temperature=0.02:0.5 "
        "--params actors.USA.decision_lag_days=1:10 --params actors.KH.rule.base_rate=0.001:0.1 --out runs/cal",
        "escalation-sim calibrate jan2020 --params actors.KH.rule.base_rate=0.001:0.1 --out runs/cal --freeze",
        note="Re-running the same command continues the chain to --steps.",
    ))(calibrate)  # fmt: skip


def evaluate(
    library: Annotated[
        Path, typer.Argument(help="The folder of library cases (split and observed_outcome set).")
    ] = Path("scenarios/library"),
    out: Annotated[Path, typer.Option(help="Output folder (CSV, Parquet, JSON, figure, the calibrations).")] = Path(
        "evaluation/library"
    ),
    walkers: Annotated[int, typer.Option(min=2, help="emcee walkers of each calibration.")] = 8,
    steps: Annotated[int, typer.Option(min=2, help="MCMC steps of each calibration (re-running continues).")] = 24,
    particles: Annotated[int, typer.Option(min=10, help="Particles per likelihood evaluation in the fits.")] = 50,
    runs: Annotated[int, typer.Option(min=10, help="Runs per case for the outcome shares (common seeds).")] = 1000,
    score_particles: Annotated[int, typer.Option(min=10, help="Particles per filter of each case's score.")] = 200,
    score_replications: Annotated[int, typer.Option(min=2, help="Filters per case's score.")] = 2,
    loo_draws: Annotated[int, typer.Option(min=4, help="Posterior draws for PSIS-LOO.")] = 48,
    loo_steps: Annotated[int, typer.Option(min=2, help="MCMC steps of the fit on all cases (for LOO).")] = 10,
    loo_particles: Annotated[int, typer.Option(min=10, help="Particles per evaluation in the LOO fit.")] = 20,
    loo: Annotated[bool, typer.Option(help="Run the leave-one-out part (a second calibration, on all cases).")] = True,
    seed: Annotated[int, typer.Option(help="Root seed: calibrations, runs and filters.")] = 0,
    workers: Annotated[int, typer.Option(min=1, help="Processes.")] = 2,
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
    against the baselines, key first response against history; Brier and log scores against always answering
    "de-escalation"; PSIS-LOO over a fit on every case. Writes outcomes.csv, scores.csv, summary.csv, loo.csv,
    runs.parquet, report.json and shares.png into --out."""
    from ..evaluation import Settings
    from ..evaluation import evaluate as run_evaluation
    from ..score.frozen import FrozenError
    from ..sweep import shutdown_pools

    if not library.is_dir():
        raise fail(f"{library}: not a folder of library cases")
    settings = Settings(walkers=walkers, steps=steps, particles=particles, seed=seed, runs=runs,
                        score_particles=score_particles, score_replications=score_replications,
                        loo_draws=loo_draws, loo_steps=loo_steps,
                        loo_particles=loo_particles, workers=workers, loo=loo, horizon=horizon)  # fmt: skip
    try:
        with Progress(console=console, transient=True) as bar:
            tasks: dict[str, int] = {}

            def progress(stage: str, done: int, total: int) -> None:
                if stage not in tasks:
                    tasks[stage] = bar.add_task(stage, total=total)
                bar.update(tasks[stage], completed=done, total=total)

            report = run_evaluation(library, out, settings, registry, progress, frozen)
    except (FrozenError, ValueError, KeyError) as exc:
        raise fail(str(exc)) from None
    finally:
        shutdown_pools()
    print_evaluation(out, report)


def print_evaluation(out: Path, report: dict) -> None:
    import pandas as pd

    frozen = report["frozen"]
    console.print(f"frozen {frozen['sha256'][:12]} in {frozen['registry']}: " + ", ".join(
        f"{k} = {v:.3g}" for k, v in frozen["params"].items()), highlight=False)  # fmt: skip
    table = pd.read_csv(out / "outcomes.csv")
    t = Table(title="Per case, parameters frozen (shares of runs)", title_justify="left")
    for col in ("case", "split", "observed", "de-esc.", "protr.", "war", "modal", "history's first", "model's share"):
        t.add_column(col)
    for r in table.to_dict(orient="records"):
        t.add_row(r["case"], r["split"], r["observed"], *(f"{r[f'share_{k}']:.2f}"
                  for k in ("de-escalation", "protracted", "war")), r["modal"],
                  f"{r['key_actor']} {r['history_first']}", f"{r['model_share_of_history_first']:.2f}")  # fmt: skip
    console.print(t)
    if frozen["commit"] is None:
        console.print(f"train cases only. Commit {frozen['registry']} now, then run `escalation-sim evaluate "
                      f"--frozen {frozen['sha256'][:12]}` for every case, test included.", highlight=False)  # fmt: skip
    s = Table(title="Brier (lower is better) and log score of the observed class (higher is better)",
              title_justify="left")  # fmt: skip
    for col in ("cases", "n", "Brier model", "Brier always de-esc.", "log model", "log always de-esc."):
        s.add_column(col)
    for r in report["summary"]:
        s.add_row(r["cases"], str(r["n"]), f"{r['brier_model']:.3f}", f"{r['brier_always_de']:.3f}",
                  f"{r['log_model']:.2f}", f"{r['log_always_de']:.2f}")  # fmt: skip
    console.print(s)
    loo = report["loo"]
    if loo.get("done"):
        console.print(f"PSIS-LOO over {loo['draws']} draws: elpd_loo {loo['elpd_loo']:.1f} (s.e. {loo['se']:.1f}), "
                      f"p_loo {loo['p_loo']:.1f}; Pareto k max {loo['pareto_k_max']:.2f}, "
                      f"{loo['pareto_k_over_0_7']} cases over 0.7, {loo['pareto_k_undefined']} undefined",
                      highlight=False)  # fmt: skip
    console.print(f"wrote {out}/outcomes.csv, scores.csv, summary.csv, runs.parquet, report.json, shares.png"
                  + (", loo.csv" if loo.get("done") else ""))  # fmt: skip


def register_evaluate(app: typer.Typer) -> None:
    app.command(rich_help_panel=SCORING, epilog=examples(
        "escalation-sim evaluate",
        "escalation-sim evaluate scenarios/library --out evaluation/library --steps 24 --particles 50 --workers 2",
        "escalation-sim evaluate --no-loo   # fit on train, record the freeze, train cases only",
        "git add calibration/frozen.json && git commit -m 'Freeze'; escalation-sim evaluate --frozen 7e012fda",
        note="The test split is measured only with --frozen, and only once the hash is committed (git checks it). "
             "Re-running without --frozen continues the train calibration's chain.",
    ))(evaluate)  # fmt: skip
