"""`emulate`: the simulation-based route for outcome-level data (issue 20, item 3): an outcome-class emulator
trained on simulations, the posterior of shared parameters given the train cases' observed classes, and its
simulation-based calibration."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from .common import MAX_WORKERS, check_output, check_seed, console, examples, fail, plain
from .score import SCORING, Executor


def emulate(
    scenarios: Annotated[
        list[str] | None,
        typer.Argument(help="Train scenario files or shipped names (default: every train case of --library)."),
    ] = None,
    library: Annotated[Path, typer.Option(help="Where the default train cases are.")] = Path("scenarios/library"),
    params: Annotated[
        list[str] | None,
        typer.Option("--params", help="NAME=LO:HI (prior box); default: the three shared hand-set parameters."),
    ] = None,
    out: Annotated[Path, typer.Option(help="Folder for simulations, emulator.json, posterior, SBC, figure.")] = Path(
        "runs/emulator"
    ),
    thetas: Annotated[int, typer.Option(min=10, max=100_000, help="Prior draws to train on.")] = 240,
    runs: Annotated[int, typer.Option(min=1, max=100, help="Runs of every case at each draw.")] = 2,
    replications: Annotated[int, typer.Option(min=10, max=100_000, help="SBC replications.")] = 200,
    draws: Annotated[int, typer.Option(min=9, max=9_999, help="Posterior draws per SBC replication.")] = 99,
    bins: Annotated[int, typer.Option(min=2, max=100, help="Rank-histogram bins ((draws + 1) % bins == 0).")] = 10,
    cells: Annotated[int, typer.Option(min=4, max=200, help="Grid cells per parameter.")] = 20,
    seed: Annotated[int, typer.Option(help="Root seed of the prior draws and the runs.")] = 0,
    executor: Executor = "process",
    workers: Annotated[int | None, typer.Option(min=1, max=MAX_WORKERS, help="Processes (default: all cores).")] = None,
) -> None:
    """Fit shared parameters to outcome classes alone: simulate the train cases at prior draws (hand-set
    doctrines, as the files say), learn q(class | parameters, case) with a spline multinomial logistic
    regression, take the posterior of the observed classes on a grid, and check it by simulation-based
    calibration (rank histograms). Writes emulator.json, posterior.parquet, sbc.csv, emulator.png; simulations
    are kept in OUT/simulations and reused by a re-run with the same settings."""
    from ..calibrate.emulate import emulate as run_route
    from ..calibrate.simulate import SHARED_BOX
    from ..sweep import shutdown_pools
    from .score_inputs import calibration_inputs

    if executor not in ("serial", "process", "dask"):
        raise fail(f"--executor: {executor!r} is not one of: serial, process, dask")
    if (draws + 1) % bins:
        raise fail(f"--draws {draws} --bins {bins}: draws + 1 must be a multiple of bins (e.g. 99 and 10)")
    check_seed(seed)
    check_output(out, "--out", folder=True)
    scenarios = scenarios or train_cases(library)
    boxes = params or [f"{p.name}={p.low}:{p.high}" for p in SHARED_BOX]
    loaded, declared = calibration_inputs(scenarios, boxes)

    def said(name: str, seconds: float) -> None:
        console.print(f"simulated {name} ({seconds:.0f} s)", markup=False)

    try:
        result = run_route(
            loaded,
            declared,
            out,
            thetas,
            runs,
            replications,
            draws,
            bins,
            cells,
            seed=seed,
            executor=executor,
            workers=workers,
            progress=said,
        )
    except ValueError as exc:
        raise fail(str(exc)) from None
    except OSError as exc:
        raise fail(f"--out: cannot write into {out} ({exc.strerror or exc}); choose another folder") from None
    finally:
        shutdown_pools()
    write_figure(out, result, [p.name for p in declared])
    print_result(out, result)


def train_cases(library: Path) -> list[str]:
    """The files of `library`'s train cases (every file must load: a broken case is named, not skipped)."""
    from ..scenario import ScenarioError, load_scenario

    if not library.is_dir():
        raise fail(f"--library {library}: not a folder of library cases")
    try:
        found = [load_scenario(p) for p in sorted(library.glob("*.yaml"))]
    except ScenarioError as exc:
        raise fail(str(exc)) from None
    cases = [str(library / f"{s.name}.yaml") for s in found if s.split == "train"]
    if not cases:
        raise fail(f"--library {library}: no case with split: train")
    return cases


def write_figure(out: Path, result: dict, names: list[str]) -> None:
    """emulator.png: the rank histograms and the marginal posteriors, from the files the route wrote."""
    import pandas as pd

    from ..calibrate.figures import emulator_figure
    from ..files import write_with

    fig = emulator_figure(pd.read_csv(out / "sbc.csv"), pd.read_parquet(out / "posterior.parquet"), result, names)
    write_with(out / "emulator.png", lambda handle: fig.savefig(handle, dpi=110, format="png"))


def print_result(out: Path, result: dict) -> None:
    h = result["held_out"]
    console.print(
        f"held-out log loss {h['log_loss']:.4f} nats a run over {h['runs']} runs (case frequencies "
        f"{h['log_loss_case_frequency']:.4f}, uniform {h['log_loss_uniform']:.4f}); C = {result['C']:g}",
        markup=False,
    )
    t = Table(title="Posterior given the observed classes (90% intervals) and SBC", title_justify="left")
    for col in ("parameter", "prior", "median", "low", "high", "SBC chi2", "p"):
        t.add_column(col)
    for name, p in result["posterior"].items():
        box, test = result["prior"][name], result["sbc"][name]
        t.add_row(
            plain(name),
            f"{box['low']:g}-{box['high']:g}",
            f"{p['median']:.3g}",
            f"{p['low']:.3g}",
            f"{p['high']:.3g}",
            f"{test['chi2']:.1f}",
            f"{test['p_value']:.3f}",
        )
    console.print(t)
    console.print(f"wrote {out}/emulator.json, posterior.parquet, sbc.csv, emulator.png", markup=False)


def register(app: typer.Typer) -> None:
    app.command(
        rich_help_panel=SCORING,
        epilog=examples(
            "escalation-sim emulate --out runs/emulator --workers 2",
            "escalation-sim emulate --thetas 1000 --runs 2 --replications 500 --out runs/emulator-big",
            "escalation-sim emulate cuba1962 gaza2014 --params actors.*.rule.spread=0.2:2.0 --thetas 100 "
            "--replications 50 --draws 49 --bins 5 --out runs/emu-small",
            note="Test-split cases are refused. Re-running with the same settings reuses OUT/simulations.",
        ),
    )(emulate)
