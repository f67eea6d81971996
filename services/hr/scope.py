"""Who may reach what in hr: school-scoped tokens and personal data (pure rules, no database)."""

from __future__ import annotations

import uuid
from typing import Any

from libs.common.auth import Principal
from libs.common.problems import Problem

PERSONAL_FIELDS = ("given_name", "family_name", "email")


def outside_schools(field: str) -> Problem:
    return Problem(403, "Forbidden", f"{field}: outside the schools this client may reach",
                   slug="outside-school-scope", errors=[{"field": field, "message": "outside your schools"}])


def refuse_school_scoped(principal: Principal, label: str) -> None:
    """A client limited to some schools cannot change the directory's districts or schools."""
    if principal.schools is not None:
        raise Problem(403, "Forbidden", f"a client limited to some schools cannot change {label}s",
                      slug="outside-school-scope")


def check_school(principal: Principal, field: str, school_id: Any) -> None:
    """A school-scoped token may only write records of its own schools."""
    if principal.schools is not None and not principal.may_see_school(school_id):
        raise outside_schools(field)


def may_see(principal: Principal, school_id: Any) -> bool:
    return principal.schools is None or principal.may_see_school(school_id)


def school_ids(principal: Principal) -> list[uuid.UUID | None] | None:
    """The schools a scoped token reaches, as ids for a query (None: every school)."""
    if principal.schools is None:
        return None
    return [_uuid_or_none(s) for s in principal.schools]


def sees_personal_data(principal: Principal) -> bool:
    return principal.has("hr:pii") or principal.has("admin")


def _uuid_or_none(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None
