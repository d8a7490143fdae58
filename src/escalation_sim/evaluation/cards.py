"""The cards' "where the model gets it wrong" (`card.gets_wrong`), drafted from `evaluate`'s measured numbers.

Why a draft from numbers: issue 22 found test cards written before the freeze. A test card is drafted only from
an output folder of the frozen stage whose freeze git shows committed before HEAD (`protocol.freeze_commit`), so a
card can never quote a test number computed before the freeze. The text says what was measured and where the
fitted model (and the hand-set one) puts its mass against history; an author may edit it afterwards.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pandas as pd

from ..files import write_text
from ..results.outcomes import OUTCOMES
from ..score.frozen import FrozenError
from .protocol import freeze_commit

LINE = re.compile(r"^(  gets_wrong: ).*$", re.MULTILINE)


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def draft(o: dict[str, Any], s: dict[str, Any], digest: str, runs: int) -> str:
    """One case's text from its outcomes row `o` and scores row `s`."""
    observed = o["observed"]
    sample = "in sample (train case)" if o["split"] == "train" else "out of sample (test case)"
    top = max(OUTCOMES, key=lambda k: o[f"share_{k}"])
    parts = [
        f"Measured by `escalation-sim evaluate` (protocol {digest[:12]}, {runs} runs, {sample}): history was "
        f"{observed}; the fitted quantal model gives it {_pct(o[f'share_{observed}'])} "
        f"({_pct(o[f'low_{observed}'])}-{_pct(o[f'high_{observed}'])})"
        + ("" if top == observed else f" and puts most runs on {top} ({_pct(o[f'share_{top}'])})")
        + f"; the hand-set doctrines give it {_pct(o[f'share_{observed}_handset'])}.",
        f"Ranked probability score {o['rps_model']:.3f} (hand-set {o['rps_handset']:.3f}, uniform "
        f"{o['rps_uniform']:.3f}, train climatology {o['rps_climatology']:.3f}; lower is better).",
    ]
    if o.get("horizon_sensitive"):
        parts.append(
            f"The class shares move by {100 * o['horizon_max_move']:.1f} points with the horizon moved four weeks: "
            "horizon-sensitive, not counted among modal classes."
        )
    losses = s.get("model_loses_to")
    losses = losses if isinstance(losses, str) else ""  # an empty CSV cell is read back as NaN
    parts.append(
        f"On the record the fitted model scores {s['model']:.1f} nats against prequential base rate "
        f"{s['prequential_base_rate']:.1f}, Markov-1 {s['prequential_markov1']:.1f} and Hawkes {s['hawkes']:.1f}"
        + (f" (it loses to {losses})." if losses else " (it beats each baseline).")
    )
    return " ".join(parts)


def drafts(results: Path, split: str, registry: Path) -> dict[str, str]:
    """Each `split` case's draft from the output folder `results`; FrozenError for test cards without a
    committed freeze behind the output."""
    report_path = results / "report.json"
    if not report_path.exists():
        raise ValueError(f"{report_path}: no such file; run `escalation-sim evaluate` first")
    report = json.loads(report_path.read_text())
    digest = report["frozen"]["sha256"]
    if split == "test":
        if report["frozen"].get("commit") is None:
            raise FrozenError(
                f"{results}: a train-stage output; test cards are drafted only after `escalation-sim evaluate "
                "--frozen HASH` (after the freeze commit)"
            )
        freeze_commit(digest, registry)  # and the freeze is still in git's history at HEAD
    outcomes = pd.read_csv(results / "outcomes.csv")
    scores = pd.read_csv(results / "scores.csv").set_index("case")
    rows = outcomes[outcomes["split"] == split]
    if rows.empty:
        raise ValueError(f"{results}/outcomes.csv: no {split} case measured")
    runs = int(report["settings"]["runs"])
    return {r["case"]: draft(r, scores.loc[r["case"]].to_dict(), digest, runs) for r in rows.to_dict("records")}


def apply(library: Path, texts: dict[str, str]) -> list[str]:
    """Write each draft into its case file's `gets_wrong` line (the rest of the file kept byte for byte)."""
    changed = []
    for name, text in texts.items():
        path = library / f"{name}.yaml"
        source = path.read_text(encoding="utf-8")
        if len(LINE.findall(source)) != 1:
            raise ValueError(f"{path}: expected one `  gets_wrong:` line in its card")
        quoted = json.dumps(text, ensure_ascii=False)  # a JSON string is a valid double-quoted YAML scalar
        write_text(path, LINE.sub(lambda m, q=quoted: m.group(1) + q, source))
        changed.append(name)
    return changed
