"""Feedback on practice over HTTP."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request, Response

from libs.common.auth import CurrentPrincipal, require
from libs.common.http import WriteSession, created, request_id
from libs.common.idempotency import Idempotent
from libs.common.problems import problem_responses
from services.hr.feedback import service
from services.hr.feedback.schemas import FeedbackCreate, FeedbackPublic

router = APIRouter(responses=problem_responses(400, 401, 403, 404, 409, 422), tags=["feedback"])
READ, WRITE = require("hr:read"), require("hr:write")


@router.post("/educators/{educator_id}/feedback", status_code=201, response_model=FeedbackPublic,
             summary="Give feedback on practice (instruction or the practices of improvement)",
             dependencies=[WRITE])
async def give(educator_id: uuid.UUID, body: FeedbackCreate, request: Request, principal: CurrentPrincipal,
               session: WriteSession, idempotent: Idempotent) -> Response:
    if (replay := await idempotent.replay()) is not None:
        return replay
    f = await service.give(session, principal, request_id(request), educator_id, body.model_dump())
    return await idempotent.remember(created(request, f"/educators/{educator_id}/feedback/{f.id}", f))


@router.get("/educators/{educator_id}/feedback", response_model=list[FeedbackPublic],
            summary="An educator's feedback on practice (text only with hr:pii)", dependencies=[READ])
async def list_feedback(educator_id: uuid.UUID, request: Request, principal: CurrentPrincipal,
                        session: WriteSession) -> list[FeedbackPublic]:
    return await service.list_for(session, principal, request_id(request), educator_id)
