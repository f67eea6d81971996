"""Host rotation: the next host is the member school that hosted least recently (never hosted first)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date


def next_host(member_schools: Sequence[uuid.UUID], hosted: Sequence[tuple[date, uuid.UUID]]
              ) -> uuid.UUID | None:
    """The member school whose last hosting is oldest; schools that never hosted come first.

    Ties keep the network's own order of schools, so the rotation is predictable for everyone.
    Meetings hosted by schools no longer in the network are ignored.
    """
    last: dict[uuid.UUID, date] = {}
    for on, school in hosted:
        if school in member_schools and (school not in last or on > last[school]):
            last[school] = on
    if not member_schools:
        return None
    order = {school: n for n, school in enumerate(member_schools)}
    return min(member_schools, key=lambda s: (s in last, last.get(s, date.min), order[s]))
