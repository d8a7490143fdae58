"""`replay --sensitivity`: the replay's key numbers across the grid of a scenario's declared priors (issue 17,
item 4). The computation is `escalation_sim.prior_sensitivity`; this module only shows and writes it."""

from __future__ import annotations

from pathlib import Path

from rich.progress import Progress
from rich.table import Table

from ..display import format_probability
from ..scenario import Scenario
from .common import console, fail, plain


def show_sensitivity(
    loaded: Scenario, trembles: list[float], triggers: list[float], runs: int, seeds: int, csv: Path | None
) -> None:
    """Print the grid as a table and, with `csv`, write it (one row per cell, pandas-readable)."""
    from ..prior_sensitivity import TREMBLES, TRIGGERS, prior_sensitivity

    trembles = trembles or list(TREMBLES)
    triggers = triggers or list(TRIGGERS)
    try:
        with Progress(console=console, transient=True) as bar:
            task = bar.add_task("prior grid", total=len(trembles) * len(triggers))
            frame = prior_sensitivity(
                loaded,
                trembles,
                triggers,
                runs=runs,
                seeds=seeds,
                progress=lambda done, _: bar.update(task, completed=done),
            )
    except ValueError as exc:
        raise fail(str(exc)) from None
    t = Table(
        title=f"{plain(loaded.title)}: sensitivity to the declared priors ({seeds} replays, {runs} runs a cell)",
        title_justify="left",
    )
    columns = [c for c in frame.columns if c not in ("runs", "replay_seeds")]
    for col in columns:
        t.add_column(col.removeprefix("p_"), justify="right")
    for _, row in frame.iterrows():
        cells = []
        for col in columns:
            value = row[col]
            if col in ("tremble", "trigger"):
                cells.append(f"{value:g}")
            elif col == "loglik":
                cells.append(f"{value:.2f}")
            elif col.startswith("p_"):
                cells.append(format_probability(value, 2))
            else:
                cells.append(f"{value:.1%}")
        t.add_row(*cells)
    console.print(t)
    console.print(
        "[dim]tremble: every regime's filter_tremble; trigger: every trigger probability; event columns: median "
        "replay probability of each decision of a regime actor; loglik: sum of their logs; shares over the runs "
        "from the branch (common seeds)[/]"
    )
    if csv is not None:
        from ..files import write_csv

        try:
            write_csv(frame, csv, float_format="%.6g")
        except OSError as exc:
            raise fail(f"--csv: cannot write {csv} ({exc.strerror or exc}); choose another file") from None
        console.print(f"wrote {csv}", markup=False)
