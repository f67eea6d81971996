"""How a practice spreads: schools adopting it, across how many networks, and how soon after publication."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Adopted:
    school_id: uuid.UUID
    network_id: uuid.UUID | None
    adopted_on: date


@dataclass(frozen=True)
class Spread:
    schools: int
    networks: int
    days_to_first_adoption: int | None


def spread(adoptions: Sequence[Adopted], published_on: date | None) -> Spread:
    """Distinct adopting schools and networks; days from publication to the first adoption after it
    (None until published and adopted)."""
    schools = {a.school_id for a in adoptions}
    networks = {a.network_id for a in adoptions if a.network_id is not None}
    after = [a.adopted_on for a in adoptions if published_on is not None and a.adopted_on >= published_on]
    first = (min(after) - published_on).days if after and published_on is not None else None
    return Spread(len(schools), len(networks), first)
