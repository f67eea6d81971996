"""Professional learning over HTTP."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request, Response

from libs.common.auth import CurrentPrincipal, require
from libs.common.http import SessionDep, WriteSession, created
from libs.common.idempotency import Idempotent
from libs.common.problems import problem_responses
from services.hr.learning import service
from services.hr.learning.schemas import LearningCreate, LearningPublic

router = APIRouter(responses=problem_responses(400, 401, 403, 404, 422), tags=["professional learning"])
READ, WRITE = require("hr:read"), require("hr:write")


@router.post("/professional-learning", status_code=201, response_model=LearningPublic, dependencies=[WRITE],
             summary="Record hours of professional learning (emits an event strategy counts)")
async def record(body: LearningCreate, request: Request, principal: CurrentPrincipal, session: WriteSession,
                 idempotent: Idempotent) -> Response:
    if (replay := await idempotent.replay()) is not None:
        return replay
    r = await service.record(session, principal, body.model_dump())
    return await idempotent.remember(created(request, f"/professional-learning/{r.id}", r))


@router.get("/educators/{educator_id}/professional-learning", response_model=list[LearningPublic],
            summary="An educator's professional learning", dependencies=[READ])
async def list_learning(educator_id: uuid.UUID, principal: CurrentPrincipal,
                        session: SessionDep) -> list[LearningPublic]:
    return await service.list_for(session, principal, educator_id)
