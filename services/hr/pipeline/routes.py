"""Leadership posts and the pipeline's analytics over HTTP."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from libs.common.auth import CurrentPrincipal, require
from libs.common.http import SessionDep, WriteSession, created
from libs.common.idempotency import Idempotent
from libs.common.problems import problem_responses
from services.hr.pipeline import service
from services.hr.pipeline.schemas import PipelineAnalytics, PostCreate, PostPublic

router = APIRouter(responses=problem_responses(400, 401, 403, 404, 409, 422), tags=["pipeline"])
READ, WRITE = require("hr:read"), require("hr:write")


@router.post("/posts", status_code=201, response_model=PostPublic, summary="Register a leadership post",
             dependencies=[WRITE])
async def create_post(body: PostCreate, request: Request, principal: CurrentPrincipal, session: WriteSession,
                      idempotent: Idempotent) -> Response:
    if (replay := await idempotent.replay()) is not None:
        return replay
    post = await service.create_post(session, principal, body)
    return await idempotent.remember(created(request, f"/posts/{post.id}", post, post.version))


@router.get("/posts", response_model=list[PostPublic], summary="List leadership posts", dependencies=[READ])
async def list_posts(principal: CurrentPrincipal, session: SessionDep) -> list[PostPublic]:
    return await service.list_posts(session, principal)


@router.get("/pipeline/analytics", response_model=PipelineAnalytics, dependencies=[READ],
            summary="Counts per stage, time in stage, mentoring coverage, bench strength, succession risk, "
                    "vacancy forecast (from the projection)")
async def analytics(principal: CurrentPrincipal, session: WriteSession) -> Response:
    # The projection's JSON as stored: the hot read skips parsing and re-serialising it.
    return Response(await service.analytics(session, principal), media_type="application/json")
