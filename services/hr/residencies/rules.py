"""Residency rules (pure)."""

from __future__ import annotations

import uuid
from datetime import date

RESIDENT = "principal_resident"
SUPERVISOR = "principal"


def placement_problems(resident_band: str, resident_school: uuid.UUID | None, school_id: uuid.UUID,
                       supervisor_band: str, starts_on: date, ends_on: date | None) -> list[tuple[int, str, str]]:
    """(status, field, message) for each reason the placement cannot be made."""
    problems = []
    if resident_band != RESIDENT:
        problems.append((409, "resident_id", f"a residency is for a principal resident, not {resident_band}"))
    if resident_school is not None and resident_school == school_id:
        problems.append((409, "school_id", "a residency is in another school than the resident's own"))
    if supervisor_band != SUPERVISOR:
        problems.append((409, "supervisor_id", f"the supervisor must be a principal, not {supervisor_band}"))
    if ends_on is not None and ends_on < starts_on:
        problems.append((422, "ends_on", "before starts_on"))
    return problems
