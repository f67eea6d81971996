"""What a person's role lets their tokens do: one function from role to scopes, with no database.

The scopes are computed from the platform's own list (the registry's), so a service added later gives
its `:read` to the roles that read everything without a change here.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Literal, get_args

Role = Literal["observer", "coordinator", "principal", "district-admin"]
ROLES: tuple[str, ...] = get_args(Role)

OBSERVER = ("observations:read", "observations:write", "networks:read", "hr:read")
COORDINATOR = (*OBSERVER, "networks:write", "strategy:read")
PRINCIPAL_EXTRA = ("observations:write", "observations:identify", "networks:write")
# events:read is the partner apps' feed of a tenant's events: no person's token reads it
NEVER_FOR_PEOPLE = frozenset({"events:read"})
# Roles whose tokens are limited to the person's schools (a principal: their own school or schools)
SCHOOL_BOUND: frozenset[str] = frozenset({"principal"})


def scopes_for(role: str, known: Collection[str]) -> list[str]:
    """The scopes a person of `role` holds, among the platform's `known` scopes (sorted)."""
    known_set = set(known)
    if role == "observer":
        granted = set(OBSERVER)
    elif role == "coordinator":
        granted = set(COORDINATOR)
    elif role == "principal":
        granted = {s for s in known_set if s.endswith(":read")} | set(PRINCIPAL_EXTRA)
    elif role == "district-admin":
        granted = set(known_set)
    else:
        raise ValueError(f"unknown role {role!r}; roles: {', '.join(ROLES)}")
    return sorted((granted & known_set) - NEVER_FOR_PEOPLE)


def role_problem(role: str, schools: Collection[str] | None) -> tuple[str, str] | None:
    """(field, message) when a role and its schools do not go together, else None."""
    if role not in ROLES:
        return "role", f"one of {', '.join(ROLES)}"
    if role in SCHOOL_BOUND and not schools:
        return "schools", f"a {role} must be given at least one school"
    if role == "district-admin" and schools:
        return "schools", "a district-admin works across the tenant: give no schools"
    return None
