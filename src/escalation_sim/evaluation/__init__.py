"""The out-of-sample protocol over the crisis library (issues 19 item 5, 22 item 3; docs/protocol.md): the fitted
quantal model against the hand-set doctrines, each against uniform, the train climatology and the prequential and
Hawkes record baselines, with everything that decides the numbers frozen in a git commit before any test output.

    __init__.py  `evaluate`: the stages in order, resumable case by case (cases/NAME.json under the frozen hash)
    freeze.py    what is frozen (weights file, shared parameters, settings, model source, case files, the
                 decision rule) and the check that it has not moved
    measure.py   one case under both models: outcome shares, horizon and tremble shifts, record log-likelihoods
    summary.py   means with bootstrap intervals over cases, modal and record counts, the decision
    metrics.py   Brier, ranked probability and log scores, bootstrap interval of a mean
    climate.py   the train split's climatology for each case (a train case left out of its own)
    horizon.py   a case with its horizon moved
    tremble.py   a case with every actor's tremble at 0, 1 and 2 times its value
    protocol.py  the git check that the freeze was committed before any test output; the modal class rule
    tables.py    the tables in Markdown (tables.md); figures.py the shares figure; cards.py `gets_wrong` drafts

Stages: `--freeze-only` records the frozen entry and stops (seconds); without `--frozen` the train cases are
measured (the entry recorded unless told not to); `--frozen HASH` checks with git that the entry is in a commit at
or before HEAD and that nothing it covers has moved, and only then measures the test cases. Analysis layer.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pandas as pd

from ..files import write_text
from ..provenance import provenance
from ..scenario import Scenario, load_scenario
from ..score.frozen import DEFAULT_REGISTRY, FrozenError, record
from ..score.frozen import registry as read_registry
from .freeze import Frozen, digest_of, protocol_entry, settings_of, verify
from .measure import frame, measure_case
from .protocol import freeze_commit, resolve_frozen
from .summary import summarise

Progress = Callable[[str, int, int], None]
OUTCOME_KEYS = ("case", "split", "observed", "rps_model", "rps_uniform", "rps_climatology", "rps_handset")
SCORE_KEYS = (
    "case",
    "split",
    "model",
    "handset",
    "uniform",
    "climatology",
    "prequential_base_rate",
    "prequential_markov1",
    "hawkes",
)


def library_cases(folder: Path) -> tuple[list[Scenario], dict[str, Path]]:
    """The library's cases (file order) and each case's file."""
    paths = sorted(Path(folder).glob("*.yaml"))
    cases = [load_scenario(p) for p in paths]
    for case in cases:
        if case.split not in ("train", "test") or case.observed_outcome is None:
            raise ValueError(f"{case.name}: a library case needs `split` (train or test) and `observed_outcome`")
    return cases, {c.name: p for c, p in zip(cases, paths, strict=True)}


def freeze(library: Path, settings: Frozen, registry: Path = DEFAULT_REGISTRY) -> tuple[str, dict[str, Any]]:
    """Record the protocol entry of this tree in `registry` (no run); returns its hash and the entry."""
    cases, files = library_cases(library)
    entry = protocol_entry(cases, files, settings)
    note = "evaluate --freeze-only: fitted quantal weights, settings, model source, library and decision rule"
    return record(entry, note, registry), entry


def evaluate(
    library: Path,
    out: Path,
    settings: Frozen | None = None,
    registry: Path = DEFAULT_REGISTRY,
    progress: Progress | None = None,
    frozen_hash: str | None = None,
    workers: int = 2,
    record_freeze: bool = True,
    split: str | None = None,
) -> dict[str, Any]:
    """The stage asked for, into `out`; returns report.json's content. `progress(stage, done, total)`.

    Without `frozen_hash`: the protocol entry of this tree (recorded in `registry` if `record_freeze`), the
    train cases only. With it: the entry must be committed (git) and match this tree; every case, test included,
    with the frozen settings (train cases already measured under the same hash are reused); `split` "test"
    limits it to the test cases (the decision needs only them).
    """
    tick = progress or (lambda stage, done, total: None)
    cases, files = library_cases(library)
    commit = None
    if frozen_hash is None:
        s = settings or Frozen()
        entry = protocol_entry(cases, files, s)
        note = "evaluate (train stage): fitted quantal weights, settings, model source, library and decision rule"
        digest = record(entry, note, registry) if record_freeze else digest_of(entry)
        measured = [c for c in cases if c.split == "train"]
    else:  # the committed freeze, checked with git and against this tree BEFORE anything is computed
        entries = read_registry(registry)
        digest = resolve_frozen(frozen_hash, entries)
        entry = entries[digest]["params"]
        s = settings_of(entry)
        if settings is not None and settings != s:
            raise FrozenError(f"--frozen {frozen_hash}: the settings are the frozen ones ({s}); do not pass others")
        commit = freeze_commit(digest, registry)
        verify(entry, protocol_entry(cases, files, s), digest)
        measured = [c for c in cases if split in (None, c.split)]
    began = time.time()
    outcomes, scores = _measure_all(measured, cases, s, digest, out, workers, tick)
    report = _report(outcomes, scores, entry, digest, registry, commit, s, record_freeze or commit is not None)
    report["seconds"] = {"cases": time.time() - began}
    _write(out, outcomes, scores, report)
    return report


def _measure_all(
    measured: list[Scenario], cases: list[Scenario], s: Frozen, digest: str, out: Path, workers: int, tick: Progress
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Each case measured or, if measured before under the same hash, read back (resumable)."""
    folder = out / "cases"
    folder.mkdir(parents=True, exist_ok=True)
    rows, scores = [], []
    for i, case in enumerate(measured):
        tick("cases", i, len(measured))
        path, partial = folder / f"{case.name}.json", folder / f"{case.name}.partial.json"
        kept = json.loads(path.read_text()) if path.exists() else {}
        if kept.get("frozen") != digest:
            began = time.time()
            steps = json.loads(partial.read_text()) if partial.exists() else {}
            parts = steps.get("parts", {}) if steps.get("frozen") == digest else {}

            def keep(parts: dict[str, Any], partial: Path = partial) -> None:
                write_text(partial, json.dumps({"frozen": digest, "parts": parts}, default=_plain) + "\n")

            outcome, score = measure_case(case, cases, s, workers, _sayer(case.name, tick), parts, keep)
            kept = {"frozen": digest, "outcome": outcome, "score": score, "seconds": time.time() - began}
            write_text(path, json.dumps(kept, indent=1, default=_plain) + "\n")
            partial.unlink(missing_ok=True)
        rows.append(kept["outcome"] | {"seconds": kept["seconds"]})
        scores.append(kept["score"])
    tick("cases", len(measured), len(measured))
    return frame(rows), frame(scores)


def _sayer(name: str, tick: Progress) -> Callable[[str], None]:
    """A case's bar: three steps (each model's runs, then the record's likelihoods)."""
    done = [0]

    def say(what: str) -> None:
        tick(f"{name} ({what})" if done[0] < 3 else name, done[0], 3)
        done[0] += 1

    return say


def _plain(value: Any) -> Any:
    """numpy scalars as JSON numbers."""
    return value.item() if hasattr(value, "item") else str(value)


def _report(outcomes, scores, entry, digest, registry, commit, s, recorded: bool) -> dict[str, Any]:
    return {
        **provenance(),
        "stage": "train cases only (train stage)" if commit is None else "all cases (frozen stage)",
        "frozen": {
            "sha256": digest,
            "registry": str(registry),
            "recorded": recorded,
            "commit": commit,
            "weights_sha256": entry["weights_sha256"],
            "source_sha256": entry["source_sha256"],
            "shared_parameters": entry["shared_parameters"],
        },
        "settings": asdict(s),
        "decision_rule": entry["decision_rule"],
        "summary": summarise(outcomes, scores),
    }


def _write(out: Path, outcomes: pd.DataFrame, scores: pd.DataFrame, report: dict[str, Any]) -> None:
    from .figures import shares_figure
    from .tables import markdown

    outcomes.to_csv(out / "outcomes.csv", index=False, float_format="%.6g", lineterminator="\n")
    scores.to_csv(out / "scores.csv", index=False, float_format="%.6g", lineterminator="\n")
    write_text(out / "report.json", json.dumps(report, indent=2, default=_plain) + "\n")
    write_text(out / "tables.md", markdown(outcomes, scores, report))
    shares_figure(outcomes).savefig(out / "shares.png", dpi=110)


__all__ = ["Frozen", "evaluate", "freeze", "library_cases"]
