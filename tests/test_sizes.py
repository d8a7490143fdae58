"""Size limits that keep the code readable as the model grows: no module over 400 lines, no class over 250, no
function over 80 (issue 7). `python tests/test_sizes.py` lists the largest of each.

A limit that fails says which module, class or function to split; split it by what it is about (as
`perception.py` was split out of `model.py`), not by cutting it in half.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import escalation_sim

SOURCE = Path(escalation_sim.__file__).resolve().parent
LIMITS = {"module": 400, "class": 250, "function": 80}


def measure(root: Path = SOURCE) -> list[tuple[str, str, int]]:
    """(kind, name, lines) for every module, class and function (methods and nested functions too)."""
    out: list[tuple[str, str, int]] = []
    for path in sorted(root.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        module = path.relative_to(root.parent).as_posix()
        out.append(("module", module, len(text.splitlines())))
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
                kind = "class" if isinstance(node, ast.ClassDef) else "function"
                start = min([node.lineno, *(d.lineno for d in node.decorator_list)])
                size = (node.end_lineno or node.lineno) - start + 1
                out.append((kind, f"{module}:{node.lineno} {node.name}", size))
    return out


def largest(sizes: list[tuple[str, str, int]], kind: str, n: int = 5) -> list[tuple[str, int]]:
    return sorted(((name, size) for k, name, size in sizes if k == kind), key=lambda x: -x[1])[:n]


def test_nothing_is_too_large() -> None:
    sizes = measure()
    too_large = [f"{kind} {name}: {size} lines (limit {LIMITS[kind]})" for kind, name, size in sizes
                 if size > LIMITS[kind]]  # fmt: skip
    assert not too_large, "split these:\n" + "\n".join(too_large)


def test_the_measure_sees_the_package() -> None:
    names = {name for kind, name, _ in measure() if kind == "module"}
    assert "escalation_sim/model.py" in names and "escalation_sim/cli/__init__.py" in names


if __name__ == "__main__":
    measured = measure(Path(sys.argv[1]) if len(sys.argv) > 1 else SOURCE)
    for kind in LIMITS:
        print(f"largest {kind}s (limit {LIMITS[kind]} lines):")
        for name, size in largest(measured, kind, 8):
            print(f"  {size:5d}  {name}")
