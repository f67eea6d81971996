from __future__ import annotations

import uuid
from datetime import UTC, datetime

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from libs.common.auth import CurrentPrincipal, require
from libs.common.http import SessionDep, WriteSession, created
from libs.common.idempotency import Idempotent
from libs.common.problems import problem_responses
from services.strategy.initiatives import service
from services.strategy.initiatives.schemas import InitiativeCreate, InitiativePublic, StatusUpdateIn

router = APIRouter(tags=["initiatives"], responses=problem_responses(401, 403, 404, 422))
READ, WRITE = require("strategy:read"), require("strategy:write")


@router.post("/plans/{plan_id}/initiatives", status_code=201, response_model=InitiativePublic, dependencies=[WRITE],
             summary="Add an initiative: owner, statement served, money and people-time per school, milestones")
async def create_initiative(plan_id: uuid.UUID, body: InitiativeCreate, request: Request,
                            principal: CurrentPrincipal, session: WriteSession, idempotent: Idempotent) -> JSONResponse:
    if (replay := await idempotent.replay()) is not None:
        return replay
    initiative = await service.create(session, principal, plan_id, body)
    return await idempotent.remember(created(request, f"/initiatives/{initiative.id}", initiative,
                                             initiative.version))


@router.get("/initiatives/{initiative_id}", response_model=InitiativePublic, dependencies=[READ],
            summary="An initiative with its allocations, milestones and status")
async def read_initiative(initiative_id: uuid.UUID, principal: CurrentPrincipal,
                          session: SessionDep) -> InitiativePublic:
    return await service.view(session, principal, initiative_id)


@router.post("/initiatives/{initiative_id}/updates", response_model=InitiativePublic, dependencies=[WRITE],
             summary="A dated status update of the initiative or one of its milestones")
async def update_status(initiative_id: uuid.UUID, body: StatusUpdateIn, principal: CurrentPrincipal,
                        session: WriteSession) -> InitiativePublic:
    return await service.record_update(session, principal, initiative_id, body, datetime.now(UTC).date())
