"""ICB: `escalation-sim icb scenario|predict|validate`, the model against the population of crises (issue 21).

A Typer sub-app, registered under the name `icb`; docs/icb.md gives the mapping and the codebook, docs/validation.md
the cross-validated results. Imports stay inside the commands so `--help` is fast.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .common import MAX_WORKERS, SafeGroup, check_output, check_seed, console, examples, fail

ICB = "ICB"
Grievance = Annotated[
    float | None,
    typer.Option(
        min=0.0,
        max=5.0,
        help="Shared parameter: domestic pressure per unit of gravity (default: the "
        "value fitted on all shared crises, docs/icb.md).",
    ),
]
Tremble = Annotated[
    float | None,
    typer.Option(min=0.0, max=1.0, help="Shared parameter: the doctrine's tremble (default: the fitted value)."),
]
RiskShift = Annotated[
    float | None,
    typer.Option(min=-0.5, max=0.5, help="Shared parameter: added to both sides' risk tolerance (default: fitted)."),
]
ModelOpt = Annotated[
    str,
    typer.Option(
        "--model",
        help="Decision model of both actors: `doctrines` (cost_benefit, the default) or `quantal` (the learned "
        "rule, data/quantal_weights.json; ~17x slower). docs/icb.md, section 6.",
    ),
]
Icb1 = Annotated[Path | None, typer.Option(help="ICB1 (crisis-level) CSV; default: the shipped shared subset.")]
Icb2 = Annotated[Path | None, typer.Option(help="ICB2 (actor-level) CSV; default: the shipped shared subset.")]

app = typer.Typer(
    name="icb",
    cls=SafeGroup,
    no_args_is_help=True,
    rich_markup_mode="markdown",
    help="The model against the International Crisis Behavior data (ICB v14): a scenario from any crisis, "
    "predictions for every crisis of two CSVs, and the cross-validated comparison with baselines.",
    epilog=examples(
        "escalation-sim icb scenario 1 --out runs/icb1.yaml",
        "escalation-sim icb predict icb1v14.csv icb2v14.csv --out runs/icb --runs 200 --workers 2",
        "escalation-sim icb validate --out evaluation/icb",
        note="The mapping and the codebook: docs/icb.md. The results: docs/validation.md.",
    ),
)


def _load(icb1: Path | None, icb2: Path | None, outcomes: bool = False):
    from ..icb.data import IcbDataError, load

    try:
        return load(icb1, icb2, outcomes=outcomes)
    except IcbDataError as exc:
        raise fail(str(exc)) from None


def _model(model: str) -> str:
    from ..icb.mapping import MODELS

    if model not in MODELS:
        raise fail(f"--model: expected one of {', '.join(MODELS)}, got {model!r}")
    return model


def _shared(grievance_scale: float | None, tremble: float | None, risk_shift: float | None):
    """The shared parameters: each one given, or its default (the value fitted on all shared crises)."""
    from ..icb.mapping import Shared

    given = {"grievance_scale": grievance_scale, "tremble": tremble, "risk_shift": risk_shift}
    return Shared(**{k: v for k, v in given.items() if v is not None})


def scenario(
    crisno: Annotated[int, typer.Argument(help="ICB crisis number (crisno).")],
    out: Annotated[Path | None, typer.Option(help="Write the scenario YAML here (default: print it).")] = None,
    icb1: Icb1 = None,
    icb2: Icb2 = None,
    grievance_scale: Grievance = None,
    tremble: Tremble = None,
    risk_shift: RiskShift = None,
    model: ModelOpt = "doctrines",
) -> None:
    """Write a stylised scenario for one ICB crisis, with the reason for every choice as a comment."""
    from ..icb.mapping import MappingError, map_crisis
    from ..icb.render import render
    from ..scenario import ScenarioError, validate_scenario_data

    check_output(out, "--out")
    model = _model(model)
    data = _load(icb1, icb2)
    try:
        mapped = map_crisis(data, crisno, _shared(grievance_scale, tremble, risk_shift), model)
        validate_scenario_data(mapped.data, f"ICB crisis {crisno}")
    except (MappingError, ScenarioError) as exc:
        raise fail(f"crisis {crisno}: cannot map: {exc}") from None
    text = render(mapped)
    if out is None:
        typer.echo(text, nl=False)  # not the console: it would wrap lines at the terminal's width
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text)
    console.print(f"wrote {out}  (run it: escalation-sim distribution {out} -n 200)", markup=False)


def predict(
    icb1: Annotated[Path, typer.Argument(help="ICB1 (crisis-level) CSV of the v14 format.")],
    icb2: Annotated[Path, typer.Argument(help="ICB2 (actor-level) CSV of the v14 format.")],
    out: Annotated[Path, typer.Option(help="Folder for predictions.csv and manifest.json.")] = Path("runs/icb"),
    runs: Annotated[int, typer.Option(min=10, max=100_000, help="Runs per crisis.")] = 200,
    workers: Annotated[int, typer.Option(min=1, max=MAX_WORKERS, help="Processes to use.")] = 2,
    seed: Annotated[int, typer.Option(help="Root seed (run r of crisis c: run_seed(seed, c, r)).")] = 0,
    grievance_scale: Grievance = None,
    tremble: Tremble = None,
    risk_shift: RiskShift = None,
    model: ModelOpt = "doctrines",
) -> None:
    """Predict every crisis of two ICB CSVs: P(severity of violence 1-4), P(violence the primary technique),
    P(form of outcome) and the expected duration."""
    from rich.progress import Progress

    from ..icb.predict import run_predict
    from ..sweep import shutdown_pools
    from ..sweep.executors import prepare

    check_seed(seed)
    check_output(out, "--out", folder=True)
    model = _model(model)
    data = _load(icb1, icb2)
    if workers > 1:
        prepare("process", workers)  # start the pool before the progress bar's thread
    try:
        with Progress(console=console, transient=True) as bar:
            task = bar.add_task(f"{len(data.crises)} crises x {runs} runs", total=len(data.crises) * runs)
            frame, csv, js = run_predict(
                data,
                out,
                runs,
                seed,
                workers,
                _shared(grievance_scale, tremble, risk_shift),
                progress=lambda n: bar.advance(task, n),
                model=model,
            )
    except OSError as exc:
        raise fail(f"--out: cannot write to {out} ({exc.strerror or exc}); choose another folder") from None
    finally:
        shutdown_pools()
    bad = frame[frame["status"] != "ok"]
    console.print(
        f"{len(frame) - len(bad)} crises predicted, {len(bad)} with a reason instead; wrote {csv}, {js}", markup=False
    )
    for _, row in bad.head(10).iterrows():
        console.print(f"  crisis {row['crisno']}: {row['reason']}", markup=False)


def validate(
    out: Annotated[Path, typer.Option(help="Folder for the results, figures and tables.")] = Path("evaluation/icb"),
    runs: Annotated[int, typer.Option(min=10, help="Runs per crisis and grid point (common seeds).")] = 50,
    workers: Annotated[int, typer.Option(min=1, max=MAX_WORKERS, help="Processes to use.")] = 2,
    seed: Annotated[int, typer.Option(help="Root seed of the runs, the folds and the bootstrap.")] = 0,
    docs: Annotated[Path | None, typer.Option(help="Also rewrite the ICB section of this markdown file.")] = Path(
        "docs/validation.md"
    ),
    model: ModelOpt = "doctrines",
) -> None:
    """10-fold cross-validation over the shipped crises: the model (its shared parameters fitted on nine folds),
    raw and recalibrated, against the base rate and an ordered logit, by RPS, log score and Brier of the severity
    of violence. Grid points already simulated are read from OUT/grid."""
    from rich.progress import Progress

    from ..icb.report import run_validation
    from ..sweep import shutdown_pools
    from ..sweep.executors import prepare

    check_seed(seed)
    check_output(out, "--out", folder=True)
    model = _model(model)
    docs = None if docs is None or str(docs) in ("", ".") else docs  # --docs '' leaves the docs alone
    check_output(docs, "--docs")
    data = _load(None, None, outcomes=True)
    if workers > 1:
        prepare("process", workers)
    try:
        with Progress(console=console, transient=True) as bar:
            task = bar.add_task("simulating", total=None)
            summary = run_validation(
                data,
                out,
                runs,
                seed,
                workers,
                docs,
                progress=lambda n, total: bar.update(task, advance=n, total=total),
                model=model,
            )
    finally:
        shutdown_pools()
    console.print(summary, markup=False)


def compare(
    first: Annotated[Path, typer.Argument(help="Output folder of one `icb validate` run (the reference).")],
    second: Annotated[Path, typer.Argument(help="Output folder of another, on the same crises and folds.")],
    out: Annotated[Path | None, typer.Option(help="Also write the comparison here as JSON.")] = None,
    seed: Annotated[int, typer.Option(help="Seed of the bootstrap.")] = 0,
) -> None:
    """Compare two cross-validations crisis by crisis: each score's mean, and SECOND minus FIRST with a paired
    bootstrap 90% interval (negative: SECOND is better)."""
    import json

    from ..icb.compare import b_is_better, read_cv
    from ..icb.compare import compare as run_compare

    check_output(out, "--out")
    try:
        result = run_compare(read_cv(first), read_cv(second), seed)
    except (FileNotFoundError, ValueError, KeyError) as exc:
        raise fail(str(exc)) from None
    result["second_is_better_by_the_rule"] = b_is_better(result)
    text = json.dumps({"first": str(first), "second": str(second), **result}, indent=2)
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text + "\n")
    typer.echo(text)


def register(root: typer.Typer) -> None:
    app.command(
        epilog=examples(
            "escalation-sim icb scenario 1",
            "escalation-sim icb scenario 1 --out runs/icb1.yaml && escalation-sim distribution runs/icb1.yaml -n 200",
        )
    )(scenario)
    app.command(
        epilog=examples(
            "escalation-sim icb predict icb1v14.csv icb2v14.csv --out runs/icb --runs 200 --workers 2",
            "escalation-sim icb predict my_crises1.csv my_crises2.csv --out runs/mine --runs 50 --workers 1",
            note="Writes DIR/predictions.csv (one row per crisis; probabilities sum to 1) and DIR/manifest.json.",
        )
    )(predict)
    app.command(
        epilog=examples(
            "escalation-sim icb validate --out evaluation/icb",
            "escalation-sim icb validate --out runs/icb_cv --runs 20 --docs ''   # quick, leaves docs alone",
        )
    )(validate)
    app.command(
        epilog=examples("escalation-sim icb compare evaluation/icb/doctrines10 evaluation/icb/quantal10"),
    )(compare)
    root.add_typer(app, name="icb", rich_help_panel=ICB)
