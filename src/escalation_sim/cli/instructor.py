"""`escalation-sim instructor-key`: write the instructor's key to notebook 05 on demand.

The key ships inside the package (escalation_sim/data/instructor/), not under notebooks/, so that students who
open the notebooks folder do not find the answers beside the exercises.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Annotated

import typer

from ..files import write_bytes
from .common import CLASSROOM, check_output, console, examples, fail

KEYS = ("05_classroom_key.ipynb",)


def key_files() -> list[Path]:
    """The instructor's notebooks shipped in the package."""
    folder = resources.files("escalation_sim.data") / "instructor"
    return [Path(str(folder / name)) for name in KEYS]


def instructor_key(
    out: Annotated[Path, typer.Option(help="Folder to write the key into (created if missing).")],
    overwrite: Annotated[bool, typer.Option(help="Replace a key already in OUT.")] = False,
) -> None:
    """Write the instructor's key to the classroom notebook (05) into OUT: answers, and how to discuss them."""
    check_output(out, "--out", folder=True)  # a file or a device is refused before anything is written
    written = []
    try:
        for source in key_files():
            target = out / source.name
            if target.exists() and not overwrite:
                raise fail(f"{target} exists; add --overwrite to replace it, or choose another --out")
            write_bytes(target, source.read_bytes())  # whole or not at all, a regular file
            written.append(target)
    except OSError as exc:
        raise fail(f"--out {out}: cannot write the key ({exc.strerror}); choose another folder") from None
    console.print(
        f"wrote {', '.join(str(p) for p in written)}; keep it out of the students' copy", highlight=False, markup=False
    )


def register(app: typer.Typer) -> None:
    app.command(
        name="instructor-key",
        rich_help_panel=CLASSROOM,
        epilog=examples(
            "escalation-sim instructor-key --out ~/teaching/key",
            "escalation-sim instructor-key --out key --overwrite   # after updating the package",
            note="Open it with:  jupyter lab ~/teaching/key/05_classroom_key.ipynb  (pip install -e '.[notebooks]')",
        ),
    )(instructor_key)
