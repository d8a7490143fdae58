"""`forward-check`: the learned model's forward runs against the train records (a posterior-predictive check)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .common import MAX_WORKERS, check_output, check_seed, console, counted_bar, examples, fail, open_scenario
from .learn import SCORING, TRAIN


def forward_check(
    records: Annotated[
        list[str] | None,
        typer.Argument(
            help="Records to check (files or shipped names); default: jan2020 and the library's train "
            "split. Test-split cases are refused."
        ),
    ] = None,
    runs: Annotated[
        int, typer.Option(min=2, max=5000, help="Runs per record and arm (a share's standard error <= 0.5/sqrt(runs)).")
    ] = 40,
    arms: Annotated[
        str, typer.Option(help="Comma-separated arms: shipped (the package's weights), no_onset (onset weights 0).")
    ] = "shipped,no_onset",
    seed: Annotated[int, typer.Option(help="Root seed: run r has the seed `distribution` gives its run r.")] = 0,
    weights: Annotated[
        Path | None,
        typer.Option(
            help="A weights file (as `learn` writes it) to run instead of the package's: e.g. a posterior mode.",
            exists=True,
            dir_okay=False,
        ),
    ] = None,
    workers: Annotated[int, typer.Option(min=1, max=MAX_WORKERS, help="Processes (same numbers for any).")] = 2,
    out: Annotated[
        Path, typer.Option(help="Folder for cases.csv, actors.csv, runs.csv, summary.json, forward.png.")
    ] = Path("evaluation/forward"),
) -> None:
    """Run the learned model forward from each train record's branch, as `evaluate` runs it, and set the runs'
    outcome shares (RPS of the observed class), force acts per 30 days per actor, first decided force act and
    clustering of force (index of dispersion of weekly counts) beside the record's, for the shipped weights and
    with the onset weights (mobilised, engaged, pent_up, crisis_age) set to 0 on the same seeds. A one-step fit
    cannot see a model whose own acts feed its next ones; this can. About 1 CPU-s a run: the default (21 records x
    40 runs x 2 arms) is ~25 CPU-min."""
    from ..evaluation.forward_check import ARMS, check
    from ..evaluation.forward_report import markdown, write
    from ..sweep import shutdown_pools
    from ..sweep.executors import prepare

    check_seed(seed)
    check_weights(weights)
    check_output(out, "--out", folder=True)
    chosen = [a.strip() for a in arms.split(",") if a.strip()]
    unknown = sorted(set(chosen) - set(ARMS))
    if unknown or not chosen:
        raise fail(f"--arms: unknown {unknown or 'none given'}; expected some of {', '.join(ARMS)}")
    scenarios = list({s.name: s for s in (open_scenario(name)[1] for name in records or TRAIN)}.values())  # once each
    refused = [s.name for s in scenarios if s.split == "test"]
    if refused:
        raise fail(
            f"{', '.join(refused)}: split is test; the forward check runs train records only (the test split "
            "stays sealed)"
        )
    total = len(scenarios) * len(chosen) * runs
    try:
        if workers > 1:
            prepare("process", workers)  # before the progress bar's thread: workers forked from a clean process
        with counted_bar("forward runs", remaining=True) as bar:
            task = bar.add_task("runs", total=total)
            kept, found, seconds = check(
                scenarios,
                runs,
                seed,
                workers,
                chosen,
                lambda n: bar.update(task, advance=n),  # type: ignore[arg-type]
                None if weights is None else str(weights),
            )
        settings = {"records": [s.name for s in scenarios], "runs": runs, "arms": chosen, "seed": seed}
        if weights is not None:
            settings["weights"] = str(weights)
        summary = write(out, kept, found, settings, seconds)
    except OSError as exc:
        raise fail(f"--out: cannot write into {out} ({exc.strerror or exc}); choose another folder") from None
    finally:
        shutdown_pools()
    import pandas as pd

    console.print(markdown(pd.read_csv(out / "cases.csv"), summary), highlight=False, markup=False)
    console.print(f"wrote {out}/cases.csv, actors.csv, runs.csv, summary.json, tables.md, forward.png", markup=False)


def check_weights(weights: Path | None) -> None:
    """A bad weights file is named, field and all, before any run (exit 2)."""
    from ..learn.spells import read
    from ..rules.quantal import intercept_sd, weight_table

    if weights is not None:
        try:
            weight_table(str(weights))
            intercept_sd(str(weights))
            read(str(weights))
        except (ValueError, OSError) as exc:
            raise fail(f"--weights: {exc}") from None


def register(app: typer.Typer) -> None:
    app.command(
        "forward-check",
        rich_help_panel=SCORING,
        epilog=examples(
            "escalation-sim forward-check                       # jan2020 + the train split, 40 runs x 2 arms",
            "escalation-sim forward-check jan2020 gaza2012 --runs 100 --out runs/fwd",
            "escalation-sim forward-check --arms shipped --runs 20 --workers 1   # the shipped weights only",
            note="Test-split cases are refused: the check is for the train split before a freeze.",
        ),
    )(forward_check)
