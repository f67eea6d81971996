"""Meetings: holding one (every reference checked, the chair among the attendees), the chair
suggestion, and the distributed-leadership index."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from libs.common.auth import Principal
from libs.common.pagination import PageRequest
from libs.common.problems import field_error
from libs.common.repository import get_or_404, require_known
from libs.contracts.networks import MeetingHeld
from services.networks.common import (
    emit,
    network_clause,
    network_or_404,
    new_id,
    page_rows,
    visible_educators,
    visible_networks,
    visible_problems,
    visible_schools,
)
from services.networks.graph import service as graph
from services.networks.meetings.chairing import Candidate, rank_chairs
from services.networks.meetings.leadership import Chairing, by_month
from services.networks.meetings.schemas import (
    ChairCandidate,
    ChairSuggestion,
    Leadership,
    LeadershipPoint,
    MeetingCreate,
    MeetingPublic,
)
from services.networks.models import meetings, memberships, networks, practices
from services.networks.networks.service import latest_norms_number


def public(row: Any) -> MeetingPublic:
    return MeetingPublic.model_validate(dict(row))


async def hold(session: AsyncSession, principal: Principal, body: MeetingCreate) -> MeetingPublic:
    tenant = principal.tenant_id
    await require_known(session, tenant, visible_networks(principal, "network_id", body.network_id),
                        visible_educators(principal, "attendee_ids", body.attendee_ids),
                        visible_educators(principal, "chair_id", body.chair_id),
                        visible_schools(principal, "host_school_id", body.host_school_id),
                        visible_problems(principal, "problem_of_practice_id", body.problem_of_practice_id))
    network = await network_or_404(session, principal, body.network_id, for_update=True)
    if len(set(body.attendee_ids)) != len(body.attendee_ids):
        raise field_error("attendee_ids", "an attendee is listed twice")
    if body.chair_id not in body.attendee_ids:
        raise field_error("chair_id", "the chair did not attend: list them among attendee_ids",
                          slug="chair-not-attending", title="Chair did not attend")
    if body.host_school_id is not None and body.host_school_id not in network["school_ids"]:
        raise field_error("host_school_id", "not one of the network's schools", slug="school-outside-network",
                          title="School outside the network")
    meeting_id = new_id()
    row = (await session.execute(insert(meetings).values(
        id=meeting_id, tenant_id=tenant, network_id=body.network_id, meeting_date=body.meeting_date,
        meeting_type=body.meeting_type.value, host_school_id=body.host_school_id,
        problem_of_practice_id=body.problem_of_practice_id, agenda=[a.model_dump() for a in body.agenda],
        attendee_ids=body.attendee_ids, chair_id=body.chair_id, chair_reason=body.chair_reason.value,
        norms_version=await latest_norms_number(session, body.network_id) or None, version=1,
    ).returning(*meetings.c))).mappings().one()
    await emit(session, tenant, MeetingHeld(
        meeting_id=meeting_id, network_id=body.network_id, meeting_date=body.meeting_date,
        meeting_type=body.meeting_type.value, chair_id=body.chair_id, chair_reason=body.chair_reason,
        attendee_ids=body.attendee_ids))
    # co-attendance ties; every network and school they touch is queued for the graph projection
    await graph.add_ties(session, tenant, "co_attendance", meeting_id, graph.pairs(body.attendee_ids),
                         body.meeting_date, network_id=body.network_id, school_id=body.host_school_id)
    await graph.refresh_for(session, tenant, body.attendee_ids, since=body.meeting_date)
    return public(row)


async def get(session: AsyncSession, principal: Principal, meeting_id: uuid.UUID) -> MeetingPublic:
    row = await get_or_404(session, meetings, meeting_id, principal.tenant_id, label="meeting")
    await network_or_404(session, principal, row["network_id"])  # a meeting is as visible as its network
    return public(row)


async def list_meetings(session: AsyncSession, principal: Principal, page: PageRequest,
                        network_id: uuid.UUID | None) -> list[MeetingPublic]:
    visible = select(networks.c.id).where(networks.c.tenant_id == principal.tenant_id, *network_clause(principal))
    stmt = select(meetings).where(meetings.c.tenant_id == principal.tenant_id, meetings.c.network_id.in_(visible))
    if network_id:
        stmt = stmt.where(meetings.c.network_id == network_id)
    return [public(r) for r in await page_rows(session, stmt, meetings.c.id, page)]


async def chairs_newest_last(session: AsyncSession, tenant: str, network_id: uuid.UUID) -> list[uuid.UUID]:
    return list((await session.execute(select(meetings.c.chair_id).where(
        meetings.c.tenant_id == tenant, meetings.c.network_id == network_id)
        .order_by(meetings.c.meeting_date, meetings.c.created_at))).scalars())


async def suggest_chair(session: AsyncSession, principal: Principal, network_id: uuid.UUID,
                        tags: Sequence[str], attendee_ids: Sequence[uuid.UUID]) -> ChairSuggestion:
    tenant = principal.tenant_id
    await network_or_404(session, principal, network_id)
    stmt = select(memberships.c.educator_id, memberships.c.tags).where(
        memberships.c.tenant_id == tenant, memberships.c.network_id == network_id, memberships.c.ends_on.is_(None))
    if attendee_ids:
        stmt = stmt.where(memberships.c.educator_id.in_(attendee_ids))
    members: dict[uuid.UUID, set[str]] = {}
    for educator, member_tags in await session.execute(stmt):
        members.setdefault(educator, set()).update(member_tags)
    contributed = await practice_tags(session, tenant, list(members))
    candidates = [Candidate(e, frozenset(t), frozenset(contributed.get(e, set()))) for e, t in members.items()]
    ranked = rank_chairs(candidates, tags, await chairs_newest_last(session, tenant, network_id))
    return ChairSuggestion(agenda_tags=sorted(set(tags)), candidates=[
        ChairCandidate.model_validate(r.__dict__) for r in ranked])


async def practice_tags(session: AsyncSession, tenant: str, people: list[uuid.UUID]) -> dict[uuid.UUID, set[str]]:
    """Tags of the library practices each person contributed to (their expertise, as the network saw it)."""
    if not people:
        return {}
    out: dict[uuid.UUID, set[str]] = {}
    rows = await session.execute(select(practices.c.contributor_ids, practices.c.tags).where(
        practices.c.tenant_id == tenant, practices.c.contributor_ids.overlap(people)))
    for contributors, tags in rows:
        for person in contributors:
            if person in people:
                out.setdefault(person, set()).update(tags)
    return out


def _points(chairings: list[Chairing], members: int) -> list[LeadershipPoint]:
    return [LeadershipPoint(period=p, **i.__dict__) for p, i in by_month(chairings, members)]


async def leadership(session: AsyncSession, principal: Principal, network_id: uuid.UUID) -> Leadership:
    tenant = principal.tenant_id
    await network_or_404(session, principal, network_id)
    member_rows = (await session.execute(select(memberships.c.educator_id, memberships.c.school_id).where(
        memberships.c.tenant_id == tenant, memberships.c.network_id == network_id))).all()
    school_of = {e: s for e, s in member_rows}
    chairings = [Chairing(on, chair, reason) for on, chair, reason in await session.execute(
        select(meetings.c.meeting_date, meetings.c.chair_id, meetings.c.chair_reason).where(
            meetings.c.tenant_id == tenant, meetings.c.network_id == network_id))]
    schools: dict[str, list[LeadershipPoint]] = {}
    for school in sorted(set(school_of.values()), key=str):
        people = {e for e, s in school_of.items() if s == school}
        mine = [c for c in chairings if c.chair_id in people]
        schools[str(school)] = _points(mine, len(people))
    return Leadership(network=_points(chairings, len(set(school_of))), schools=schools)
