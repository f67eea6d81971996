"""Networks: forming one (its schools and districts), its versioned norms, the host rotation."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from libs.common.auth import Principal
from libs.common.changes import ChangeWindow, window_clauses
from libs.common.pagination import PageRequest
from libs.common.problems import field_error
from libs.common.repository import check_version, require_known
from libs.contracts.networks import NetworkFormed
from services.networks.common import (
    bump,
    emit,
    network_clause,
    network_or_404,
    new_id,
    page_rows,
    visible_schools,
)
from services.networks.models import DIRECTORY, meetings, network_norms, networks
from services.networks.networks.rotation import next_host
from services.networks.networks.schemas import HostedMeeting, HostRotation, NetworkCreate, NetworkPublic, NormsVersion


async def form(session: AsyncSession, principal: Principal, body: NetworkCreate) -> uuid.UUID:
    tenant = principal.tenant_id
    if len(set(body.school_ids)) != len(body.school_ids):
        raise field_error("school_ids", "a school is listed twice")
    await require_known(session, tenant, visible_schools(principal, "school_ids", body.school_ids))
    schools = DIRECTORY.schools
    districts = sorted({d for d in (await session.execute(select(schools.c.district_id).where(
        schools.c.tenant_id == tenant, schools.c.school_id.in_(body.school_ids)))).scalars() if d}, key=str)
    network_id = new_id()
    await session.execute(insert(networks).values(
        id=network_id, tenant_id=tenant, name=body.name, kind=body.kind.value, focus=body.focus,
        school_ids=body.school_ids, district_ids=districts, cadence=body.cadence, version=1))
    await session.execute(insert(network_norms).values(tenant_id=tenant, network_id=network_id, number=1,
                                                       norms=list(body.norms)))
    await emit(session, tenant, NetworkFormed(network_id=network_id, kind=body.kind.value,
                                              school_ids=body.school_ids, district_ids=districts, version=1))
    return network_id


async def revise_norms(session: AsyncSession, principal: Principal, network_id: uuid.UUID,
                       expected: int | None, norms: list[str]) -> int:
    row = await network_or_404(session, principal, network_id, for_update=True)
    check_version(row["version"], expected)
    number = await latest_norms_number(session, network_id) + 1
    await session.execute(insert(network_norms).values(tenant_id=principal.tenant_id, network_id=network_id,
                                                       number=number, norms=norms))
    return await bump(session, networks, network_id, principal, updated_at=func.now())


async def latest_norms_number(session: AsyncSession, network_id: uuid.UUID) -> int:
    return int((await session.execute(select(func.coalesce(func.max(network_norms.c.number), 0)).where(
        network_norms.c.network_id == network_id))).scalar_one())


async def norms_version(session: AsyncSession, network_id: uuid.UUID, number: int | None = None
                        ) -> NormsVersion | None:
    stmt = select(network_norms).where(network_norms.c.network_id == network_id)
    stmt = stmt.where(network_norms.c.number == number) if number else stmt.order_by(
        network_norms.c.number.desc()).limit(1)
    row = (await session.execute(stmt)).mappings().first()
    return NormsVersion(number=row["number"], norms=row["norms"], created_at=row["created_at"]) if row else None


async def public(session: AsyncSession, row: Any) -> NetworkPublic:
    return NetworkPublic(id=row["id"], name=row["name"], kind=row["kind"], focus=row["focus"],
                         school_ids=row["school_ids"], district_ids=row["district_ids"], cadence=row["cadence"],
                         norms=await norms_version(session, row["id"]), version=row["version"])


async def get(session: AsyncSession, principal: Principal, network_id: uuid.UUID) -> NetworkPublic:
    return await public(session, await network_or_404(session, principal, network_id))


async def list_networks(session: AsyncSession, principal: Principal, page: PageRequest,
                        changes: ChangeWindow) -> list[NetworkPublic]:
    stmt = select(networks).where(networks.c.tenant_id == principal.tenant_id, *network_clause(principal),
                                  *await window_clauses(session, principal.tenant_id, changes,
                                                        networks.c.change_version))
    return [await public(session, r) for r in await page_rows(session, stmt, networks.c.id, page)]


async def host_rotation(session: AsyncSession, principal: Principal, network_id: uuid.UUID) -> HostRotation:
    row = await network_or_404(session, principal, network_id)
    hosted = [(r.meeting_date, r.host_school_id) for r in (await session.execute(
        select(meetings.c.meeting_date, meetings.c.host_school_id).where(
            meetings.c.tenant_id == principal.tenant_id, meetings.c.network_id == network_id,
            meetings.c.host_school_id.is_not(None)).order_by(meetings.c.meeting_date)))]
    return HostRotation(next_host_school_id=next_host(row["school_ids"], hosted),
                        hosted=[HostedMeeting(meeting_date=on, host_school_id=school) for on, school in hosted])
