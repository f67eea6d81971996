"""Leadership responsibilities and signals over HTTP."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request, Response

from libs.common.auth import CurrentPrincipal, require
from libs.common.http import SessionDep, WriteSession, created
from libs.common.idempotency import Idempotent
from libs.common.problems import problem_responses
from services.hr.leadership import service
from services.hr.leadership.schemas import ResponsibilityCreate, ResponsibilityPublic, SignalPublic

router = APIRouter(responses=problem_responses(400, 401, 403, 404, 409, 422), tags=["leadership"])
READ, WRITE = require("hr:read"), require("hr:write")


@router.post("/educators/{educator_id}/responsibilities", status_code=201, response_model=ResponsibilityPublic,
             summary="Record a leadership responsibility (Teacher Leader Model Standards domains)",
             dependencies=[WRITE])
async def record(educator_id: uuid.UUID, body: ResponsibilityCreate, request: Request, principal: CurrentPrincipal,
                 session: WriteSession, idempotent: Idempotent) -> Response:
    if (replay := await idempotent.replay()) is not None:
        return replay
    r = await service.record(session, principal, educator_id, body.model_dump())
    return await idempotent.remember(created(request, f"/educators/{educator_id}/responsibilities/{r.id}", r))


@router.get("/educators/{educator_id}/responsibilities", response_model=list[ResponsibilityPublic],
            summary="An educator's leadership responsibilities (chairing network meetings included)",
            dependencies=[READ])
async def list_responsibilities(educator_id: uuid.UUID, principal: CurrentPrincipal,
                                session: SessionDep) -> list[ResponsibilityPublic]:
    return await service.list_for(session, principal, educator_id)


@router.get("/educators/{educator_id}/leadership-signals", response_model=list[SignalPublic],
            summary="Leadership-potential signals (networks' leader emerged)", dependencies=[READ])
async def list_signals(educator_id: uuid.UUID, principal: CurrentPrincipal,
                       session: SessionDep) -> list[SignalPublic]:
    return await service.signals_for(session, principal, educator_id)
