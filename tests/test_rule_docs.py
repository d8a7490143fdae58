"""Every registered rule is documented: a row in docs/model.md's rule table, and a `Source:` line in the rule
class's docstring that matches the table's source column (docs/adding-a-rule.md says how to add both)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from escalation_sim.rules import RULES

ROOT = Path(__file__).resolve().parents[1]
MODEL_DOC = ROOT / "docs" / "model.md"
ROW = re.compile(r"^\| `(?P<name>\w+)` \| (?P<doctrine>.+) \| (?P<source>.+) \|$")


def rule_table() -> dict[str, str]:
    """Rule name -> source, from the table of section 4 of docs/model.md."""
    return {m["name"]: m["source"] for line in MODEL_DOC.read_text(encoding="utf-8").splitlines()
            if (m := ROW.match(line))}  # fmt: skip


def source_line(cls: type) -> str | None:
    for line in (cls.__doc__ or "").splitlines():
        if line.strip().startswith("Source:"):
            return line.strip().removeprefix("Source:").strip()
    return None


def test_the_table_is_found() -> None:
    assert "tit_for_tat" in rule_table(), f"the rule table of {MODEL_DOC} was not found (| `name` | ... | ... |)"


@pytest.mark.parametrize("name", sorted(RULES))
def test_every_registered_rule_is_in_the_docs(name: str) -> None:
    table = rule_table()
    assert name in table, (
        f"rule {name!r} is registered but has no row in the rule table of docs/model.md (section 4): add "
        f"| `{name}` | what it does | its source |  (see docs/adding-a-rule.md)"
    )
    source = source_line(RULES[name])
    assert source == table[name], (
        f"rule {name!r}: the class docstring's 'Source: {source}' must match docs/model.md's source column "
        f"'{table[name]}'"
    )


def test_every_documented_rule_is_registered() -> None:
    unknown = sorted(set(rule_table()) - set(RULES))
    assert not unknown, f"docs/model.md's rule table names rules that are not registered: {unknown}"
