"""Mentoring rules (pure)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from services.hr.ladder.rules import LadderConfig


@dataclass(frozen=True)
class Novice:
    educator_id: uuid.UUID
    school_id: uuid.UUID | None
    novice_since: date


def mentor_problem(ladder: LadderConfig, mentor_stage: str, mentee_stage: str, active_mentees: int) -> str | None:
    """Why this mentor cannot take this mentee, or None."""
    if ladder.rank(mentor_stage) <= ladder.rank(mentee_stage):
        return f"a mentor must be of a higher stage than the mentee ({mentor_stage} is not above {mentee_stage})"
    if active_mentees >= ladder.mentor_capacity:
        return f"the mentor already has {active_mentees} mentee(s), the tenant's capacity"
    return None


def alerts(novices: Iterable[Novice], mentored: set[uuid.UUID], grace_days: int, today: date) -> list[Novice]:
    """Novices without an active mentor once the grace period is over (on its last day, not yet)."""
    return [n for n in novices if n.educator_id not in mentored
            and n.novice_since + timedelta(days=grace_days) <= today]
