"""The distributed-leadership index of a network (or of one school's members in it), over time.

For the meetings up to a date:
  share  = meetings chaired for expertise or rotation / meetings (chairing not by position);
  spread = (1 - sum_i s_i^2) / (1 - 1/m), s_i the share of those meetings chaired by member i, m the
           number of members (Gini-Simpson diversity, normalised: 0 when one person chairs everything,
           1 when chairing is even across all members; 0 when m <= 1);
  index  = (share + spread) / 2.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Chairing:
    on: date
    chair_id: uuid.UUID
    reason: str


@dataclass(frozen=True)
class LeadershipIndex:
    meetings: int
    share: float
    spread: float
    index: float


def leadership_index(chairings: Sequence[Chairing], members: int) -> LeadershipIndex:
    n = len(chairings)
    if n == 0:
        return LeadershipIndex(0, 0.0, 0.0, 0.0)
    share = sum(1 for c in chairings if c.reason in ("expertise", "rotation")) / n
    counts = Counter(c.chair_id for c in chairings)
    m = max(members, len(counts))
    simpson = 1 - sum((k / n) ** 2 for k in counts.values())
    spread = simpson / (1 - 1 / m) if m > 1 else 0.0
    return LeadershipIndex(n, round(share, 4), round(spread, 4), round((share + spread) / 2, 4))


def by_month(chairings: Sequence[Chairing], members: int) -> list[tuple[str, LeadershipIndex]]:
    """The index at the end of each month with a meeting, over the meetings up to then (cumulative)."""
    ordered = sorted(chairings, key=lambda c: c.on)
    months = sorted({c.on.strftime("%Y-%m") for c in ordered})
    return [(m, leadership_index([c for c in ordered if c.on.strftime("%Y-%m") <= m], members)) for m in months]
