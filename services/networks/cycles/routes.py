"""PDSA cycles: HTTP API."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request

from libs.common.auth import CurrentPrincipal, require
from libs.common.concurrency import IfMatch, expected_version
from libs.common.http import SessionDep, WriteSession, created, with_etag
from libs.common.idempotency import Idempotent
from libs.common.problems import problem_responses
from services.networks.cycles import service
from services.networks.cycles.schemas import ActStep, CycleCreate, CyclePublic, DoStep, StudyStep

READ, WRITE = require("networks:read"), require("networks:write")
router = APIRouter(tags=["improvement cycles"], responses=problem_responses(400, 401, 403, 404, 409, 412, 422, 428))


@router.post("/cycles", status_code=201, response_model=CyclePublic, dependencies=[WRITE],
             summary="Plan a PDSA cycle of a change idea: questions, each with a prediction")
async def plan(body: CycleCreate, request: Request, principal: CurrentPrincipal, session: WriteSession,
               idempotent: Idempotent) -> Any:
    if (replay := await idempotent.replay()) is not None:
        return replay
    c = await service.plan(session, principal, body)
    return await idempotent.remember(created(request, f"/cycles/{c.id}", c, c.version))


@router.get("/cycles/{cycle_id}", response_model=CyclePublic, dependencies=[READ], summary="A PDSA cycle")
async def read_cycle(cycle_id: uuid.UUID, principal: CurrentPrincipal, session: SessionDep) -> Any:
    c = await service.get(session, principal, cycle_id)
    return with_etag(c, c.version)


@router.get("/problems-of-practice/{problem_id}/cycles", response_model=list[CyclePublic], dependencies=[READ],
            summary="The PDSA cycles of a problem of practice's change ideas")
async def cycles_of(problem_id: uuid.UUID, principal: CurrentPrincipal, session: SessionDep) -> Any:
    return await service.of_problem(session, principal, problem_id)


@router.post("/cycles/{cycle_id}/do", response_model=CyclePublic, dependencies=[WRITE],
             summary="Do: as planned? what was observed (If-Match)")
async def do(cycle_id: uuid.UUID, body: DoStep, principal: CurrentPrincipal, session: WriteSession,
             if_match: IfMatch = None) -> Any:
    c = await service.do(session, principal, cycle_id, expected_version(if_match), body)
    return with_etag(c, c.version)


@router.post("/cycles/{cycle_id}/study", response_model=CyclePublic, dependencies=[WRITE],
             summary="Study: results against each prediction (refused without predictions; If-Match)")
async def study(cycle_id: uuid.UUID, body: StudyStep, principal: CurrentPrincipal, session: WriteSession,
                if_match: IfMatch = None) -> Any:
    c = await service.study(session, principal, cycle_id, expected_version(if_match), body)
    return with_etag(c, c.version)


@router.post("/cycles/{cycle_id}/act", response_model=CyclePublic, dependencies=[WRITE],
             summary="Act: adopt, adapt or abandon the change (If-Match)")
async def act(cycle_id: uuid.UUID, body: ActStep, principal: CurrentPrincipal, session: WriteSession,
              if_match: IfMatch = None) -> Any:
    c = await service.act(session, principal, cycle_id, expected_version(if_match), body)
    return with_etag(c, c.version)
