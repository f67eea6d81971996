"""Memberships: joining (the educator and school checked in the tenant, the school one of the
network's) and leaving."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from libs.common.auth import Principal
from libs.common.changes import ChangeWindow, window_clauses
from libs.common.pagination import PageRequest
from libs.common.problems import Problem, field_error
from libs.common.repository import check_version, require_known
from libs.contracts.networks import MemberJoined, MemberLeft
from services.networks.common import (
    bump,
    emit,
    network_or_404,
    new_id,
    page_rows,
    school_clause,
    school_row_or_404,
    visible_educators,
    visible_schools,
)
from services.networks.graph import service as graph
from services.networks.memberships.schemas import MembershipCreate, MembershipPublic
from services.networks.models import memberships


def public(row: Any) -> MembershipPublic:
    return MembershipPublic.model_validate(dict(row))


async def join(session: AsyncSession, principal: Principal, network_id: uuid.UUID,
               body: MembershipCreate) -> MembershipPublic:
    tenant = principal.tenant_id
    network = await network_or_404(session, principal, network_id, for_update=True)
    await require_known(session, tenant, visible_educators(principal, "educator_id", body.educator_id),
                        visible_schools(principal, "school_id", body.school_id))
    if body.school_id not in network["school_ids"]:
        raise field_error("school_id", "not one of the network's schools", status=422,
                          slug="school-outside-network", title="School outside the network")
    active = (await session.execute(select(memberships.c.id).where(
        memberships.c.tenant_id == tenant, memberships.c.network_id == network_id,
        memberships.c.educator_id == body.educator_id, memberships.c.ends_on.is_(None)))).first()
    if active is not None:
        raise Problem(409, "Already a member", "educator_id: already an active member of this network",
                      slug="already-member", errors=[{"field": "educator_id", "message": "already a member"}])
    membership_id = new_id()
    row = (await session.execute(insert(memberships).values(
        id=membership_id, tenant_id=tenant, network_id=network_id, educator_id=body.educator_id,
        school_id=body.school_id, role=body.role.value, tags=sorted(set(body.tags)), starts_on=body.starts_on,
        version=1).returning(*memberships.c))).mappings().one()
    await emit(session, tenant, MemberJoined(membership_id=membership_id, network_id=network_id,
                                             educator_id=body.educator_id, school_id=body.school_id,
                                             role=body.role.value, starts_on=body.starts_on))
    # a new node changes the density of the network's graph from the month the member joined
    await graph.request_refresh(session, tenant, [graph.Scope("network", network_id)], body.starts_on)
    return public(row)


async def leave(session: AsyncSession, principal: Principal, membership_id: uuid.UUID, expected: int | None,
                ends_on: Any) -> MembershipPublic:
    tenant = principal.tenant_id
    row = await school_row_or_404(session, principal, memberships, membership_id, label="membership",
                                  for_update=True)
    check_version(row["version"], expected)
    if row["ends_on"] is not None:
        raise Problem(409, "Already ended", "this membership has ended", slug="membership-ended")
    if ends_on < row["starts_on"]:
        raise field_error("ends_on", "before the membership started")
    await bump(session, memberships, membership_id, principal, ends_on=ends_on)
    await emit(session, tenant, MemberLeft(membership_id=membership_id, network_id=row["network_id"],
                                           educator_id=row["educator_id"], ends_on=ends_on))
    return await get(session, principal, membership_id)


async def get(session: AsyncSession, principal: Principal, membership_id: uuid.UUID) -> MembershipPublic:
    return public(await school_row_or_404(session, principal, memberships, membership_id, label="membership"))


async def of_network(session: AsyncSession, principal: Principal, network_id: uuid.UUID,
                     active_only: bool = False) -> list[MembershipPublic]:
    await network_or_404(session, principal, network_id)
    stmt = select(memberships).where(memberships.c.tenant_id == principal.tenant_id,
                                     *school_clause(principal, memberships.c.school_id),
                                     memberships.c.network_id == network_id).order_by(memberships.c.starts_on,
                                                                                        memberships.c.id)
    if active_only:
        stmt = stmt.where(memberships.c.ends_on.is_(None))
    return [public(r) for r in (await session.execute(stmt)).mappings()]


async def list_memberships(session: AsyncSession, principal: Principal, page: PageRequest, changes: ChangeWindow,
                           network_id: uuid.UUID | None) -> list[MembershipPublic]:
    """Every membership of the tenant (of the token's schools), past ones too: the change queries' list."""
    stmt = select(memberships).where(memberships.c.tenant_id == principal.tenant_id,
                                     *school_clause(principal, memberships.c.school_id))
    if network_id:
        stmt = stmt.where(memberships.c.network_id == network_id)
    stmt = stmt.where(*await window_clauses(session, principal.tenant_id, changes, memberships.c.change_version))
    return [public(r) for r in await page_rows(session, stmt, memberships.c.id, page)]
