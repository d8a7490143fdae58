"""`escalation-sim sweep`, `sweep-summary`, `sweep-point`, `sweep-events` and `sensitivity`: many runs, stored and
summarized.

Exit status: 0 all runs succeeded, 1 some runs failed (their rows carry the error) or the sweep was
interrupted, 2 bad input (the message names the file, the field and what was expected).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any

import typer

from .common import MAX_WORKERS, SWEEPS, check_output, console, errors, examples, fail, plain

EXECUTOR_HELP = "serial, process (a local process pool) or dask (a cluster: --scheduler, or a local one)."


def _load(sweep_file: Path, replicates: int | None):
    from ..scenario import ScenarioError
    from ..sweep import SweepError, load_sweep

    try:
        return load_sweep(sweep_file).with_replicates(replicates)
    except (SweepError, ScenarioError) as exc:
        raise fail(str(exc)) from None


def _run(
    sweep_file: Path,
    out: Path,
    executor: str,
    workers: int | None,
    scheduler: str | None,
    replicates: int | None,
    trajectories: bool,
    chunk_size: int | None,
    flush_rows: int,
    progress: bool | None,
):
    from ..sweep import EXECUTORS, ExecutorError, StorageError, SweepError, execute_sweep

    if executor not in EXECUTORS:
        raise fail(f"--executor: unknown {executor!r}; expected one of: {', '.join(EXECUTORS)}")
    if scheduler is not None and executor != "dask":
        raise fail("--scheduler is for --executor dask; add --executor dask or drop --scheduler")
    if workers is not None and not 1 <= workers <= MAX_WORKERS:
        raise fail(f"--workers: expected a whole number from 1 to {MAX_WORKERS}, got {workers}")
    if chunk_size is not None and chunk_size < 1:
        raise fail(f"--chunk-size: expected a whole number >= 1, got {chunk_size}")
    if flush_rows < 1:
        raise fail(f"--flush-rows: expected a whole number >= 1, got {flush_rows}")
    check_output(out, "--out", folder=True)
    sweep = _load(sweep_file, replicates)
    try:
        report = execute_sweep(
            sweep,
            out,
            executor=executor,
            workers=workers,
            scheduler=scheduler,
            trajectories=trajectories,  # type: ignore[arg-type]
            chunk_size=chunk_size,
            flush_rows=flush_rows,
            progress=progress,
        )
    except (SweepError, StorageError) as exc:
        raise fail(str(exc)) from None
    except ExecutorError as exc:
        raise fail(f"{exc}; results stored so far are kept in {out}", code=2 if scheduler else 1) from None
    except OSError as exc:  # disk full, folder made read-only mid-sweep
        raise fail(
            f"--out: cannot write in {out} ({exc.strerror or exc}); free space or fix permissions, then "
            "rerun the same command to resume",
            code=1,
        ) from None
    for path in report.quarantined:
        errors.print(
            f"warning: {path.name} was damaged or not this sweep's (unreadable, altered, or a part the "
            f"manifest does not record): moved to {path.parent}; its runs were run again",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
    console.print(
        f"{plain(out)}: {report.runs_done} runs done now, {report.runs_skipped} already stored, "
        f"{report.runs_total} in the design; {report.runs_failed} failed"
        + (f"; {report.runs_done / report.seconds:.0f} runs/s" if report.runs_done and report.seconds else ""),
        highlight=False,
    )
    return sweep, report


def sweep(
    sweep_file: Annotated[Path, typer.Argument(help="Sweep file (YAML): base scenario, parameters, design.")],
    out: Annotated[Path, typer.Option(help="Folder for results/, manifest.json, summary.csv and figures.")],
    executor: Annotated[str, typer.Option(help=EXECUTOR_HELP)] = "process",
    workers: Annotated[int | None, typer.Option(help="Processes (process, local dask); default: all cores.")] = None,
    scheduler: Annotated[str | None, typer.Option(help="Dask scheduler address, e.g. tcp://10.0.0.5:8786.")] = None,
    replicates: Annotated[int | None, typer.Option(help="Runs per point, overriding the sweep file's.")] = None,
    trajectories: Annotated[bool, typer.Option("--trajectories", help="Keep per-day rungs (fan charts).")] = False,
    summary: Annotated[bool, typer.Option(help="Write summary.csv and figures when the sweep is done.")] = True,
    chunk_size: Annotated[int | None, typer.Option(help="Runs per task; default: up to 32, by size.")] = None,
    flush_rows: Annotated[int, typer.Option(help="Rows per stored Parquet part (a kill loses at most these).")] = 5000,
    progress: Annotated[bool | None, typer.Option(help="Progress bar; default: only on a terminal.")] = None,
) -> None:
    """Run a sweep: every design point x replicates, stored as Parquet under OUT; rerun to resume.

    Rows go to OUT/results (pandas.read_parquet(OUT / "results") reads them whole) as runs finish; a rerun of
    the same command skips stored runs. Exit status 1 if some runs failed (their rows say why).
    """
    _, report = _run(
        sweep_file, out, executor, workers, scheduler, replicates, trajectories, chunk_size, flush_rows, progress
    )
    if summary and report.runs_skipped + report.runs_done:
        _write_summary(out)
    if report.interrupted:
        raise fail("interrupted; rerun the same command to resume", code=1)
    if report.runs_failed:
        raise fail(f"{report.runs_failed} run(s) failed; see the `error` column of {out / 'results'}", code=1)


def _write_summary(out: Path) -> None:
    from ..sweep import open_sweep
    from ..sweep.analysis import write_summary
    from ..sweep.figures import write_figures

    folder = open_sweep(out)
    path = write_summary(folder)
    written = [path, *write_figures(folder)]
    console.print(f"wrote {', '.join(str(p) for p in written)}", highlight=False, markup=False)


def sweep_summary(
    folder: Annotated[Path, typer.Argument(help="A sweep folder (the --out of `escalation-sim sweep`).")],
) -> None:
    """Write summary.csv (per point: P(outcome) with 95% Wilson intervals, quantiles) and figures again."""
    from ..sweep import StorageError

    try:
        _write_summary(folder)
    except StorageError as exc:
        raise fail(str(exc)) from None
    except OSError as exc:  # disk full, read-only folder
        raise fail(
            f"{folder}: cannot write the summary ({exc.strerror or exc}); free space or fix permissions"
        ) from None


def sweep_point(
    folder: Annotated[Path, typer.Argument(help="A sweep folder.")],
    run_id: Annotated[int, typer.Argument(help="The run_id of a row of the results.")],
    out: Annotated[Path | None, typer.Option(help="Where to write the point's scenario file.")] = None,
) -> None:
    """Write the scenario of one run's point and print the `escalation-sim run` command that re-runs it alone."""
    from ..scenario import ScenarioError
    from ..sweep import StorageError, open_sweep, point_scenario_file

    check_output(out, "--out")
    try:
        opened = open_sweep(folder)
        path, args = point_scenario_file(opened, run_id, out)
    except (StorageError, KeyError, ScenarioError, ValueError) as exc:
        raise fail(str(exc).strip("'\"")) from None
    except OSError as exc:  # disk full, read-only folder
        raise fail(f"--out: cannot write the point's scenario ({exc.strerror or exc}); choose another --out") from None
    row = opened.run(run_id)
    console.print(
        f"wrote {path}; run {run_id} ({row['outcome'] or 'failed'}) re-runs with:", highlight=False, markup=False
    )
    print("escalation-sim run " + " ".join(args))


def sensitivity(
    sweep_file: Annotated[Path, typer.Argument(help="Sweep file with a `saltelli` design.")],
    out: Annotated[Path, typer.Option(help="Folder for the runs (resumable) and sobol.csv, sobol_*.png.")],
    output: Annotated[
        list[str],
        typer.Option(help="Outcome(s) to analyse: war, de-escalation, protracted, casualties, days_to_calm, max_rung."),
    ] = ["war"],  # noqa: B006 - typer reads the default
    executor: Annotated[str, typer.Option(help=EXECUTOR_HELP)] = "process",
    workers: Annotated[int | None, typer.Option(help="Processes; default: all cores.")] = None,
    scheduler: Annotated[str | None, typer.Option(help="Dask scheduler address.")] = None,
    replicates: Annotated[int | None, typer.Option(help="Runs per point, overriding the sweep file's.")] = None,
    progress: Annotated[bool | None, typer.Option(help="Progress bar; default: only on a terminal.")] = None,
) -> None:
    """Sobol sensitivity (SALib): first-order and total indices with 95% confidence intervals, and a figure.

    Runs the sweep's Saltelli design (resuming what OUT holds), takes each point's mean outcome over its
    replicates, and analyses it per counterfactual.
    """
    from ..files import write_csv
    from ..plots import save_figure
    from ..sweep import open_sweep, salib_problem
    from ..sweep.analysis import SOBOL_OUTPUTS, sobol_indices
    from ..sweep.figures import sobol_figure

    bad = [o for o in output if o not in SOBOL_OUTPUTS]
    if bad:
        raise fail(f"--output: unknown {bad[0]!r}; expected one of: {', '.join(SOBOL_OUTPUTS)}")
    loaded = _load(sweep_file, replicates)
    if loaded.spec.design.kind != "saltelli":
        raise fail(
            f"{sweep_file}: design.kind is {loaded.spec.design.kind!r}; sensitivity needs `kind: saltelli` "
            "(with base_samples: N)"
        )
    loaded, report = _run(sweep_file, out, executor, workers, scheduler, replicates, False, None, 5000, progress)
    if not report.complete:
        raise fail("the sweep is not complete; rerun the same command to resume", code=1)
    folder = open_sweep(out)
    results = folder.results
    problem = salib_problem(loaded)
    names = loaded.spec.counterfactual_names
    per_cf = folder.manifest["points"] // len(names)
    end = loaded.base_scenario.end_date
    frames = []
    import pandas as pd

    for offset, cf in enumerate(names):
        subset = results[results["counterfactual"] == cf].copy()
        subset["point"] = subset["point"] - offset * per_cf
        days_left = subset["branch_date"].map(lambda d: (end - dt.date.fromisoformat(d)).days + 1 if d else 0)
        for name in output:
            try:
                indices = sobol_indices(
                    subset,
                    problem,
                    per_cf,
                    name,
                    loaded.spec.design.second_order,  # type: ignore[union-attr]
                    seed=loaded.spec.seed,
                    days_after_branch=days_left,
                )
            except ValueError as exc:
                raise fail(str(exc), code=1) from None
            indices["counterfactual"] = cf
            frames.append(indices)
            fig = sobol_figure(indices, f"Sobol indices: {SOBOL_OUTPUTS[name]} ({cf})")
            save_figure(fig, out / f"sobol_{name}_{cf}.png", dpi=110)
    table = pd.concat(frames, ignore_index=True)
    write_csv(table, out / "sobol.csv", float_format="%.6g")
    print_sobol(table, loaded.spec.design.base_samples)  # type: ignore[union-attr]
    console.print(f"wrote {out / 'sobol.csv'} and sobol_*.png in {out}", highlight=False)
    if report.runs_failed:
        raise fail(f"{report.runs_failed} run(s) failed; see the `error` column of {out / 'results'}", code=1)


def print_sobol(table: Any, base_samples: int) -> None:
    """The indices (a DataFrame from `sobol_indices`) as a table, and warnings where too few base samples make
    them unreliable."""
    from rich.table import Table

    shown = Table(title="Sobol indices (95% confidence intervals)", title_justify="left")
    for col in ("output", "counterfactual", "parameter", "S1", "ST"):
        shown.add_column(col)
    for _, row in table.iterrows():
        shown.add_row(
            row["output"],
            row["counterfactual"],
            row["parameter"],
            f"{row['S1']:.3f} ± {row['S1_conf']:.3f}",
            f"{row['ST']:.3f} ± {row['ST_conf']:.3f}",
        )
    console.print(shown)
    from ..sweep.analysis import sobol_warnings

    for line in sobol_warnings(table, base_samples):
        errors.print(f"[bold yellow]warning:[/] {line}", highlight=False, soft_wrap=True)


def _ids(text: str | None, option: str) -> list[int] | None:
    """Whole numbers from "3,7,10-12"; None for no text; exit 2 naming the option otherwise."""
    if text is None:
        return None
    ids: list[int] = []
    for part in text.split(","):
        low, _, high = part.strip().partition("-")
        try:
            first, last = int(low), int(high or low)
        except ValueError:
            raise fail(f"{option}: expected whole numbers and ranges such as 3,7,10-12, got {text!r}") from None
        if first < 0 or last < first or last - first >= 10**7:
            raise fail(f"{option}: {part.strip()!r} is not a range of run numbers (from 0, low-high)")
        ids.extend(range(first, last + 1))
    return ids


def sweep_events(
    folder: Annotated[Path, typer.Argument(help="A sweep folder (the --out of `escalation-sim sweep`).")],
    runs: Annotated[str | None, typer.Option(help="Run ids, e.g. 3,7,10-12; default: every run that ran.")] = None,
    points: Annotated[str | None, typer.Option(help="Only the runs of these design points, e.g. 0,4.")] = None,
    out: Annotated[Path | None, typer.Option(help="Parquet file to write; default: FOLDER/events.parquet.")] = None,
    progress: Annotated[bool | None, typer.Option(help="Progress bar; default: only on a terminal.")] = None,
) -> None:
    """Write the daily event series (CAMEO, quad class, PLOVER, Goldstein) of a sweep's runs as Parquet.

    Each run is re-run from its stored seed and branch date under its own point's scenario (the base scenario
    with the point's edits, as the sweep ran it); runs are deterministic, so these are the runs the results
    table describes. Failed runs are left out. The base scenario file must be unchanged since the sweep ran.
    """
    import sys

    from ..scenario import ScenarioError
    from ..sweep import StorageError, open_sweep
    from ..sweep.events import sweep_events as write_sweep_events
    from ..sweep.events import sweep_runs

    run_ids, point_ids = _ids(runs, "--runs"), _ids(points, "--points")
    target = out if out is not None else folder / "events.parquet"
    check_output(target, "--out")
    try:
        opened = open_sweep(folder)
        chosen = sweep_runs(opened, run_ids, point_ids)
        if chosen.empty:
            raise fail(f"{folder}: no run that ran matches; nothing to write")
        path = write_sweep_events(
            opened, chosen, target, progress=sys.stderr.isatty() if progress is None else progress
        )
    except (StorageError, KeyError, ScenarioError, ValueError) as exc:
        raise fail(str(exc).strip("'\"")) from None
    except OSError as exc:  # disk full, read-only folder
        raise fail(
            f"--out: cannot write the event series to {target} ({exc.strerror or exc}); choose another --out"
        ) from None
    console.print(f"wrote {path} ({len(chosen)} runs)", highlight=False, markup=False)


def register(app: typer.Typer) -> None:
    app.command(
        rich_help_panel=SWEEPS,
        epilog=examples(
            "escalation-sim sweep scenarios/jan2020_sweep.yaml --out sweeps/demo",
            "escalation-sim sweep scenarios/jan2020_sweep.yaml --out sweeps/quick --replicates 5   # a quick look",
            "escalation-sim sweep scenarios/jan2020_sweep.yaml --out sweeps/demo   # again: resumes",
            "escalation-sim sweep scenarios/jan2020_sweep.yaml --out sweeps/fan --trajectories --executor serial",
            "escalation-sim sweep scenarios/jan2020_sweep.yaml --out sweeps/big --executor dask "
            "--scheduler tcp://10.0.0.5:8786",
            "python -c \"import pandas; print(pandas.read_parquet('sweeps/demo/results'))\"",
        ),
    )(sweep)
    app.command(
        name="sweep-summary",
        rich_help_panel=SWEEPS,
        epilog=examples(
            "escalation-sim sweep-summary sweeps/demo",
        ),
    )(sweep_summary)
    app.command(
        name="sweep-point",
        rich_help_panel=SWEEPS,
        epilog=examples(
            "escalation-sim sweep-point sweeps/demo 1234",
            "escalation-sim sweep-point sweeps/demo 1234 --out point.yaml   # then run the command it prints",
        ),
    )(sweep_point)
    app.command(
        name="sweep-events",
        rich_help_panel=SWEEPS,
        epilog=examples(
            "escalation-sim sweep-events sweeps/demo   # every run: sweeps/demo/events.parquet",
            "escalation-sim sweep-events sweeps/demo --points 0,3 --out sweeps/demo_p0_p3_events.parquet",
            "escalation-sim sweep-events sweeps/demo --runs 0-99",
        ),
    )(sweep_events)
    app.command(
        rich_help_panel=SWEEPS,
        epilog=examples(
            "escalation-sim sensitivity scenarios/jan2020_sensitivity_sweep.yaml --out sweeps/sobol",
            "escalation-sim sensitivity scenarios/jan2020_sensitivity_sweep.yaml --out sweeps/sobol "
            "--output war --output casualties --replicates 4",
        ),
    )(sensitivity)
