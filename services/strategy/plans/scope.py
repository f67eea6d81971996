"""A plan's scope: the district or school it is for, and its period. Pure functions.

- a district plan names its district (`district_id`); a school plan names its school (`school_id`);
- a plan naming a school and a district: the school is one of that district's, as hr's directory says;
  a school plan naming no district takes its school's;
- the period ends at or after it starts (periods sort in time order).
"""

from __future__ import annotations

import uuid
from typing import Literal

Level = Literal["district", "school"]


def scope_errors(level: Level, district_id: uuid.UUID | None, school_id: uuid.UUID | None,
                 period_start: str, period_end: str) -> list[tuple[str, str]]:
    """(field, message) for each rule of the plan's own fields it breaks."""
    errors: list[tuple[str, str]] = []
    if level == "district" and district_id is None:
        errors.append(("district_id", "a district plan names its district"))
    if level == "school" and school_id is None:
        errors.append(("school_id", "a school plan names its school"))
    if period_end < period_start:
        errors.append(("period_end", "the period ends before it starts (period_start)"))
    return errors


def district_mismatch(district_id: uuid.UUID | None, school_district: uuid.UUID | None) -> str | None:
    """Why a plan's district is not its school's (None: consistent, or no district named)."""
    if district_id is None or district_id == school_district:
        return None
    if school_district is None:
        return "the plan's school belongs to no district in hr's directory"
    return "not the district of the plan's school (school_id)"


def plan_district(district_id: uuid.UUID | None, school_district: uuid.UUID | None) -> uuid.UUID | None:
    """The district a plan is stored with: the one named, else its school's."""
    return district_id if district_id is not None else school_district
