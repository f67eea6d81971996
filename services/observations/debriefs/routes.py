"""Debriefs' HTTP API: analyze (pattern statements), predict, next level of work."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request

from libs.common.auth import CurrentPrincipal, require
from libs.common.http import SessionDep, WriteSession, created
from libs.common.idempotency import Idempotent
from libs.common.problems import problem_responses
from services.observations.debriefs import service
from services.observations.debriefs.schemas import DebriefIn, DebriefPublic, PatternIn, PatternStatementPublic

ERRORS = problem_responses(400, 401, 403, 404, 409, 412, 422, 428)
READ, WRITE = require("observations:read"), require("observations:write")
router = APIRouter(responses=ERRORS, tags=["debriefs"])


@router.put("/visits/{visit_id}/debrief", response_model=DebriefPublic, dependencies=[WRITE],
            summary="Record the team's prediction and the next level of work (while in_progress or observed)")
async def save_debrief(visit_id: uuid.UUID, body: DebriefIn, principal: CurrentPrincipal,
                       session: WriteSession) -> Any:
    await service.save_debrief(session, principal, visit_id, body)
    return await service.debrief(session, principal, visit_id)


@router.get("/visits/{visit_id}/debrief", response_model=DebriefPublic, dependencies=[READ],
            summary="Pattern statements, hints per look-for, prediction, next level of work")
async def read_debrief(visit_id: uuid.UUID, principal: CurrentPrincipal, session: SessionDep) -> Any:
    return await service.debrief(session, principal, visit_id)


@router.post("/visits/{visit_id}/patterns", status_code=201, response_model=PatternStatementPublic,
             dependencies=[WRITE], summary="Analyze: a team-written pattern statement with its quantifier and evidence")
async def add_pattern(visit_id: uuid.UUID, body: PatternIn, request: Request, principal: CurrentPrincipal,
                      session: WriteSession, idempotent: Idempotent) -> Any:
    if (replay := await idempotent.replay()) is not None:
        return replay
    pattern_id = await service.add_pattern(session, principal, visit_id, body)
    found = await service.pattern_of(session, principal, visit_id, pattern_id)
    return await idempotent.remember(created(request, f"/visits/{visit_id}/patterns", found))


@router.get("/visits/{visit_id}/patterns", response_model=list[PatternStatementPublic], dependencies=[READ],
            summary="The team's pattern statements")
async def list_patterns(visit_id: uuid.UUID, principal: CurrentPrincipal, session: SessionDep) -> Any:
    return await service.list_patterns(session, principal, visit_id)
