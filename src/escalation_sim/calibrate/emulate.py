"""The simulation-based route for outcome-level data, end to end (issue 20, item 3; `escalation-sim emulate`):

1. simulate: `thetas` values from the prior box, `runs` runs of every case at each (simulate.py);
2. emulate: the outcome-class emulator, its penalty chosen by grouped cross-validation (emulator.py);
3. posterior: the cases' observed outcome classes through the emulator, uniform prior, on a grid (sbc.py);
4. validate: simulation-based calibration over `replications` fresh prior draws, one run per case each (their
   runs, never used in training, also give the emulator's held-out log loss and reliability).

Files written into `out`: simulations/ (each case's runs, reused when the settings match), emulator.json
(settings, cross-validation, held-out calibration, the posterior's summary, the SBC tests), posterior.parquet
(draws given the observed outcomes), sbc.csv (every replication's truth and ranks).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..scenario import Scenario
from ..sweep.executors import ExecutorName
from .emulator import DEFAULT_CS, OutcomeEmulator, held_out
from .sampler import Param, identity
from .sbc import Grid, log_posterior, posterior_draws, rank_test, sbc_ranks, summary, tabulate
from .simulate import CLASSES, prior_draws, simulate

POSTERIOR_DRAWS = 4000
TEMPERED = (0.5, 2.0)  # likelihood powers of the SBC power check
RNG_STREAM = 8  # SeedSequence spawn key of the posterior draws (simulate.py's streams are 7)


def observed_classes(scenarios: Sequence[Scenario]) -> np.ndarray:
    """Each case's `observed_outcome` as a class index; a case without one cannot be used."""
    missing = [s.name for s in scenarios if s.observed_outcome is None]
    if missing:
        raise ValueError(f"{', '.join(missing)}: no observed_outcome to condition on")
    return np.array([CLASSES.index(s.observed_outcome) for s in scenarios])


def _outcome_table(fresh: pd.DataFrame, cases: tuple[str, ...], replications: int) -> np.ndarray:
    """The SBC runs' outcome class codes as a (replication, case) table."""
    index = {c: i for i, c in enumerate(cases)}
    outcomes = np.empty((replications, len(cases)), dtype=int)
    codes = pd.Categorical(fresh["outcome"], categories=CLASSES).codes
    outcomes[fresh["theta"].to_numpy(), fresh["case"].map(index).to_numpy()] = codes
    return outcomes


def emulate(
    scenarios: Sequence[Scenario],
    params: Sequence[Param],
    out: Path,
    thetas: int = 240,
    runs: int = 2,
    replications: int = 200,
    draws: int = 99,
    bins: int = 10,
    cells: int = 20,
    knots: int = 4,
    seed: int = 0,
    executor: ExecutorName = "process",
    workers: int | None = None,
    progress: Callable[[str, float], None] | None = None,
) -> dict[str, Any]:
    """Run the route; write emulator.json, posterior.parquet and sbc.csv into `out`; return emulator.json's content."""
    if any(s.split == "test" for s in scenarios):
        raise ValueError("test scenarios are never used to fit: drop them or mark them train")
    params = tuple(params)
    observed = observed_classes(scenarios)
    out.mkdir(parents=True, exist_ok=True)
    cache = out / "simulations"
    timings: dict[str, float] = {}
    started = time.perf_counter()
    draws_train = prior_draws(params, thetas, seed, "train")
    train = simulate(scenarios, params, draws_train, runs, seed, "train", executor, workers, cache, progress)
    truths = prior_draws(params, replications, seed, "sbc")
    fresh = simulate(scenarios, params, truths, 1, seed, "sbc", executor, workers, cache, progress)
    timings["simulate_s"] = time.perf_counter() - started

    started = time.perf_counter()
    cases = tuple(s.name for s in scenarios)
    model, cv = _fit(train, params, cases, knots, observed)
    heldout = held_out(model, train, fresh)
    timings["fit_s"] = time.perf_counter() - started

    started = time.perf_counter()
    names = [p.name for p in params]
    grid = Grid(params, cells)
    table = tabulate(grid, model.log_proba, len(cases))
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(RNG_STREAM,)))
    sample = posterior_draws(grid, log_posterior(table, observed), POSTERIOR_DRAWS, rng)
    ranks, tests, tempered = _sbc(grid, table, truths, _outcome_table(fresh, cases, replications), draws, bins, rng)
    unseen = _never_simulated(train, cases, observed)
    keep = np.array([c not in unseen for c in cases])
    other = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(RNG_STREAM, 1)))
    without = posterior_draws(grid, log_posterior(table[keep], observed[keep]), POSTERIOR_DRAWS, other)
    timings["posterior_and_sbc_s"] = time.perf_counter() - started

    _write_tables(out, names, sample, truths, ranks)
    result = {
        "settings": _settings(scenarios, params, thetas, runs, replications, draws, bins, cells, knots, seed),
        "training_runs": len(train),
        "class_shares_training": train["outcome"].value_counts(normalize=True).round(4).to_dict(),
        "cross_validation_log_loss": {str(c): round(v, 5) for c, v in cv.items()},
        "C": model.C,
        "held_out": heldout,
        "observed": dict(zip(cases, [CLASSES[k] for k in observed], strict=True)),
        "posterior": summary(sample, params),
        "prior": {p.name: {"low": p.low, "high": p.high} for p in params},
        "observed_class_probability_at_median": _at_median(model, sample, observed),
        "observed_class_training_runs": {
            c: int((train["case"].eq(c) & train["outcome"].eq(CLASSES[k])).sum())
            for c, k in zip(cases, observed, strict=True)
        },
        # the posterior without the cases whose observed class none of their own runs reached: their probability
        # is the pooled model's extrapolation, not a frequency of their runs
        "posterior_without_unseen": {"dropped": unseen, **summary(without, params)},
        "sbc": dict(zip(names, tests, strict=True)),
        "sbc_tempered_p_values": tempered,
        "seconds": {k: round(v, 1) for k, v in timings.items()},
    }
    (out / "emulator.json").write_text(json.dumps(result, indent=2) + "\n")
    return result


def _fit(
    train: pd.DataFrame, params: tuple[Param, ...], cases: tuple[str, ...], knots: int, observed: np.ndarray
) -> tuple[OutcomeEmulator, dict[float, float]]:
    """The emulator with its penalty chosen by cross-validation, fitted on all the training runs."""
    model = OutcomeEmulator(params, cases, knots=knots)
    cv = model.select_C(train, DEFAULT_CS)
    model.fit(train)
    unseen = sorted({CLASSES[k] for k in observed} - {CLASSES[k] for k in model.model.classes_})
    if unseen:
        raise ValueError(
            f"observed class {', '.join(unseen)} never came up in {len(train)} training runs: "
            "the emulator cannot give it a probability; simulate more (--thetas) or more cases"
        )
    return model, cv


def _sbc(
    grid: Grid, table: np.ndarray, truths: np.ndarray, outcomes: np.ndarray, draws: int, bins: int, rng: Any
) -> tuple[np.ndarray, list, dict[str, dict[str, float]]]:
    """SBC ranks and their tests, and the tests' power: the same replications under the emulator's likelihood
    raised to each power in TEMPERED (too sharp at 2, too flat at 0.5), whose p-values should be small."""
    ranks = sbc_ranks(grid, table, truths, outcomes, draws, rng)
    names = [p.name for p in grid.params]
    tempered = {}
    for power in TEMPERED:
        wrong = rank_test(sbc_ranks(grid, power * table, truths, outcomes, draws, rng), draws, bins)
        tempered[str(power)] = {name: t["p_value"] for name, t in zip(names, wrong, strict=True)}
    return ranks, rank_test(ranks, draws, bins), tempered


def _settings(
    scenarios: Sequence[Scenario],
    params: tuple[Param, ...],
    thetas: int,
    runs: int,
    replications: int,
    draws: int,
    bins: int,
    cells: int,
    knots: int,
    seed: int,
) -> dict[str, Any]:
    return {
        **identity(scenarios, params),
        "thetas": thetas,
        "runs": runs,
        "replications": replications,
        "draws": draws,
        "bins": bins,
        "grid_cells": cells,
        "knots": knots,
        "seed": seed,
    }


def _never_simulated(train: pd.DataFrame, cases: tuple[str, ...], observed: np.ndarray) -> list[str]:
    """The cases whose observed class came up in none of their training runs."""
    reached = train.groupby("case", observed=True)["outcome"].agg(lambda v: set(v.astype(str)))
    return [c for c, k in zip(cases, observed, strict=True) if CLASSES[k] not in reached.get(c, set())]


def _write_tables(out: Path, names: list[str], sample: np.ndarray, truths: np.ndarray, ranks: np.ndarray) -> None:
    pd.DataFrame(sample, columns=names).to_parquet(out / "posterior.parquet", index=False)
    sbc_table = pd.DataFrame(truths, columns=names)
    for j, name in enumerate(names):
        sbc_table[f"rank:{name}"] = ranks[:, j]
    sbc_table.to_csv(out / "sbc.csv", index_label="replication", float_format="%.6g")


def _at_median(model: OutcomeEmulator, sample: np.ndarray, observed: np.ndarray) -> dict[str, float]:
    """Each case's emulated probability of its observed class at the posterior medians (a fit check)."""
    median = np.median(sample, axis=0)[None, :]
    return {
        case: round(float(np.exp(model.log_proba(median, c)[0, observed[c]])), 4) for c, case in enumerate(model.cases)
    }
