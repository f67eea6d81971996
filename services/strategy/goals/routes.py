from __future__ import annotations

import uuid

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from libs.common.auth import CurrentPrincipal, require
from libs.common.http import SessionDep, WriteSession, created
from libs.common.idempotency import Idempotent
from libs.common.problems import problem_responses
from services.strategy.goals import service
from services.strategy.goals.schemas import GoalCreate, GoalPublic

router = APIRouter(tags=["goals"], responses=problem_responses(401, 403, 404, 422))
READ, WRITE = require("strategy:read"), require("strategy:write")


@router.post("/plans/{plan_id}/goals", status_code=201, response_model=GoalPublic, dependencies=[WRITE],
             summary="Add a goal: a measure, polarity, baseline, target and due date")
async def create_goal(plan_id: uuid.UUID, body: GoalCreate, request: Request, principal: CurrentPrincipal,
                      session: WriteSession, idempotent: Idempotent) -> JSONResponse:
    if (replay := await idempotent.replay()) is not None:
        return replay
    goal = await service.create(session, principal, plan_id, body)
    return await idempotent.remember(created(request, f"/goals/{goal.id}", goal, goal.version))


@router.get("/goals/{goal_id}", response_model=GoalPublic, dependencies=[READ],
            summary="A goal with progress, variance from target and the current trend")
async def read_goal(goal_id: uuid.UUID, principal: CurrentPrincipal, session: SessionDep) -> GoalPublic:
    return await service.view(session, principal, goal_id)
