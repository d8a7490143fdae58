"""`calibrate`: estimating a handful of parameters from one or several records (pseudo-marginal MCMC over the
particle-filter likelihood), and the posterior it prints."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress
from rich.table import Table

from .common import MAX_WORKERS, check_output, check_seed, console, examples, fail, plain
from .score import SCORING, Executor, Registry
from .score_inputs import MAX_PARTICLES, MAX_STEPS, MAX_WALKERS, calibration_inputs


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
    registry: Registry = Path("calibration/frozen.json"),
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
    print_posterior(out, summary)
    if freeze:
        try:
            from ..score.frozen import read_params

            digest = record(read_params(out / "params.json"), f"calibrate {' '.join(scenarios)}", registry)
        except FrozenError as exc:
            raise fail(str(exc)) from None
        console.print(f"froze {out}/params.json as {digest[:12]} in {registry}", markup=False)


def print_posterior(out: Path, summary: dict) -> None:
    """The posterior's intervals and diagnostics, and what was written."""
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


def register(app: typer.Typer) -> None:
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
