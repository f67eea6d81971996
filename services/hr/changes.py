"""Rules every hr record follows when it changes (pure functions, no database)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from libs.contracts.base import EventPayload


def changes(current: Mapping[Any, Any], patch: Mapping[str, Any]) -> dict[str, Any]:
    """The fields of `patch` whose values differ from `current`."""
    return {k: v for k, v in patch.items() if current.get(k) != v}


def same_facts(before: EventPayload, after: EventPayload) -> bool:
    """True when an event would tell consumers nothing new (only personal data changed)."""
    return before.model_dump(exclude={"version"}) == after.model_dump(exclude={"version"})
