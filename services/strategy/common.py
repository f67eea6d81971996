"""Helpers every strategy aggregate uses: owner and school references, the plan a child belongs to."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from libs.common.auth import Principal
from libs.common.problems import Problem
from libs.common.repository import Reference, get_or_404, require_known
from libs.directory import known_educators, known_schools
from services.strategy.models import DIRECTORY, Plan


def owner(field: str, value: Any) -> Reference:
    return known_educators(DIRECTORY, field, value)


def school(field: str, value: Any) -> Reference:
    return known_schools(DIRECTORY, field, value)


async def check(session: AsyncSession, tenant: str, *refs: Reference) -> None:
    await require_known(session, tenant, *refs)


def school_scope(principal: Principal, field: str, value: uuid.UUID | None) -> None:
    """A client limited to some schools writes only for them."""
    if value is not None and not principal.may_see_school(value):
        raise Problem(403, "Forbidden", f"{field}: outside the schools this client may reach",
                      slug="outside-school-scope", errors=[{"field": field, "message": "outside your schools"}])


async def plan_row(session: AsyncSession, principal: Principal, plan_id: uuid.UUID, *, for_update: bool = False
                   ) -> Any:
    row = await get_or_404(session, Plan, plan_id, principal.tenant_id, label="plan", for_update=for_update)
    if row["school_id"] is not None and not principal.may_see_school(row["school_id"]):
        raise Problem(404, "Not found", "plan not found", slug="not-found")
    return row
