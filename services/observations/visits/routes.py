"""Visits' HTTP API."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request

from libs.common.auth import CurrentPrincipal, require
from libs.common.changes import ChangeWindowDep
from libs.common.concurrency import IfMatch, expected_version
from libs.common.http import SessionDep, WriteSession, created, request_id, with_etag
from libs.common.idempotency import Idempotent
from libs.common.pagination import Page, PageDep
from libs.common.problems import problem_responses
from services.observations.visits import service
from services.observations.visits.schemas import VisitCreate, VisitPublic, VisitSummary, VisitTransition

ERRORS = problem_responses(400, 401, 403, 404, 409, 412, 422, 428)
READ, WRITE = require("observations:read"), require("observations:write")
router = APIRouter(responses=ERRORS, tags=["visits"])


@router.post("/visits", status_code=201, response_model=VisitPublic, dependencies=[WRITE],
             summary="Schedule a visit (a round) at a host school, with its set-up")
async def schedule_visit(body: VisitCreate, request: Request, principal: CurrentPrincipal, session: WriteSession,
                         idempotent: Idempotent) -> Any:
    if (replay := await idempotent.replay()) is not None:
        return replay
    visit_id = await service.schedule_visit(session, principal, body)
    visit = await service.get_visit(session, principal, visit_id, request_id(request))
    return await idempotent.remember(created(request, f"/visits/{visit_id}", visit, visit.version))


@router.get("/visits", response_model=Page[VisitPublic], dependencies=[READ],
            summary="List visits, by id; classrooms' teachers are not shown here (read the visit)")
async def list_visits(principal: CurrentPrincipal, session: SessionDep, page: PageDep, changes: ChangeWindowDep) -> Any:
    items, token = await service.list_visits(session, principal, page, changes)
    return {"items": items, "next_page_token": token}


@router.get("/visits/{visit_id}", response_model=VisitPublic, dependencies=[READ],
            summary="A visit; classrooms' teachers only for the host school's own staff with observations:identify")
async def read_visit(visit_id: uuid.UUID, request: Request, principal: CurrentPrincipal,
                     session: WriteSession) -> Any:
    # a write session: reading a teacher's identity writes its audit record in the same transaction
    visit = await service.get_visit(session, principal, visit_id, request_id(request))
    return with_etag(visit, visit.version)


@router.post("/visits/{visit_id}/transitions", response_model=VisitPublic, dependencies=[WRITE],
             summary="Move a visit: planned -> in_progress -> observed -> debriefed -> closed (If-Match required)")
async def transition_visit(visit_id: uuid.UUID, body: VisitTransition, request: Request,
                           principal: CurrentPrincipal, session: WriteSession, if_match: IfMatch = None) -> Any:
    await service.transition_visit(session, principal, visit_id, expected_version(if_match), body.to)
    visit = await service.get_visit(session, principal, visit_id, request_id(request))
    return with_etag(visit, visit.version)


@router.get("/problems-of-practice/{problem_of_practice_id}/visits", response_model=list[VisitSummary],
            dependencies=[READ], tags=["problems of practice"],
            summary="The visits that examined a problem of practice (networks' id), newest first")
async def visits_examining(problem_of_practice_id: uuid.UUID, principal: CurrentPrincipal,
                           session: SessionDep) -> Any:
    return await service.visits_examining(session, principal, problem_of_practice_id)
