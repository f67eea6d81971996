"""Who may see a visit, and who may see a classroom's teacher: shared by every aggregate of a visit."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession

from libs.common.auth import Principal
from libs.common.problems import not_found
from libs.common.repository import get_or_404
from services.observations.models import DIRECTORY, visits


async def visit_row(session: AsyncSession, principal: Principal, visit_id: uuid.UUID,
                    *, for_update: bool = False) -> Any:
    """The visit in the caller's tenant and schools, or 404."""
    row = await get_or_404(session, visits, visit_id, principal.tenant_id, label="visit", for_update=for_update)
    if not principal.may_see_school(row["school_id"]):
        raise not_found("visit")
    return row


def school_clause(principal: Principal, column: ColumnElement[Any]) -> list[ColumnElement[bool]]:
    """A list's WHERE clause for a token limited to some schools (none for an unlimited token)."""
    if principal.schools is None:
        return []
    return [column.in_([uuid.UUID(s) for s in principal.schools])]


def educator_of(principal: Principal) -> uuid.UUID | None:
    """The educator the caller is, when the token's subject is an educator id (people, not clients)."""
    try:
        return uuid.UUID(principal.subject)
    except (ValueError, TypeError):
        return None


async def caller_educator(session: AsyncSession, principal: Principal) -> uuid.UUID | None:
    """The educator the caller is, per the directory replica (None: a client or a person who is no educator)."""
    me = educator_of(principal)
    if me is None:
        return None
    educators = DIRECTORY.educators
    found = await session.scalar(select(educators.c.educator_id).where(
        educators.c.tenant_id == principal.tenant_id, educators.c.educator_id == me, educators.c.removed.is_(False)))
    return me if found is not None else None


def may_select(caller: uuid.UUID | None, observer_id: uuid.UUID) -> bool:
    """Describe: an observer brings their own notes to the debrief, never a colleague's. A caller who is no
    educator (the team's device or a coordinator's tool, which also captures records for the observers)
    acts for the team: the token cannot say which observer it is."""
    return caller is None or caller == observer_id


async def may_identify(session: AsyncSession, principal: Principal, school_id: uuid.UUID) -> bool:
    """Teacher identity: only staff whose own school, per the directory replica, is the host school,
    with observations:identify. A token limited to several schools is not staff of any of them."""
    me = educator_of(principal)
    if not principal.has("observations:identify") or me is None:
        return False
    educators = DIRECTORY.educators
    own_school = await session.scalar(select(educators.c.school_id).where(
        educators.c.tenant_id == principal.tenant_id, educators.c.educator_id == me, educators.c.removed.is_(False)))
    return own_school is not None and own_school == school_id


async def educators_visible(session: AsyncSession, principal: Principal, educator_ids: list[uuid.UUID]) -> bool:
    """Whether a token limited to some schools may see these educators: each of one of its schools, or
    of none (district staff). Unlimited tokens see every educator of their tenant."""
    if principal.schools is None or not educator_ids:
        return True
    educators = DIRECTORY.educators
    schools = (await session.execute(select(educators.c.school_id).where(
        educators.c.tenant_id == principal.tenant_id, educators.c.educator_id.in_(educator_ids)))).scalars()
    return all(s is None or principal.may_see_school(s) for s in schools)
