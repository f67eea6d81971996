"""The ladder over HTTP: its configuration, transitions with their history, readiness estimates."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request, Response

from libs.common.auth import CurrentPrincipal, require
from libs.common.concurrency import IfMatch, expected_version
from libs.common.http import SessionDep, WriteSession, created, with_etag
from libs.common.idempotency import Idempotent
from libs.common.problems import problem_responses
from services.hr.ladder import service
from services.hr.ladder.rules import LadderConfig
from services.hr.ladder.schemas import (
    LadderPublic,
    ReadinessPublic,
    ReadinessSet,
    TransitionCreate,
    TransitionPublic,
)

router = APIRouter(responses=problem_responses(400, 401, 403, 404, 409, 412, 422, 428), tags=["ladder"])
READ, WRITE = require("hr:read"), require("hr:write")


@router.get("/ladder", response_model=LadderPublic, summary="The tenant's career ladder", dependencies=[READ])
async def read_ladder(principal: CurrentPrincipal, session: SessionDep) -> Response:
    ladder = await service.get_ladder(session, principal)
    return with_etag(ladder, ladder.version)


@router.put("/ladder", response_model=LadderPublic, dependencies=[WRITE],
            summary="Rename or add stages, set transitions, criteria and the Ed-Fi mapping (If-Match required)")
async def put_ladder(body: LadderConfig, principal: CurrentPrincipal, session: WriteSession,
                     if_match: IfMatch = None) -> Response:
    ladder = await service.put_ladder(session, principal, expected_version(if_match), body)
    return with_etag(ladder, ladder.version)


@router.post("/educators/{educator_id}/transitions", status_code=201, response_model=TransitionPublic,
             dependencies=[WRITE], summary="Move an educator on the ladder (If-Match: the educator's ETag)")
async def create_transition(educator_id: uuid.UUID, body: TransitionCreate, request: Request,
                            principal: CurrentPrincipal, session: WriteSession, idempotent: Idempotent,
                            if_match: IfMatch = None) -> Response:
    if (replay := await idempotent.replay()) is not None:
        return replay
    move, version = await service.transition(
        session, principal, educator_id, expected_version(if_match) if if_match else None, body.to_stage,
        body.criteria_met, body.evidence, body.approver_id, body.transitioned_on)
    return await idempotent.remember(
        created(request, f"/educators/{educator_id}/transitions/{move.seq}", move, version))


@router.get("/educators/{educator_id}/transitions", response_model=list[TransitionPublic], dependencies=[READ],
            summary="An educator's moves on the ladder, in order")
async def list_transitions(educator_id: uuid.UUID, principal: CurrentPrincipal,
                           session: SessionDep) -> list[TransitionPublic]:
    return await service.history(session, principal, educator_id)


@router.put("/educators/{educator_id}/readiness", response_model=ReadinessPublic, dependencies=[WRITE],
            summary="Set the readiness estimate for the next stage (ready now, 1-2 years, 3+ years)")
async def put_readiness(educator_id: uuid.UUID, body: ReadinessSet, principal: CurrentPrincipal,
                        session: WriteSession) -> ReadinessPublic:
    return await service.set_readiness(session, principal, educator_id, body.target_stage, body.estimate,
                                       body.approver_id, body.set_on)


@router.get("/educators/{educator_id}/readiness", response_model=ReadinessPublic, dependencies=[READ],
            summary="The readiness estimate for the next stage")
async def read_readiness(educator_id: uuid.UUID, principal: CurrentPrincipal,
                         session: SessionDep) -> ReadinessPublic:
    return await service.get_readiness(session, principal, educator_id)
