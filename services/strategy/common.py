"""Helpers every strategy aggregate uses: owner and school references, the plan a child belongs to,
listings (filtered, in a change window, paged by id)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, RowMapping, Table, select
from sqlalchemy.ext.asyncio import AsyncSession

from libs.common.auth import Principal
from libs.common.changes import ChangeWindow, window_clauses
from libs.common.pagination import PageRequest, page_of
from libs.common.problems import Problem, field_error
from libs.common.repository import Reference, get_or_404, reference, require_known
from libs.directory import known_educators, known_schools
from services.strategy.models import DIRECTORY, Plan


def owner(field: str, value: Any) -> Reference:
    return known_educators(DIRECTORY, field, value)


def school(field: str, value: Any) -> Reference:
    return known_schools(DIRECTORY, field, value)


def district(field: str, value: Any) -> Reference:
    """A district hr's directory knows in the tenant: the replica holds it as the district of a school
    not removed (strategy replicates schools, each with its district)."""
    schools = DIRECTORY.schools
    return reference(schools, "district", field, value, id_column="district_id",
                     where=[schools.c.removed.is_(False)], replica=True)


async def school_district(session: AsyncSession, tenant: str, school_id: uuid.UUID) -> uuid.UUID | None:
    """The district of a school, as hr's directory (the replica) has it."""
    schools = DIRECTORY.schools
    return await session.scalar(select(schools.c.district_id).where(  # type: ignore[no-any-return]
        schools.c.tenant_id == tenant, schools.c.school_id == school_id, schools.c.removed.is_(False)))


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


def reachable_schools(principal: Principal) -> list[uuid.UUID] | None:
    """The schools a school-limited client may see (None: not limited)."""
    return None if principal.schools is None else [uuid.UUID(s) for s in principal.schools]


async def listing(session: AsyncSession, principal: Principal, table: Table, page: PageRequest,
                  changes: ChangeWindow, filters: dict[str, Any], where: Sequence[ColumnElement[bool]] = ()
                  ) -> tuple[list[RowMapping], str | None]:
    """A page of the tenant's rows of a tracked table, in id order: the filters given (None: not
    filtered), `where`, and the change window (before the count, so Total-Count counts the window)."""
    stmt = select(table).where(table.c.tenant_id == principal.tenant_id, *where)
    for column, value in filters.items():
        if value is not None:
            stmt = stmt.where(table.c[column] == value)
    stmt = stmt.where(*await window_clauses(session, principal.tenant_id, changes, table.c.change_version))
    await page.count_total(session, stmt)
    if page.after:
        stmt = stmt.where(table.c.id > _after_id(page.after))
    rows = list((await session.execute(stmt.order_by(table.c.id).limit(page.size + 1))).mappings().all())
    return page_of(rows, page.size, lambda r: {"id": str(r["id"])})


def _after_id(after: dict[str, Any]) -> uuid.UUID:
    # signed, so ours, but perhaps another list's (a deletes feed's position is no id)
    try:
        return uuid.UUID(str(after.get("id")))
    except ValueError:
        raise field_error("page_token", "not a page token of this list", status=400) from None
