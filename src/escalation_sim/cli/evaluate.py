"""`evaluate`: the crisis library in and out of sample (fit on train, freeze, measure the test split,
leave-one-out), and the tables it prints."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress
from rich.table import Table

from .common import MAX_WORKERS, check_output, check_seed, console, examples, fail, plain
from .score import SCORING, Registry
from .score_inputs import MAX_LIBRARY_RUNS, MAX_PARTICLES, MAX_REPLICATIONS, MAX_STEPS, MAX_WALKERS

# The longer options, named so that the command's signature stays readable.
Library = Annotated[Path, typer.Argument(help="The folder of library cases (split and observed_outcome set).")]
Runs = Annotated[
    int, typer.Option(min=10, max=MAX_LIBRARY_RUNS, help="Runs per case for the outcome shares (common seeds).")
]
ScoreParticles = Annotated[
    int, typer.Option(min=10, max=MAX_PARTICLES, help="Particles per filter of each case's score.")
]
FrozenHash = Annotated[
    str | None,
    typer.Option(
        help="A committed frozen hash (8+ characters): no fit; every case, test included, with those parameters. "
        "Without it: fit on train, record the hash, train cases only."
    ),
]


def evaluate(
    library: Library = Path("scenarios/library"),
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
    runs: Runs = 1000,
    score_particles: ScoreParticles = 200,
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
    registry: Registry = Path("calibration/frozen.json"),
    frozen: FrozenHash = None,
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


def register(app: typer.Typer) -> None:
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
