"""Posterior-predictive check of the learned model by forward runs (issue 19): what a one-step fit cannot see.

`escalation-sim learn` fits the quantal weights by the one-step-ahead likelihood of recorded decisions: each
decision is scored in the state history put the actor in. Forward runs feed the model's own acts back into its
features (an actor's own force makes it `engaged`, its alert `mobilised`), so a weight that fits every recorded
step can still make runs that look nothing like any record: force begetting force. The check runs each train
record forward from its branch exactly as `evaluate` does (`measure.learned`: every actor under the quantal rule
at the package's weights; seeds `run_seed(seed, 0, r)` as `distribution`, so run r here is run r there) and puts
statistics of the runs beside the same statistics of the record (Gelman, Meng & Stern 1996; Gelman et al. 2013,
ch. 6), for each arm: the shipped weights, and the same with the onset weights set to 0 (an ablation, same seeds).

Statistics (forward_stats.py computes them from a run's records and from the record's replay alike):
- the outcome class (shares, ranked probability score of the observed class);
- per actor, chosen force acts per 30 days after the branch (an operation's daily acts included), and the day of
  its first decided act of force (an operation's continuation is no decision);
- clustering: Fisher's index of dispersion of weekly counts of force acts (all actors), var / mean, with its test
  against a Poisson process of the same rate; a week is the `engaged` half-life (a day cannot show a burst of a
  one-act-a-day campaign);
- for each, the posterior-predictive p-value P(run's statistic >= record's).
Analysis layer; the runs go through the sweep's shared process pool (`sweep.executors.shared_pool`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, wait
from dataclasses import dataclass
from typing import Any

from ..learn.extract import quantal_everywhere
from ..model import EscalationModel
from ..results.standard_coding import code_standard
from ..scenario import Scenario, validate_scenario_data
from ..sweep.design import run_seed
from ..sweep.executors import shared_pool
from .forward_stats import RunStats, force_stats
from .measure import learned

ONSET = ("mobilised", "engaged", "pent_up", "crisis_age")  # rules/features.py, the onset features (issue 19)
# the shipped weights; the onset weights at 0; each onset weight at 0 alone (which feature does it)
ARMS: dict[str, dict[str, float]] = {"shipped": {}, "no_onset": dict.fromkeys(ONSET, 0.0)} | {
    f"no_{name}": {name: 0.0} for name in ONSET
}
CHUNK = 5  # runs per task: a forward quantal run is ~1 CPU-s, so a task is a few seconds
Progress = Callable[[int], None]


def arm_scenario(case: Scenario, arm: str, weights: str | None = None) -> Scenario:
    """The case as `evaluate` runs it (every actor quantal at the package's weights, or at the weights file
    `weights`), with the arm's weights set over the file's (`ARMS`; {} is the file's model itself)."""
    base = learned(case) if weights is None else quantal_everywhere(case, weights)
    zeroed = ARMS[arm]
    if not zeroed:
        return base
    return base.with_edits({f"actors.{a}.rule.weights": dict(zeroed) for a in base.actors})


def record_stats(case: Scenario) -> RunStats:
    """The record's statistics: history replayed as recorded (no branch), coded from the case's branch; its
    outcome is the case's `observed_outcome`, or history coded by the runs' rule where it has none (jan2020)."""
    model = EscalationModel(scenario=case, rng=0, replay_only=True, collect=False)
    model.run_model()
    branch = (case.branch_date - case.start_date).days if case.branch_date is not None else 0
    coded = code_standard(model, branch).headline
    return force_stats(model, branch, str(case.observed_outcome or coded))


@dataclass(frozen=True)
class Task:
    """Runs `first`..`first + count - 1` of one arm of one case (the scenario as JSON, validated once per worker)."""

    case: str
    arm: str
    digest: str
    data: dict[str, Any]
    first: int
    count: int
    seed: int


_VALID: dict[str, Scenario] = {}


def run_task(task: Task) -> list[RunStats]:
    """Each run of the task from the case's branch, to its horizon (as sweep/worker.py runs a point)."""
    scenario = _VALID.get(task.digest)
    if scenario is None:
        scenario = _VALID[task.digest] = validate_scenario_data(task.data, f"{task.case} ({task.arm})")
    out = []
    for r in range(task.first, task.first + task.count):
        seed = run_seed(task.seed, 0, r)
        model = EscalationModel(scenario=scenario, rng=seed, collect=False)
        model.run_model()
        out.append(force_stats(model, model.branch_day, model.outcome.outcome, run=r))
    return out


def tasks_of(
    cases: Iterable[Scenario], arms: Iterable[str], runs: int, seed: int, weights: str | None = None
) -> list[Task]:
    out = []
    for case in cases:
        for arm in arms:
            scenario = arm_scenario(case, arm, weights)
            data = scenario.model_dump(mode="json")
            digest = scenario.sha256()
            for first in range(0, runs, CHUNK):
                out.append(Task(case.name, arm, digest, data, first, min(CHUNK, runs - first), seed))
    return out


def forward_runs(
    tasks: list[Task], workers: int, tick: Progress | None = None
) -> dict[tuple[str, str], list[RunStats]]:
    """Every task's runs, by (case, arm), in run order; `tick(runs done)` as tasks finish."""
    found: dict[tuple[str, str], list[RunStats]] = {}
    step = tick or (lambda n: None)
    if workers <= 1:
        for task in tasks:
            found.setdefault((task.case, task.arm), []).extend(run_task(task))
            step(task.count)
    else:
        pool = shared_pool(workers)
        pending = {pool.submit(run_task, t): t for t in tasks}
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                task = pending.pop(future)
                found.setdefault((task.case, task.arm), []).extend(future.result())
                step(task.count)
    return {key: sorted(rows, key=lambda s: s.run) for key, rows in found.items()}


def check(
    cases: list[Scenario],
    runs: int,
    seed: int = 0,
    workers: int = 2,
    arms: Iterable[str] = tuple(ARMS),
    tick: Progress | None = None,
    weights: str | None = None,
) -> tuple[dict[str, RunStats], dict[tuple[str, str], list[RunStats]], float]:
    """(record statistics by case, run statistics by (case, arm), seconds) for `runs` runs per case and arm, at
    the package's weights or the weights file `weights`."""
    for case in cases:
        if case.split == "test":
            raise ValueError(f"{case.name}: split is test; the forward check runs train records only")
    began = time.perf_counter()
    records = {case.name: record_stats(case) for case in cases}
    found = forward_runs(tasks_of(cases, list(arms), runs, seed, weights), workers, tick)
    return records, found, time.perf_counter() - began
