"""What the out-of-sample protocol freezes, and the check that nothing of it moved before the test split is run.

The frozen entry (docs/protocol.md) is a JSON object whose sha256 (`score.frozen.params_hash`) is recorded in
calibration/frozen.json. It covers everything that decides the test numbers:
- the fitted quantal weights: the content hash of the package's data/quantal_weights.json (what the shipped rule
  reads), fitted on jan2020 and the train split by `escalation-sim learn`;
- the shared parameters applied to both models (`SHARED`: none; the package defaults, whose code is hashed);
- the settings: runs per case, horizon runs and shift, seed, particles and replications of the hand-set model's
  filter, replays of the learned model's surrogate;
- the model's source (every module that can change a run or a score; the command line, the classroom, the ICB
  population and the presentation of tables and cards are left out) and each library case's file with its split;
- the decision rule and the metrics, stated in words, before any test output exists.

Why the source and the case files: a parameter, a case or a mechanism changed after the freeze would make the
"frozen" numbers those of another model (issue 22 found a test-case parameter changed after its freeze).
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from ..scenario import Scenario
from ..score.frozen import FrozenError, params_hash

PACKAGE = Path(__file__).resolve().parents[1]
WEIGHTS = PACKAGE / "data" / "quantal_weights.json"
SHARED: dict[str, Any] = {}  # shared parameters applied to both models: none, the defaults (in the source hash)
NOT_MODEL = (
    "cli",
    "classroom",
    "icb",
    "evaluation/tables.py",
    "evaluation/figures.py",
    "evaluation/cards.py",
    "evaluation/forward_check.py",
    "evaluation/forward_stats.py",
    "evaluation/forward_report.py",
)
PROTOCOL = "escalation-sim evaluate, issue 19 item 5 and issue 22 item 3 (docs/protocol.md)"
DECISION_RULE = (
    "The fitted quantal model (every actor under the quantal rule with the frozen weights) replaces the hand-set "
    "doctrines as the shipped default if and only if its mean ranked probability score of the outcome class over "
    "the test cases is strictly lower than the hand-set model's (both at the frozen runs per case, common seeds). "
    "The 90% bootstrap interval over test cases of the difference is reported beside it and does not change the "
    "decision. Otherwise the hand-set doctrines stay the default and the quantal rule stays selectable."
)
METRICS = (
    "per case and model: outcome-class shares (95% Wilson), ranked probability score, Brier score, log score "
    "(Jeffreys-smoothed counts) of the observed class, against uniform and the train split's class frequencies; "
    "means over test cases with 90% percentile bootstrap intervals (9,999 resamples, seed 0) of each difference; "
    "modal class only where its interval clears the runner-up's and the case is neither horizon- nor "
    "tremble-sensitive (shares moved 5 points or more by the horizon +-shift, or by every actor's tremble at 0, 1 "
    "and 2 times its value, over the horizon runs' seeds); record "
    "log-likelihood (nats): learned model by its surrogate at the frozen weights, hand-set model by particle "
    "filter, against uniform, train climatology, prequential base rate, prequential Markov-1 and Hawkes, each per "
    "channel (a words and a deeds decision per actor-day)"
)


@dataclass(frozen=True)
class Frozen:
    """The settings the freeze fixes (workers are not among them: results do not depend on them)."""

    runs: int = 1000
    horizon_runs: int = 250  # paired with the case's own first runs (same seeds)
    horizon_shift_days: int = 28
    seed: int = 0
    score_particles: int = 200
    score_replications: int = 2
    surrogate_replays: int = 4


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def source_sha256(package: Path = PACKAGE) -> str:
    """One hash over the model's source files (relative path and content), in path order."""
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*")):
        relative = path.relative_to(package).as_posix()
        if not path.is_file() or path.suffix not in (".py", ".yaml", ".json") or "__pycache__" in relative:
            continue
        if any(relative == part or relative.startswith(part + "/") for part in NOT_MODEL):
            continue
        digest.update(relative.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def protocol_entry(cases: list[Scenario], files: dict[str, Path], settings: Frozen) -> dict[str, Any]:
    """The entry to freeze: everything in this module's docstring, as JSON values."""
    return {
        "protocol": PROTOCOL,
        "weights_file": "escalation_sim/data/quantal_weights.json",
        "weights_sha256": file_sha256(WEIGHTS),
        "shared_parameters": dict(SHARED),
        "settings": asdict(settings),
        "source_sha256": source_sha256(),
        "cases": {c.name: {"split": c.split, "sha256": file_sha256(files[c.name])} for c in cases},
        "decision_rule": DECISION_RULE,
        "metrics": METRICS,
    }


def digest_of(entry: dict[str, Any]) -> str:
    return params_hash(entry)


def settings_of(entry: dict[str, Any]) -> Frozen:
    """The frozen settings of a registry entry; FrozenError if it is not a protocol entry."""
    if not isinstance(entry, dict) or entry.get("protocol") != PROTOCOL:
        raise FrozenError(
            "the registry entry is not an out-of-sample protocol entry (an older freeze of shared parameters?); "
            "freeze the protocol with `escalation-sim evaluate --freeze-only`, commit it, then use its hash"
        )
    return Frozen(**entry["settings"])


def differences(frozen: dict[str, Any], now: dict[str, Any]) -> list[str]:
    """What moved since the freeze, in words (empty: nothing)."""
    out = []
    for key in sorted(set(frozen) | set(now)):
        if key == "cases":
            continue
        if frozen.get(key) != now.get(key):
            out.append(f"{key} changed since the freeze")
    before, after = frozen.get("cases", {}), now.get("cases", {})
    for name in sorted(set(before) | set(after)):
        if name not in after:
            out.append(f"case {name} was frozen but is not in the library now")
        elif name not in before:
            out.append(f"case {name} is in the library but was not frozen")
        elif before[name] != after[name]:
            out.append(f"case {name}'s file or split changed since the freeze")
    return out


def verify(frozen: dict[str, Any], now: dict[str, Any], digest: str) -> None:
    """FrozenError naming what moved, if anything did."""
    moved = differences(frozen, now)
    if moved:
        raise FrozenError(
            f"the frozen protocol {digest[:12]} no longer matches this tree: "
            + "; ".join(moved[:6])
            + ". Test outputs are computed only with what was frozen: restore it (git checkout), or freeze "
            "again with `escalation-sim evaluate --freeze-only`, commit, and use the new hash"
        )
