"""`learn`: fit the quantal rule's weights on the train split (issue 19), resumable, with its checks."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress

from .common import check_output, check_seed, console, examples, fail, open_scenario

SCORING = "Scoring"
# jan2020 and the library's train split (scenarios/library/README.md), named one by one so that the default run
# never opens a test-split case to learn its split; each is still checked to be train when loaded
TRAIN = (
    "jan2020",
    "akcakale2012",
    "bakassi1994",
    "contras1989",
    "cuba1962",
    "euphratesshield2016",
    "falklands1982",
    "gaza2012",
    "gaza2014",
    "georgia2008",
    "globalhawk2019",
    "goa1955",
    "indonesia1945",
    "paquisha1981",
    "rhodesia1965",
    "serbiantrain2017",
    "syria2017",
    "tanker1987",
    "tet1968",
    "thrasher1976",
    "vixuyen1987",
)


def train_records(names: list[str]) -> dict[str, object]:
    """The named records, or jan2020 and the library's train split; a test-split case is refused (exit 2)."""
    names = names or list(TRAIN)
    out: dict[str, object] = {}
    for name in names:
        _, scenario = open_scenario(name)
        if scenario.split == "test":
            raise fail(f"{name}: split is test; `learn` fits on train records only (the test split stays unseen)")
        out[scenario.name] = scenario
    return out


INTERCEPT = (
    "Also estimate a crisis-level random intercept on the utility of force (sd per actor kind, integrated out by "
    "quadrature: about 12x the plain fit's CPU at the mode). Same as --frailty force."
)
FRAILTY = (
    "Crisis-level random intercepts on named option groups, comma-separated: force, settle (de-escalation), words "
    "(signals); one sd per actor kind and group, integrated out by a product Gauss-Hermite rule (12 nodes for one "
    "group, 6x6 for two, 4x4x4 for three: about that many times the plain fit's CPU)."
)


def frailty_groups(intercept: bool, frailty: str, ship: bool) -> tuple[str, ...]:
    """The option groups of `--intercept` and `--frailty` (exit 2 on an unknown name, or on `--ship` with a
    frailty forward runs do not draw)."""
    from ..learn.intercept import option_groups

    try:
        groups = option_groups(",".join(["force"] * intercept + ([frailty] if frailty else [])))
    except ValueError as exc:
        raise fail(f"--frailty: {exc}") from None
    if ship and set(groups) - {"force"}:  # the quantal rule draws the intercept on force only (rules/quantal.py)
        raise fail("--ship: forward runs do not draw the settle and words frailties yet; fit them without --ship")
    return groups


def learn(
    records: Annotated[
        list[str] | None,
        typer.Argument(help="Records to fit (files or shipped names); default: jan2020 and the library's train split."),
    ] = None,
    out: Annotated[Path, typer.Option(help="Folder for weights.csv, diagnostics.json and the rest.")] = Path(
        "calibration/learned"
    ),
    draws: Annotated[int, typer.Option(min=20, max=5000, help="NUTS draws per chain after warm-up.")] = 800,
    tune: Annotated[int, typer.Option(min=20, max=5000, help="NUTS warm-up draws per chain.")] = 200,
    chains: Annotated[int, typer.Option(min=2, max=16, help="NUTS chains.")] = 4,
    particles: Annotated[int, typer.Option(min=1, max=64, help="Replays of each record (perception draws).")] = 1,
    classes: Annotated[int, typer.Option(min=2, max=6, help="Latent classes (doctrines) per actor kind.")] = 2,
    recoveries: Annotated[int, typer.Option(min=0, max=200, help="Synthetic records for parameter recovery.")] = 20,
    filter_particles: Annotated[
        int, typer.Option(min=10, max=5000, help="Particles of the filter check on the first record.")
    ] = 200,
    seed: Annotated[int, typer.Option(help="Seed of replays, sampler and synthetic records.")] = 0,
    mode_only: Annotated[
        bool,
        typer.Option(
            "--mode-only", help="Stop at the posterior mode (about a minute): records and low decisions scored there."
        ),
    ] = False,
    intercept: Annotated[bool, typer.Option("--intercept", help=INTERCEPT)] = False,
    frailty: Annotated[str, typer.Option(help=FRAILTY)] = "",
    operations: Annotated[
        bool, typer.Option("--operations", help="Also estimate operations' stop and change hazards from the spells.")
    ] = False,
    ship: Annotated[
        bool, typer.Option(help="Also copy the fitted weights into the package (the rule's default).")
    ] = False,
) -> None:
    """Fit the quantal rule's weights on the train split: posterior mode (scipy) and posterior (NUTS, nutpie),
    latent classes, parameter recovery, the particle-filter check; writes weights.csv, records.csv, classes.csv,
    recovery.csv, low_decisions.csv (decisions below 1e-3), diagnostics.json, quantal_weights.json and learned.png.
    Resumable: a re-run with the same records and settings reuses the features, mode and draws it kept."""
    from ..learn.figures import weights_figure
    from ..learn.run import Settings
    from ..learn.run import learn as run_learning
    from ..rules.quantal import weight_table  # noqa: F401  (the registry and the package's weights file)

    check_seed(seed)
    if ship and mode_only:
        raise fail("--ship copies the posterior mean into the package: run without --mode-only")
    check_output(out, "--out", folder=True)
    groups = frailty_groups(intercept, frailty, ship)
    scenarios = train_records(records or [])
    package = Path(__file__).resolve().parents[1] / "data" / "quantal_weights.json"
    defaults = json.loads(package.read_text())["defaults"]
    settings = Settings(
        particles, draws, tune, chains, classes, recoveries, filter_particles, seed, mode_only, groups, operations
    )
    try:
        with Progress(console=console, transient=True) as bar:
            task = bar.add_task("learning", total=6 + recoveries)
            diagnostics = run_learning(
                scenarios,  # type: ignore[arg-type]
                out,
                settings,
                defaults,
                lambda what: bar.update(task, advance=1, description=what),
            )
    except OSError as exc:
        raise fail(f"--out: cannot write into {out} ({exc.strerror or exc}); choose another folder") from None
    import pandas as pd

    if not mode_only:  # the figure draws the posterior's intervals
        weights_figure(pd.read_csv(out / "weights.csv")).savefig(out / "learned.png", dpi=120)
    if ship:
        shutil.copyfile(out / "quantal_weights.json", package)
    console.print_json(json.dumps({k: v for k, v in diagnostics.items() if k != "classes"}, default=float))
    console.print(f"wrote {out}/")


def register(app: typer.Typer) -> None:
    app.command(
        rich_help_panel=SCORING,
        epilog=examples(
            "escalation-sim learn                                   # jan2020 + the library's train split",
            "escalation-sim learn --draws 400 --tune 400 --out calibration/learned",
            "escalation-sim learn jan2020 scenarios/library/gaza2012.yaml --recoveries 0 --out runs/learn",
            "escalation-sim learn --mode-only --out runs/learn-mode        # posterior mode only, no NUTS",
            "escalation-sim learn --frailty settle,words --mode-only --out runs/frailty   # crisis-level frailties",
            note="Re-running the same command reuses what it kept; test-split cases are refused.",
        ),
    )(learn)
