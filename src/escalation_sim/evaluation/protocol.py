"""The evaluation protocol that git can prove: test-case outputs only after a committed freeze, modal classes only
where the Monte Carlo interval separates them.

Why git: a registry entry written and read in the same run proves nothing about order (issue 22 found the frozen
hash committed in the same commit as the test results). Here `evaluate` writes a test case's outputs only when the
frozen hash is already in a commit of the repository's history (HEAD or an ancestor of it). The outputs are new,
uncommitted files, so any commit that adds them is a descendant of HEAD: `git log --follow
calibration/frozen.json` then shows the freeze in a commit before the first commit containing a test output.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from ..score.frozen import FrozenError
from ..sweep.analysis import wilson_interval

UNCLEAR = "unclear"  # the modal class is not reported: its interval overlaps the runner-up's


def _git(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)


def freeze_commit(digest: str, registry: Path) -> str:
    """The oldest commit (HEAD or an ancestor) whose `registry` contains `digest`; FrozenError saying what to do
    when there is none."""
    registry = registry.resolve()
    folder = registry.parent
    top = _git(["rev-parse", "--show-toplevel"], folder if folder.exists() else Path.cwd())
    what_to_do = (
        f"commit the registry first: `git add {registry.name} && git commit -m 'Freeze {digest[:12]}'` in "
        f"{folder}, then run `escalation-sim evaluate --frozen {digest[:12]}` (which uses the committed "
        "parameters and does not fit again)"
    )
    if top.returncode != 0:
        raise FrozenError(
            f"{registry}: not in a git repository, so the freeze cannot be shown to come before the test "
            f"outputs; {what_to_do}"
        )
    root = Path(top.stdout.strip())
    relative = registry.relative_to(root).as_posix()
    log = _git(["log", "--format=%H", "--reverse", "-S", digest, "HEAD", "--", relative], root)
    commits = log.stdout.split()
    if log.returncode != 0 or not commits:
        raise FrozenError(
            f"the frozen parameters' hash {digest[:12]} is not in any commit of {relative} up to HEAD; "
            f"test-case outputs are written only after the freeze is committed: {what_to_do}"
        )
    shown = _git(["show", f"HEAD:{relative}"], root)
    if digest not in shown.stdout:
        raise FrozenError(
            f"{relative} at HEAD no longer contains {digest[:12]} (it was removed after {commits[0][:12]}); "
            "restore the entry and commit it before evaluating the test split"
        )
    return commits[0]


def resolve_frozen(prefix: str, entries: dict[str, dict]) -> str:
    """The registry hash that starts with `prefix` (at least 8 characters, one match)."""
    matches = [h for h in entries if h.startswith(prefix)]
    if len(prefix) < 8 or len(matches) != 1:
        known = ", ".join(h[:12] for h in entries) or "none"
        raise FrozenError(
            f"--frozen {prefix}: expected the first 8 or more characters of one recorded hash (recorded: {known})"
        )
    return matches[0]


def clear_modal(counts: dict[str, int], n: int, confidence: float = 0.95) -> str:
    """The modal class if its Wilson interval lies wholly above the runner-up's, else UNCLEAR.

    Why: at 200 runs a case at 46% against 42% names a "modal class" that a re-run may reverse; a class is
    reported as the model's answer only when the intervals do not overlap.
    """
    ranked = sorted(counts, key=lambda k: counts[k], reverse=True)
    if len(ranked) < 2:
        return ranked[0] if ranked else UNCLEAR
    top_low, _ = wilson_interval(counts[ranked[0]], n, confidence)
    _, second_high = wilson_interval(counts[ranked[1]], n, confidence)
    return ranked[0] if top_low > second_high else UNCLEAR
