"""Dated status updates, staleness, roll-up and a plan's freshness. Pure functions.

Roll-up, bottom up: milestones into their initiative (initiative_rollup), initiatives into their goal
and into the plan (roll_up)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

ItemStatus = Literal["not_started", "on_track", "at_risk", "off_track", "done", "cancelled"]
UPDATE_STATUSES = ("on_track", "at_risk", "off_track", "done", "cancelled")
SEVERITY = {"off_track": 4, "at_risk": 3, "on_track": 2, "not_started": 1, "done": 0, "cancelled": -1}


def next_update_due(last_update_on: date | None, starts_on: date, cadence_days: int) -> date:
    return (last_update_on or starts_on) + timedelta(days=cadence_days)


def is_stale(status: str, last_update_on: date | None, starts_on: date, cadence_days: int, grace_days: int,
             today: date) -> bool:
    """Past its update due date plus the grace period (finished items are never stale)."""
    if status in ("done", "cancelled"):
        return False
    return today > next_update_due(last_update_on, starts_on, cadence_days) + timedelta(days=grace_days)


def update_error(as_of: date, today: date, last_update_on: date | None) -> tuple[str, str] | None:
    """(field, message) when an update cannot be accepted."""
    if as_of > today:
        return "as_of", "an update cannot be dated in the future"
    if last_update_on is not None and as_of < last_update_on:
        return "as_of", f"an update dated before the latest one ({last_update_on.isoformat()})"
    return None


@dataclass(frozen=True)
class Item:
    status: str
    progress: float
    stale: bool


def roll_up(items: Sequence[Item]) -> Item:
    """The worst live status, the mean progress of live items, stale if any is."""
    live = [i for i in items if i.status != "cancelled"]
    if not live:
        return Item("cancelled" if items else "not_started", 0.0, False)
    if all(i.status == "done" for i in live):
        worst = "done"
    else:
        worst = max((i.status for i in live if i.status != "done"), key=lambda s: SEVERITY[s])
    return Item(worst, round(sum(i.progress for i in live) / len(live), 6), any(i.stale for i in live))


def freshness(items: Sequence[Item]) -> float | None:
    """Share of live items updated on time (not stale); None for a plan with nothing to update."""
    live = [i for i in items if i.status not in ("done", "cancelled")]
    if not live:
        return None
    return round(sum(not i.stale for i in live) / len(live), 6)


def initiative_rollup(own: Item, milestones: Sequence[Item]) -> Item:
    """An initiative with its milestones, as its goal and plan count it.

    Without live milestones (none, or all cancelled), or cancelled itself: its own. Otherwise the worst
    live status of the initiative and its live milestones (its own is left out while it has had no
    update: `not_started` says nothing its milestones' updates do not), the mean progress of its live
    milestones (they are what progress is measured in), stale if it or any live milestone is."""
    live = [m for m in milestones if m.status != "cancelled"]
    if own.status == "cancelled" or not live:
        return own
    parts = live if own.status == "not_started" else [own, *live]
    return Item(roll_up(parts).status, round(sum(m.progress for m in live) / len(live), 6),
                own.stale or any(m.stale for m in live))
