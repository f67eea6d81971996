"""Problems of practice: HTTP API."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request

from libs.common.auth import CurrentPrincipal, require
from libs.common.concurrency import IfMatch, expected_version
from libs.common.http import SessionDep, WriteSession, created, with_etag
from libs.common.idempotency import Idempotent
from libs.common.pagination import Page, PageDep, page_of
from libs.common.problems import problem_responses
from services.networks.problems import service
from services.networks.problems.schemas import (
    ChangeIdeaCreate,
    ChangeIdeaPublic,
    DriverDiagramIn,
    ProblemCreate,
    ProblemPublic,
    ProblemTransition,
    ProblemUpdate,
)

READ, WRITE = require("networks:read"), require("networks:write")
router = APIRouter(tags=["problems of practice"],
                   responses=problem_responses(400, 401, 403, 404, 409, 412, 422, 428))


@router.post("/problems-of-practice", status_code=201, response_model=ProblemPublic, dependencies=[WRITE],
             summary="A school poses a problem of practice (a draft until the five criteria are met)")
async def pose(body: ProblemCreate, request: Request, principal: CurrentPrincipal, session: WriteSession,
               idempotent: Idempotent) -> Any:
    if (replay := await idempotent.replay()) is not None:
        return replay
    problem_id = await service.pose(session, principal, body)
    found = await service.get(session, principal, problem_id)
    return await idempotent.remember(created(request, f"/problems-of-practice/{problem_id}", found, found.version))


@router.get("/problems-of-practice", response_model=Page[ProblemPublic], dependencies=[READ],
            summary="Problems of practice, by network or school")
async def list_problems(principal: CurrentPrincipal, session: SessionDep, page: PageDep,
                        network_id: uuid.UUID | None = None, school_id: uuid.UUID | None = None) -> Any:
    rows = await service.list_problems(session, principal, page, network_id, school_id)
    items, token = page_of(rows, page.size, lambda p: {"id": str(p.id)})
    return Page[ProblemPublic](items=items, next_page_token=token)


@router.get("/problems-of-practice/{problem_id}", response_model=ProblemPublic, dependencies=[READ],
            summary="A problem of practice, its criteria and the visits that examined it")
async def read_problem(problem_id: uuid.UUID, principal: CurrentPrincipal, session: SessionDep) -> Any:
    found = await service.get(session, principal, problem_id)
    return with_etag(found, found.version)


@router.patch("/problems-of-practice/{problem_id}", response_model=ProblemPublic, dependencies=[WRITE],
              summary="Revise the statement, evidence, theory of action or criteria (If-Match)")
async def revise(problem_id: uuid.UUID, body: ProblemUpdate, principal: CurrentPrincipal, session: WriteSession,
                 if_match: IfMatch = None) -> Any:
    await service.revise(session, principal, problem_id, expected_version(if_match), body)
    found = await service.get(session, principal, problem_id)
    return with_etag(found, found.version)


@router.post("/problems-of-practice/{problem_id}/transitions", response_model=ProblemPublic,
             dependencies=[WRITE], summary="draft -> active (all five criteria) -> resolved | retired (If-Match)")
async def transition(problem_id: uuid.UUID, body: ProblemTransition, principal: CurrentPrincipal,
                     session: WriteSession, if_match: IfMatch = None) -> Any:
    await service.transition(session, principal, problem_id, expected_version(if_match), body.to)
    found = await service.get(session, principal, problem_id)
    return with_etag(found, found.version)


@router.put("/problems-of-practice/{problem_id}/driver-diagram", response_model=ProblemPublic,
            dependencies=[WRITE], summary="Set the aim and the driver diagram (If-Match)")
async def driver_diagram(problem_id: uuid.UUID, body: DriverDiagramIn, principal: CurrentPrincipal,
                         session: WriteSession, if_match: IfMatch = None) -> Any:
    await service.set_driver_diagram(session, principal, problem_id, expected_version(if_match), body)
    found = await service.get(session, principal, problem_id)
    return with_etag(found, found.version)


@router.post("/problems-of-practice/{problem_id}/change-ideas", status_code=201, response_model=ChangeIdeaPublic,
             dependencies=[WRITE], summary="Add a change idea to the driver diagram (under its drivers)")
async def add_change_idea(problem_id: uuid.UUID, body: ChangeIdeaCreate, request: Request,
                          principal: CurrentPrincipal, session: WriteSession, idempotent: Idempotent) -> Any:
    if (replay := await idempotent.replay()) is not None:
        return replay
    idea = await service.add_change_idea(session, principal, problem_id, body)
    return await idempotent.remember(created(request, f"/problems-of-practice/{problem_id}", idea))
