"""Import layering: lower layers never import higher ones, so the core stays usable (and testable) without the
command line, the app or the analysis stack.

Layers, low to high: rules/ (pure decision functions, below the scenario layer because scenario files validate
rule parameters), scenario/, then the model folder by folder: state/ (what the model holds), results/ (what a run
comes to), mechanics/ (what acts do), minds/ (beliefs and anticipation), and agents/model on top of them; then
runner and sweep/, analysis (plots, sweep.analysis, sweep.figures, evaluation/), classroom/, and on top cli/ and
classroom.app. Nothing in rules/ or scenario/ imports the model; nothing below cli/ imports cli/. A new module
must be placed here: an unplaced module fails the test. No import cycle either, TYPE_CHECKING imports included.
"""

from __future__ import annotations

import ast
from fnmatch import fnmatchcase
from pathlib import Path

import pytest

import escalation_sim

PACKAGE = "escalation_sim"
SOURCE = Path(escalation_sim.__file__).resolve().parent

# (pattern over the module's name inside the package, layer); the first match wins. "" is the package itself,
# whose __init__ re-exports the model layer.
LAYERS: list[tuple[str, int]] = [
    ("rules", 0), ("rules.*", 0), ("data", 0), ("data.*", 0), ("files", 0), ("provenance", 0),
    ("scenario", 1), ("scenario.*", 1),
    ("state", 2), ("state.*", 2),
    ("results", 3), ("results.*", 3),
    ("mechanics", 4), ("mechanics.*", 4),
    ("minds", 5), ("minds.*", 5),
    ("agents", 6), ("model", 6), ("display", 6), ("", 6),
    ("sweep.analysis", 8), ("sweep.figures", 8), ("sweep.tournament_figure", 8),
    ("runner", 7), ("samples", 7), ("sweep", 7), ("sweep.*", 7), ("score", 7), ("score.*", 7), ("eventdata", 7),
    ("calibrate.figures", 8), ("calibrate", 7), ("calibrate.*", 7),
    ("learn.figures", 8), ("learn", 7), ("learn.*", 7),
    ("plots", 8), ("evaluation", 8), ("evaluation.*", 8),
    ("icb.scores", 8), ("icb.baselines", 8), ("icb.crossval", 8), ("icb.facts", 8), ("icb.report", 8),
    ("icb.recalibrate", 8), ("icb.reliability", 8), ("icb.compare", 8),
    ("icb", 7), ("icb.*", 7), ("prior_sensitivity", 7),
    ("classroom.app", 10),
    ("classroom", 9), ("classroom.*", 9),
    ("cli", 10), ("cli.*", 10),
]  # fmt: skip
LAYER_NAMES = ["rules/data", "scenario", "state", "results", "mechanics", "minds", "agents/model", "runner/sweep",
               "plots/analysis", "classroom", "cli/classroom.app"]  # fmt: skip
# Within the top layer the two interfaces stay apart: the command line starts the app as a separate process
# (solara run escalation_sim.classroom.app) and never imports it, so `--help` never loads Solara.
APART = [("cli", "classroom.app"), ("cli.*", "classroom.app"), ("classroom.app", "cli"), ("classroom.app", "cli.*")]


def layer_of(module: str) -> int | None:
    for pattern, layer in LAYERS:
        if fnmatchcase(module, pattern):
            return layer
    return None


def module_names(root: Path = SOURCE) -> dict[str, Path]:
    """Every module of the package by its dotted name inside the package ('' for the package itself)."""
    out = {}
    for path in sorted(root.rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def imports_of(module: str, source: str, known: set[str], is_package: bool) -> set[str]:
    """Modules of the package that `module` imports, anywhere in it (lazy imports in functions count too)."""
    here = module.split(".") if module else []
    package = here if is_package else here[:-1]
    found: set[str] = set()

    def add(target: list[str], names: list[str]) -> None:
        base = ".".join(target)
        for name in names:
            sub = f"{base}.{name}" if base else name
            if sub in known:
                found.add(sub)
                break
        else:
            if base in known:
                found.add(base)

    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                target = package[: len(package) - node.level + 1] if node.level > 1 else list(package)
                target += node.module.split(".") if node.module else []
            elif node.module and node.module.split(".")[0] == PACKAGE:
                target = node.module.split(".")[1:]
            else:
                continue
            for alias in node.names:
                add(target, [alias.name])
        elif isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] == PACKAGE:
                    add(parts[1:-1], [parts[-1]]) if len(parts) > 1 else found.add("")
    found.discard(module)
    return found


def violations(sources: dict[str, tuple[str, bool]]) -> list[str]:
    """Each import from a lower layer into a higher one, and each module no layer claims, in words."""
    known = set(sources)
    problems = []
    for module, (source, is_package) in sorted(sources.items()):
        layer = layer_of(module)
        if layer is None:
            problems.append(f"{PACKAGE}.{module} is in no layer: add it to LAYERS in tests/test_layers.py")
            continue
        for target in sorted(imports_of(module, source, known, is_package)):
            target_layer = layer_of(target)
            if target_layer is not None and target_layer > layer:
                problems.append(
                    f"{PACKAGE}.{module} ({LAYER_NAMES[layer]}) imports {PACKAGE}.{target or '__init__'} "
                    f"({LAYER_NAMES[target_layer]}), a higher layer"
                )
            elif any(fnmatchcase(module, a) and fnmatchcase(target, b) for a, b in APART):
                problems.append(
                    f"{PACKAGE}.{module} imports {PACKAGE}.{target}: the command line and the app stay apart"
                )
    return problems


def test_no_module_imports_a_higher_layer() -> None:
    sources = {
        name: (path.read_text(encoding="utf-8"), path.name == "__init__.py") for name, path in module_names().items()
    }
    assert "scenario.schema" in sources and "rules.base" in sources, "the package was not found where expected"
    problems = violations(sources)
    assert not problems, "\n".join(problems)


# --- the checker itself must catch what it is for -----------------------------------------------------------


@pytest.mark.parametrize(
    ("module", "source", "is_package"),
    [
        ("rules.base", "from ..scenario import Scenario", False),
        ("rules", "from .. import cli", True),
        ("scenario.schema", "def f():\n    from ..model import EscalationModel", False),
        ("scenario.load", "from ..agents import CrisisActor", False),
        ("scenario.errors", "import escalation_sim.sweep.spec", False),
        ("model", "import escalation_sim.runner", False),
        ("state.actor", "from ..mechanics import host", False),
        ("results.dyads", "from ..minds import beliefs", False),
        ("mechanics.signals", "from ..minds.beliefs import hear", False),
        ("minds.anticipation", "from ..agents import CrisisActor", False),
        ("mechanics.perception", "from ..sweep import distribution", False),
        ("results.outcomes", "from escalation_sim.plots import timeline", False),
        ("runner", "from .sweep.analysis import summarize", False),
        ("sweep.worker", "from ..classroom.game import Game", False),
        ("sweep.runner", "from .figures import heatmap", False),
        ("classroom.game", "from ..cli.common import fail", False),
        ("classroom.debrief", "from .app import Page", False),
        ("cli.classroom", "from ..classroom.app import Page", False),
    ],
)
def test_checker_flags_upward_imports(module: str, source: str, is_package: bool) -> None:
    sources = {m: ("", False) for m in module_names()}
    sources[module] = (source, is_package)
    problems = [p for p in violations(sources) if p.startswith(f"{PACKAGE}.{module} ")]
    assert len(problems) == 1 and ("a higher layer" in problems[0] or "stay apart" in problems[0]), problems


def test_checker_allows_downward_imports() -> None:
    sources = {m: ("", False) for m in module_names()}
    sources["cli"] = ("from ..runner import run\nfrom ..scenario import load_scenario\nfrom .. import __version__",
                      True)  # fmt: skip
    sources["scenario.schema"] = ("from ..rules import RULES, RuleConfig", False)
    sources["classroom.debrief"] = ("from ..sweep.runner import distribution", False)
    sources["classroom.app"] = ("from .game import Game\nfrom ..plots import timeline", False)
    assert violations(sources) == []


def test_unplaced_module_fails_with_where_to_add_it() -> None:
    sources = {m: ("", False) for m in module_names()}
    sources["newthing"] = ("", False)
    assert violations(sources) == [f"{PACKAGE}.newthing is in no layer: add it to LAYERS in tests/test_layers.py"]


# --- no import cycle among the package's modules, counting every import (TYPE_CHECKING ones included) -------


def import_cycles(sources: dict[str, tuple[str, bool]]) -> list[list[str]]:
    """Every strongly connected set of two or more modules (Tarjan), each sorted; a package's `__init__` counts
    as the module '' or 'folder', as `imports_of` names it."""
    known = set(sources)
    graph = {m: sorted(imports_of(m, src, known, is_pkg)) for m, (src, is_pkg) in sources.items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                group.append(top)
                if top == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return sorted(found)


def test_no_import_cycle() -> None:
    sources = {
        name: (path.read_text(encoding="utf-8"), path.name == "__init__.py") for name, path in module_names().items()
    }
    cycles = import_cycles(sources)
    assert not cycles, "import cycles:\n" + "\n".join(", ".join(m or "__init__" for m in c) for c in cycles)


def test_cycle_finder_sees_a_type_checking_cycle() -> None:
    sources = {m: ("", False) for m in module_names()}
    sources["mechanics.harm"] = (
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from ..model import X",
        False,
    )
    sources["model"] = ("from .mechanics.harm import salvo_casualties", False)
    assert import_cycles(sources) == [["mechanics.harm", "model"]]


def test_the_readme_code_map_names_every_module_and_folder() -> None:
    """README's 'How the code is organised' lists every top-level module and folder of the package, and every
    module of the model's folders (the first place a newcomer looks must not leave anything out)."""
    readme = (SOURCE.parent.parent / "README.md").read_text(encoding="utf-8")
    block = readme.split("## How the code is organised", 1)[1].split("```", 2)[1]
    missing = []
    for name, path in module_names().items():
        parts = name.split(".")
        if name == "" or (len(parts) > 1 and parts[0] not in ("state", "results", "mechanics", "minds")):
            head = parts[0] + ("/" if path.name == "__init__.py" or len(parts) > 1 else ".py")
            if name and head not in block:
                missing.append(head)
            continue
        if path.name != "__init__.py" and f"{parts[-1]}.py" not in block:
            missing.append(name)
    assert not missing, f"not in the README's code map: {sorted(set(missing))}"
