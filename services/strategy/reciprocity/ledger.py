"""The reciprocity ledger: performance demanded of a school against capacity invested in it. Pure.

demand(s, p)   = sum over the goals of school s due in period p of |target - baseline| / max(|baseline|, 1)
capacity(s, p) = w_learning x professional-learning hours (hr, topics not coaching)
               + w_coaching x coaching hours (hr, topic code starting with "coaching")
               + w_money x money allocated by initiatives / 1000
               + w_time x people-time hours allocated by initiatives
ratio(s, p)    = capacity / demand (None when nothing is demanded)
flag(s, p)     = demand(p) > demand(previous period) and capacity(p) <= capacity(previous period)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Weights:
    learning: float = 1.0
    coaching: float = 1.0
    money_per_1000: float = 1.0
    people_time: float = 1.0


@dataclass(frozen=True)
class Capacity:
    learning_hours: float = 0.0
    coaching_hours: float = 0.0
    money: float = 0.0
    people_hours: float = 0.0

    def weighted(self, w: Weights) -> float:
        return (w.learning * self.learning_hours + w.coaching * self.coaching_hours
                + w.money_per_1000 * self.money / 1000 + w.people_time * self.people_hours)


@dataclass(frozen=True)
class Row:
    period: str
    demand: float
    capacity: float
    parts: Capacity
    ratio: float | None
    flag: bool


def school_year(day: date) -> str:
    """The ledger's period: the school year, August to July ("2026-27")."""
    start = day.year if day.month >= 8 else day.year - 1
    return f"{start}-{(start + 1) % 100:02d}"


def demanded_gain(baseline: float, target: float) -> float:
    """The gain a goal asks for, relative to its baseline (absolute below a baseline of 1)."""
    return abs(target - baseline) / max(abs(baseline), 1.0)


def is_coaching(topic_code: str | None) -> bool:
    return bool(topic_code) and str(topic_code).lower().startswith("coaching")


def ledger(demand: Mapping[str, float], capacity: Mapping[str, Capacity], weights: Weights) -> list[Row]:
    """One row per period with demand or capacity, in period order, each flagged against the one before."""
    rows: list[Row] = []
    for period in sorted(set(demand) | set(capacity)):
        parts = capacity.get(period, Capacity())
        d, c = round(demand.get(period, 0.0), 6), round(parts.weighted(weights), 6)
        flag = bool(rows) and d > rows[-1].demand and c <= rows[-1].capacity
        rows.append(Row(period, d, c, parts, round(c / d, 6) if d else None, flag))
    return rows


def sum_capacity(items: Iterable[tuple[str, Capacity]]) -> dict[str, Capacity]:
    out: dict[str, Capacity] = {}
    for period, c in items:
        o = out.get(period, Capacity())
        out[period] = Capacity(o.learning_hours + c.learning_hours, o.coaching_hours + c.coaching_hours,
                               o.money + c.money, o.people_hours + c.people_hours)
    return out
