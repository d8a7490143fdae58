"""`evaluate` and `gets-wrong`: the crisis library out of sample under a frozen protocol (docs/protocol.md), and
the cards' "where the model gets it wrong" drafted from the measured numbers."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress

from .common import MAX_WORKERS, check_output, check_seed, console, counted_bar, examples, fail
from .score import SCORING, Registry
from .score_inputs import MAX_LIBRARY_RUNS, MAX_PARTICLES, MAX_REPLICATIONS

Library = Annotated[Path, typer.Argument(help="The folder of library cases (split and observed_outcome set).")]
Out = Annotated[Path, typer.Option(help="Output folder (CSV, JSON, Markdown, figure, cases/ kept per case).")]
Runs = Annotated[
    int, typer.Option(min=10, max=MAX_LIBRARY_RUNS, help="Runs per case and model (common seeds). Frozen.")
]
HorizonRuns = Annotated[
    int,
    typer.Option(
        min=10, max=MAX_LIBRARY_RUNS, help="Runs per case, model and shift with the horizon moved (paired). Frozen."
    ),
]
FrozenHash = Annotated[
    str | None,
    typer.Option(
        help="A committed frozen hash (8+ characters): every case, test included, with the frozen settings. "
        "Refused unless git shows the entry committed and nothing it covers has moved."
    ),
]


def evaluate(
    library: Library = Path("scenarios/library"),
    out: Out = Path("evaluation/library"),
    runs: Runs = 1000,
    horizon_runs: HorizonRuns = 250,
    horizon_days: Annotated[int, typer.Option(min=1, max=365, help="Horizon shift, days either way. Frozen.")] = 28,
    score_particles: Annotated[
        int, typer.Option(min=10, max=MAX_PARTICLES, help="Particles per filter (hand-set model's record). Frozen.")
    ] = 200,
    score_replications: Annotated[
        int, typer.Option(min=2, max=MAX_REPLICATIONS, help="Filters per case (hand-set model's record). Frozen.")
    ] = 2,
    surrogate_replays: Annotated[
        int, typer.Option(min=1, max=MAX_REPLICATIONS, help="Replays of the learned model's surrogate. Frozen.")
    ] = 4,
    seed: Annotated[int, typer.Option(help="Root seed of runs, filters and replays. Frozen.")] = 0,
    workers: Annotated[int, typer.Option(min=1, max=MAX_WORKERS, help="Processes (not frozen: same numbers).")] = 2,
    registry: Registry = Path("calibration/frozen.json"),
    frozen: FrozenHash = None,
    freeze_only: Annotated[
        bool, typer.Option("--freeze-only", help="Record the frozen entry in --registry and stop (no runs).")
    ] = False,
    record_freeze: Annotated[
        bool, typer.Option(help="Train stage: record the entry in --registry (--no-record-freeze: only report it).")
    ] = True,
    split: Annotated[
        str | None, typer.Option(help="With --frozen: 'test' measures the test cases only (train ones reused if kept).")
    ] = None,
) -> None:
    """The crisis library under the fitted quantal model and the hand-set doctrines, out of sample.

    Three steps, with a commit between the first and the last (docs/protocol.md). --freeze-only records in
    --registry one entry whose hash covers the fitted weights file, the shared parameters, these settings, the
    model's source, every case file and the pre-registered decision rule. Without --frozen: the train cases only.
    --frozen HASH: checked with git (the entry in a commit at or before HEAD) and against this tree, then every
    case. Per case and model: outcome shares (95% Wilson; modal class only where it clears the runner-up), RPS,
    Brier and log scores against uniform and the train climatology, shares with the horizon moved and with every
    actor's tremble at 0, 1 and 2 times its value (the horizon runs' seeds); the record's
    log-likelihood (learned: surrogate at the frozen weights; hand-set: particle filter) against the per-channel
    prequential base rate, Markov-1, Hawkes, uniform and climatology. Writes outcomes.csv, scores.csv,
    report.json, tables.md, shares.png; cases/NAME.json per case, so a re-run reuses finished cases."""
    from ..evaluation import Frozen, freeze
    from ..evaluation import evaluate as run_evaluation
    from ..scenario import ScenarioError
    from ..score.frozen import FrozenError
    from ..sweep import shutdown_pools

    if not library.is_dir():
        raise fail(f"{library}: not a folder of library cases")
    check_seed(seed)
    check_output(out, "--out", folder=True)  # up front: a file or /dev/null is refused before any run
    check_output(registry, "--registry")
    if split not in (None, "test", "train"):
        raise fail(f"--split: expected test or train, got {split!r}")
    if split is not None and frozen is None:
        raise fail("--split applies to --frozen only (without it, only train cases are measured)")
    settings = Frozen(runs, horizon_runs, horizon_days, seed, score_particles, score_replications, surrogate_replays)
    try:
        if freeze_only:
            return _said_frozen(freeze(library, settings, registry)[0], registry)
        fixed = settings if (frozen is None or settings != Frozen()) else None  # else the frozen entry's own
        with counted_bar() as bar:
            report = run_evaluation(library, out, fixed, registry, _stages(bar), frozen, workers, record_freeze, split)
    except ScenarioError as exc:  # a case in the folder that is not a valid scenario: say which and why
        raise fail(f"{library}: a case cannot be used: {exc}") from None
    except (FrozenError, ValueError, KeyError) as exc:
        raise fail(str(exc)) from None
    except OSError as exc:
        raise fail(f"--out: cannot write into {out} ({exc.strerror or exc}); choose another folder") from None
    finally:
        shutdown_pools()
    _print(out, report)


def _said_frozen(digest: str, registry: Path) -> None:
    console.print(
        f"frozen {digest} recorded in {registry}. Commit it now: `git add {registry} && git commit -m "
        f"'Freeze {digest[:12]}'`; then `escalation-sim evaluate --frozen {digest[:12]}`.",
        highlight=False,
        markup=False,
    )


def _stages(bar: Progress):
    """A progress callback `(stage, done, total)`: a bar per stage (a case's bar keeps its name, its step shown)."""
    tasks: dict[str, int] = {}

    def progress(stage: str, done: int, total: int) -> None:
        key = stage.split(" (")[0]
        if key not in tasks:
            tasks[key] = bar.add_task(stage, total=total)
        bar.update(tasks[key], completed=done, total=total, description=stage)

    return progress


def _print(out: Path, report: dict) -> None:
    frozen = report["frozen"]
    console.print((out / "tables.md").read_text(), highlight=False, markup=False)
    if frozen["commit"] is None:
        where = f"recorded in {frozen['registry']}" if frozen["recorded"] else "not recorded (--no-record-freeze)"
        console.print(
            f"Train cases only; protocol {frozen['sha256'][:12]} {where}. To measure the test split: "
            "`escalation-sim evaluate --freeze-only`, commit the registry, then `escalation-sim evaluate --frozen "
            "HASH`.",
            highlight=False,
            markup=False,
        )
    console.print(f"wrote {out}/outcomes.csv, scores.csv, report.json, tables.md, shares.png, cases/", markup=False)


def gets_wrong(
    library: Library = Path("scenarios/library"),
    results: Annotated[Path, typer.Option("--from", help="The evaluate output folder to draft from.")] = Path(
        "evaluation/library"
    ),
    split: Annotated[str, typer.Option(help="Which cards: train, or test (only after the frozen stage).")] = "train",
    registry: Registry = Path("calibration/frozen.json"),
    write: Annotated[bool, typer.Option(help="Write the drafts into the case files (else print them).")] = False,
) -> None:
    """Draft each case card's `gets_wrong` ("where the model gets it wrong") from the measured numbers of
    `evaluate`. Test cards only from a frozen-stage output whose freeze git shows committed."""
    from ..evaluation.cards import apply, drafts
    from ..score.frozen import FrozenError

    if split not in ("train", "test"):
        raise fail(f"--split: expected train or test, got {split!r}")
    try:
        texts = drafts(results, split, registry)
        if write:
            changed = apply(library, texts)
            console.print(f"wrote gets_wrong into {len(changed)} cards: {', '.join(changed)}", markup=False)
            return
    except (FrozenError, ValueError, KeyError, OSError) as exc:
        raise fail(str(exc)) from None
    for name, text in texts.items():
        console.print(f"{name}: {text}\n", highlight=False, markup=False)


def register(app: typer.Typer) -> None:
    app.command(
        rich_help_panel=SCORING,
        epilog=examples(
            "escalation-sim evaluate --freeze-only   # record the protocol entry; then commit calibration/frozen.json",
            "git add calibration/frozen.json && git commit -m 'Freeze protocol'",
            "escalation-sim evaluate --workers 2     # train cases only (re-run: finished cases are reused)",
            "escalation-sim evaluate --frozen 1a2b3c4d --workers 2   # every case, test included, once committed",
            "escalation-sim evaluate --frozen 1a2b3c4d --split test  # the test cases only (what the decision needs)",
            "escalation-sim evaluate --runs 50 --horizon-runs 20 --no-record-freeze --out /tmp/quick   # a trial",
            note="The test split is measured only with --frozen, only once git shows the entry committed, and only "
            "while the weights, settings, source and case files are those frozen.",
        ),
    )(evaluate)
    app.command(
        "gets-wrong",
        rich_help_panel=SCORING,
        epilog=examples(
            "escalation-sim gets-wrong --from evaluation/library            # print the train cards' drafts",
            "escalation-sim gets-wrong --split train --write",
            "escalation-sim gets-wrong --split test --write   # only after `evaluate --frozen HASH`",
        ),
    )(gets_wrong)
