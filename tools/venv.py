"""Make (or repair) the project's virtualenv `.venv` for the README's set-up commands; standard library only.

Run it with the Python you mean to use: `python3 tools/venv.py`. It stops with "needs Python 3.12" when that
Python is older (rather than letting pip fail later with "No matching distribution found for mesa"), and it
recreates a `.venv` left by an older or missing Python (a leftover 3.11 venv would make pip fail the same way).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

NEEDED = (3, 12)  # Mesa 3.5 needs Python 3.12 (pyproject.toml: requires-python)
VENV = Path(__file__).resolve().parents[1] / ".venv"


def venv_python_version(venv: Path) -> tuple[int, int] | None:
    """The (major, minor) of the venv's Python, or None if it has none that runs."""
    python = venv / "bin" / "python"
    try:
        out = subprocess.run([str(python), "-c", "import sys; print(*sys.version_info[:2])"],
                             capture_output=True, text=True, timeout=60, check=True).stdout  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return None
    major, minor = out.split()
    return int(major), int(minor)


def main() -> int:
    here = ".".join(map(str, sys.version_info[:3]))
    if sys.version_info[:2] < NEEDED:
        print(f"escalation-sim needs Python {NEEDED[0]}.{NEEDED[1]} or newer; {sys.executable} is Python {here}.\n"
              f"Install Python {NEEDED[0]}.{NEEDED[1]} (pyenv install 3.12, or your system's python3.12 package) "
              f"and run the same command with it, e.g. python3.12 tools/venv.py", file=sys.stderr)  # fmt: skip
        return 1
    if VENV.exists():
        found = venv_python_version(VENV)
        if found is not None and found >= NEEDED:
            print(f"using {VENV} (Python {found[0]}.{found[1]})")
            return 0
        what = f"Python {found[0]}.{found[1]}" if found else "a Python that no longer runs"
        print(f"recreating {VENV}: it was made with {what}; escalation-sim needs {NEEDED[0]}.{NEEDED[1]}+")
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(VENV)], check=True)
    print(f"made {VENV} with Python {here}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
