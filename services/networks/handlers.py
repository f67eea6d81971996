"""What networks consumes: hr's directory (its replica), observations' visits (joint-visit ties, the
visits that examined a problem of practice, the debrief's next level of work as commitments) and hr's
mentoring (directed ties). Every handler is idempotent: the inbox skips a redelivered event, and the
writes themselves are keyed (ties by source and pair, commitments by debrief item)."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from libs.common.events import Event
from libs.common.inbox import Consumer, consumer
from libs.contracts.hr import MentorAssigned, MentorEnded
from libs.contracts.observations import VisitDebriefed, VisitScheduled
from libs.directory import directory_consumer
from services.networks.commitments.service import from_debrief
from services.networks.graph import service as graph
from services.networks.models import DIRECTORY
from services.networks.settings import SERVICE

LINK_VISIT = text(
    "INSERT INTO problem_visits (tenant_id, problem_of_practice_id, visit_id, visit_date) "
    "SELECT :tenant_id, id, :visit_id, :visit_date FROM problems_of_practice WHERE tenant_id = :tenant_id "
    "AND id = :problem_id ON CONFLICT (tenant_id, problem_of_practice_id, visit_id) DO UPDATE SET "
    "visit_date = COALESCE(EXCLUDED.visit_date, problem_visits.visit_date)")


async def link_visit(session: AsyncSession, tenant: str, problem_id: uuid.UUID | None, visit_id: uuid.UUID,
                     visit_date: date | None) -> None:
    """A visit examined a problem of practice (an id unknown in the tenant is ignored: nothing to list)."""
    if problem_id is not None:
        await session.execute(LINK_VISIT, {"tenant_id": tenant, "problem_id": problem_id, "visit_id": visit_id,
                                           "visit_date": visit_date})


async def visit_scheduled(session: AsyncSession, event: Event, p: VisitScheduled) -> None:
    await graph.add_ties(session, event.tenant_id, "joint_visit", p.visit_id, graph.pairs(p.observer_ids),
                         p.visit_date, network_id=p.network_id, school_id=p.school_id)
    # the problem of practice the visit examines is listed from the day it is scheduled, not only after its debrief
    await link_visit(session, event.tenant_id, p.problem_of_practice_id, p.visit_id, p.visit_date)
    await graph.refresh_for(session, event.tenant_id, p.observer_ids, since=p.visit_date)


async def visit_debriefed(session: AsyncSession, event: Event, p: VisitDebriefed) -> None:
    await link_visit(session, event.tenant_id, p.problem_of_practice_id, p.visit_id, None)
    await from_debrief(session, event, p)


async def mentor_assigned(session: AsyncSession, event: Event, p: MentorAssigned) -> None:
    # directed: the mentor gives; reciprocity counts the ties that are returned
    await graph.add_ties(session, event.tenant_id, "mentoring", p.mentorship_id, [(p.mentor_id, p.mentee_id)],
                         p.starts_on, school_id=p.school_id)
    await graph.refresh_for(session, event.tenant_id, [p.mentor_id, p.mentee_id], since=p.starts_on)


async def mentor_ended(session: AsyncSession, event: Event, p: MentorEnded) -> None:
    # the tie stays in the graph (social capital outlives the assignment); its end is kept with it
    await graph.end_ties(session, event.tenant_id, "mentoring", p.mentorship_id, p.ends_on)


CONSUMERS: list[Consumer] = [
    directory_consumer(SERVICE, DIRECTORY),
    consumer(f"{SERVICE}.visits", {VisitScheduled: visit_scheduled, VisitDebriefed: visit_debriefed}),
    consumer(f"{SERVICE}.mentoring", {MentorAssigned: mentor_assigned, MentorEnded: mentor_ended}),
]
