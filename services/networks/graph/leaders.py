"""Emerging leaders: members whose betweenness percentile rose in each of the last k periods.

A person bridging more of the network, period after period, is becoming someone others go through:
the signal hr records as leadership potential.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from itertools import pairwise

PERIODS = 2  # k: rises in each of the last k periods (so k + 1 periods of data)


def emerging(series: Mapping[uuid.UUID, Sequence[float | None]], k: int = PERIODS) -> list[uuid.UUID]:
    """Who rose strictly in each of the last k steps; `None` (not in the graph yet) counts as 0."""
    out = []
    for person, values in series.items():
        if len(values) < k + 1:
            continue
        tail = [v or 0.0 for v in values[-(k + 1):]]
        if all(later > earlier for earlier, later in pairwise(tail)):
            out.append(person)
    return sorted(out, key=str)
