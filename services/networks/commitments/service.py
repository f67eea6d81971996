"""Commitments: made at meetings (never due before the meeting), from visits' debriefs (the host
school's, with a horizon), followed up, fulfilled or dropped; overdue ones counted per school and
announced once (lateral accountability, visible to the network)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from libs.common.auth import Principal
from libs.common.events import Event
from libs.common.pagination import PageRequest
from libs.common.problems import Problem, field_error
from libs.common.repository import check_version, get_or_404, invalid_reference, require_known
from libs.contracts.networks import CommitmentFulfilled, CommitmentMade, CommitmentOverdue
from libs.contracts.observations import VisitDebriefed
from services.networks.commitments.horizon import due_for, is_overdue
from services.networks.commitments.schemas import (
    CommitmentCreate,
    CommitmentPublic,
    CommitmentStatus,
    OverdueCount,
)
from services.networks.common import (
    bump,
    emit,
    known_meetings,
    network_visible,
    new_id,
    page_rows,
    school_clause,
    school_row_or_404,
    visible_educators,
    visible_networks,
    visible_schools,
)
from services.networks.models import commitments, meetings

TABLE = commitments


def today() -> date:
    return datetime.now(UTC).date()


def public(row: Any, on: date | None = None) -> CommitmentPublic:
    return CommitmentPublic(**{k: row[k] for k in CommitmentPublic.model_fields if k != "overdue"},
                            overdue=is_overdue(row["status"], row["due_on"], on or today()))


def _made(row: Any) -> CommitmentMade:
    return CommitmentMade(commitment_id=row["id"], school_id=row["school_id"], educator_id=row["educator_id"],
                          network_id=row["network_id"], meeting_id=row["meeting_id"], visit_id=row["visit_id"],
                          due_on=row["due_on"], horizon=row["horizon"], source=row["source"])


async def make(session: AsyncSession, principal: Principal, body: CommitmentCreate) -> CommitmentPublic:
    tenant = principal.tenant_id
    await require_known(session, tenant, visible_schools(principal, "school_id", body.school_id),
                        visible_educators(principal, "educator_id", body.educator_id),
                        known_meetings("meeting_id", body.meeting_id),
                        visible_networks(principal, "network_id", body.network_id))
    network_id = body.network_id
    if body.meeting_id is not None:
        meeting = await get_or_404(session, meetings, body.meeting_id, tenant, label="meeting")
        if not (await network_visible(session, principal, meeting["network_id"])):
            raise invalid_reference([("meeting_id", "meeting")])
        if body.due_on < meeting["meeting_date"]:
            raise field_error("due_on", f"before its meeting ({meeting['meeting_date'].isoformat()})",
                              slug="due-before-meeting", title="Due before its meeting")
        if network_id is not None and network_id != meeting["network_id"]:
            raise field_error("network_id", "not the network of the meeting")
        network_id = meeting["network_id"]
    row = (await session.execute(insert(TABLE).values(
        id=new_id(), tenant_id=tenant, network_id=network_id, meeting_id=body.meeting_id, school_id=body.school_id,
        educator_id=body.educator_id, description=body.description, due_on=body.due_on, status="open",
        follow_ups=[], source="meeting" if body.meeting_id else "direct", version=1,
    ).returning(*TABLE.c))).mappings().one()
    await emit(session, tenant, _made(row))
    return public(row)


async def from_debrief(session: AsyncSession, event: Event, p: VisitDebriefed) -> None:
    """Each next-level-of-work item becomes a commitment of the host school (once: keyed by the item)."""
    tenant = event.tenant_id
    debriefed_on = event.time.date()
    for item in p.next_level_of_work:
        values = {
            "id": new_id(), "tenant_id": tenant, "network_id": p.network_id, "school_id": p.school_id,
            "educator_id": item.owner_id, "description": item.description,
            "due_on": item.due_on or due_for(item.horizon, debriefed_on), "horizon": item.horizon,
            "level": item.level, "status": "open", "follow_ups": [], "source": "debrief", "visit_id": p.visit_id,
            "source_item_id": item.item_id, "problem_of_practice_id": p.problem_of_practice_id, "version": 1,
        }
        from sqlalchemy.dialects.postgresql import insert as pg_insert
        row = (await session.execute(pg_insert(TABLE).values(**values).on_conflict_do_nothing()
                                     .returning(*TABLE.c))).mappings().first()
        if row is not None:
            await emit(session, tenant, _made(row))


async def follow_up(session: AsyncSession, principal: Principal, commitment_id: uuid.UUID, expected: int | None,
                    on: date, note: str) -> CommitmentPublic:
    row = await school_row_or_404(session, principal, TABLE, commitment_id, label="commitment", for_update=True)
    check_version(row["version"], expected)
    await bump(session, TABLE, commitment_id, principal,
               follow_ups=[*row["follow_ups"], {"on": on.isoformat(), "note": note}])
    return await get(session, principal, commitment_id)


async def transition(session: AsyncSession, principal: Principal, commitment_id: uuid.UUID, expected: int | None,
                     to: CommitmentStatus, on: date) -> CommitmentPublic:
    tenant = principal.tenant_id
    row = await school_row_or_404(session, principal, TABLE, commitment_id, label="commitment", for_update=True)
    check_version(row["version"], expected)
    if row["status"] != "open" or to == CommitmentStatus.open:
        raise Problem(409, "Illegal transition", f"a {row['status']} commitment cannot become {to}",
                      slug="illegal-transition", errors=[{"field": "to", "message": f"not from {row['status']}"}])
    await bump(session, TABLE, commitment_id, principal, status=to.value)
    if to == CommitmentStatus.fulfilled:
        await emit(session, tenant, CommitmentFulfilled(commitment_id=commitment_id, school_id=row["school_id"],
                                                        fulfilled_on=on))
    return await get(session, principal, commitment_id)


async def get(session: AsyncSession, principal: Principal, commitment_id: uuid.UUID) -> CommitmentPublic:
    return public(await school_row_or_404(session, principal, TABLE, commitment_id, label="commitment"))


async def list_commitments(session: AsyncSession, principal: Principal, page: PageRequest,
                           *, school_id: uuid.UUID | None, network_id: uuid.UUID | None,
                           status: CommitmentStatus | None, overdue: bool | None) -> list[CommitmentPublic]:
    stmt = select(TABLE).where(TABLE.c.tenant_id == principal.tenant_id, *school_clause(principal, TABLE.c.school_id))
    if school_id:
        stmt = stmt.where(TABLE.c.school_id == school_id)
    if network_id:
        stmt = stmt.where(TABLE.c.network_id == network_id)
    if status:
        stmt = stmt.where(TABLE.c.status == status.value)
    if overdue is True:
        stmt = stmt.where(TABLE.c.status == "open", TABLE.c.due_on < today())
    elif overdue is False:
        stmt = stmt.where((TABLE.c.status != "open") | (TABLE.c.due_on >= today()))
    return [public(r) for r in await page_rows(session, stmt, TABLE.c.id, page)]


async def overdue_by_school(session: AsyncSession, principal: Principal, network_id: uuid.UUID | None
                            ) -> list[OverdueCount]:
    is_late = (TABLE.c.status == "open") & (TABLE.c.due_on < today())
    stmt = (select(TABLE.c.school_id, func.count().filter(is_late), func.count().filter(TABLE.c.status == "open"))
            .where(TABLE.c.tenant_id == principal.tenant_id, *school_clause(principal, TABLE.c.school_id))
            .group_by(TABLE.c.school_id)
            .order_by(TABLE.c.school_id))
    if network_id:
        stmt = stmt.where(TABLE.c.network_id == network_id)
    return [OverdueCount(school_id=s, overdue=o, open=n) for s, o, n in await session.execute(stmt)]


MARK_OVERDUE = text(
    "UPDATE commitments SET overdue_reported = true WHERE id IN (SELECT id FROM commitments "
    "WHERE status = 'open' AND due_on < :today AND NOT overdue_reported ORDER BY due_on LIMIT :limit "
    "FOR UPDATE SKIP LOCKED) RETURNING id, tenant_id, school_id, network_id, due_on")


async def announce_overdue(session: AsyncSession, on: date, limit: int = 500) -> int:
    """The worker's step: announce each newly overdue commitment once (every tenant; one transaction)."""
    rows = (await session.execute(MARK_OVERDUE, {"today": on, "limit": limit})).all()
    for commitment_id, tenant, school_id, network_id, due_on in rows:
        await emit(session, tenant, CommitmentOverdue(commitment_id=commitment_id, school_id=school_id,
                                                      network_id=network_id, due_on=due_on))
    return len(rows)
