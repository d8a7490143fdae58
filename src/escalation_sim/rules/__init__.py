"""Deterrence rules: one small class per doctrine, registered by name, classified by traits.

To add a rule, drop one module in this package with a `Params` model (whose `name` is a Literal) and a
`@register`ed `Rule` subclass. It is imported here automatically; scenario files can then name it, and the
JSON Schema, `escalation-sim list` and the app pick it up.
"""

import importlib
import pkgutil
from typing import Annotated, Union

from pydantic import Field

from .base import CLASSIFIER_KEYS, NO_TARGET, RULES, Forecast, Option, Policy, Rule, RuleParams, View, make_rule

for _module in sorted(m.name for m in pkgutil.iter_modules(__path__)):
    if _module != "base":
        importlib.import_module(f"{__name__}.{_module}")

from .mixture import Component  # noqa: E402
from .regime import Trigger  # noqa: E402

_COMPOSITE_PARTS = (Component, Trigger)

RuleConfig = Annotated[
    Union[tuple(RULES[name].Params for name in sorted(RULES))],  # type: ignore[valid-type]  # noqa: UP007
    Field(discriminator="name"),
]

for _params in {*(cls.Params for cls in RULES.values()), *_COMPOSITE_PARTS}:  # composite rules name other rules
    _params.model_rebuild(_types_namespace={"RuleConfig": RuleConfig})


__all__ = [
    "CLASSIFIER_KEYS",
    "NO_TARGET",
    "RULES",
    "Forecast",
    "Option",
    "Policy",
    "Rule",
    "RuleConfig",
    "RuleParams",
    "View",
    "make_rule",
]
