"""Mentoring over HTTP."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request, Response

from libs.common.auth import CurrentPrincipal, require
from libs.common.concurrency import IfMatch, expected_version
from libs.common.http import SessionDep, WriteSession, created, with_etag
from libs.common.idempotency import Idempotent
from libs.common.problems import problem_responses
from services.hr.mentoring import service
from services.hr.mentoring.schemas import (
    CoveragePublic,
    MentoringAlert,
    MentorshipCreate,
    MentorshipEnd,
    MentorshipPublic,
)

router = APIRouter(responses=problem_responses(400, 401, 403, 404, 409, 412, 422), tags=["mentoring"])
READ, WRITE = require("hr:read"), require("hr:write")


@router.post("/mentorships", status_code=201, response_model=MentorshipPublic, dependencies=[WRITE],
             summary="Assign a mentor of a higher stage (within the mentor's capacity)")
async def assign(body: MentorshipCreate, request: Request, principal: CurrentPrincipal, session: WriteSession,
                 idempotent: Idempotent) -> Response:
    if (replay := await idempotent.replay()) is not None:
        return replay
    m = await service.assign(session, principal, body.mentor_id, body.mentee_id, body.starts_on)
    return await idempotent.remember(created(request, f"/mentorships/{m.id}", m, m.version))


@router.get("/mentorships", response_model=list[MentorshipPublic], summary="List mentorships", dependencies=[READ])
async def list_mentorships(principal: CurrentPrincipal, session: SessionDep, mentee_id: uuid.UUID | None = None,
                           mentor_id: uuid.UUID | None = None, active: bool | None = None) -> list[MentorshipPublic]:
    return await service.list_mentorships(session, principal, mentee_id=mentee_id, mentor_id=mentor_id,
                                          active=active)


@router.post("/mentorships/{mentorship_id}/end", response_model=MentorshipPublic, dependencies=[WRITE],
             summary="End a mentorship")
async def end(mentorship_id: uuid.UUID, body: MentorshipEnd, principal: CurrentPrincipal, session: WriteSession,
              if_match: IfMatch = None) -> Response:
    m = await service.end(session, principal, mentorship_id, expected_version(if_match) if if_match else None,
                          body.ends_on)
    return with_etag(m, m.version)


@router.get("/mentoring/alerts", response_model=list[MentoringAlert], dependencies=[READ],
            summary="Novices without a mentor beyond the tenant's grace period")
async def alerts(principal: CurrentPrincipal, session: SessionDep) -> list[MentoringAlert]:
    return await service.alerts(session, principal)


@router.post("/mentoring/gaps", response_model=list[MentoringAlert], dependencies=[WRITE],
             summary="Open a mentoring gap (and its event) for every alert without one; returns those opened")
async def open_gaps(principal: CurrentPrincipal, session: WriteSession) -> list[MentoringAlert]:
    return await service.open_gaps(session, principal)


@router.get("/mentoring/coverage", response_model=CoveragePublic, dependencies=[READ],
            summary="Novices with an active mentor, per school and in all")
async def coverage(principal: CurrentPrincipal, session: SessionDep) -> CoveragePublic:
    return CoveragePublic(schools=await service.coverage(session, principal))
