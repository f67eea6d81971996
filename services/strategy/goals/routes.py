from __future__ import annotations

import uuid
from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from libs.common.auth import CurrentPrincipal, require
from libs.common.changes import ChangeWindowDep
from libs.common.http import SessionDep, WriteSession, created
from libs.common.idempotency import Idempotent
from libs.common.pagination import Page, PageDep
from libs.common.problems import problem_responses
from services.strategy.fields import Measure
from services.strategy.goals import service
from services.strategy.goals.schemas import GoalCreate, GoalPublic, GoalRecord

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


@router.get("/goals", response_model=Page[GoalRecord], dependencies=[READ],
            summary="List goals (their own fields), all or what changed in a change-version window")
async def list_goals(principal: CurrentPrincipal, session: SessionDep, page: PageDep, changes: ChangeWindowDep,
                     plan_id: uuid.UUID | None = None, school_id: uuid.UUID | None = None,
                     measure: Measure | None = None,
                     status: Literal["open", "met", "missed"] | None = None) -> Any:
    """In id order. With `min_change_version`/`max_change_version`, only goals created or changed in that
    window (a goal changes when it is met or missed; see `GET /available-change-versions`; deleted ones are
    `GET /goals/deletes`). Progress and trend are `GET /goals/{goal_id}`'s."""
    items, token = await service.list_goals(session, principal, page, changes, {
        "plan_id": plan_id, "school_id": school_id, "measure": measure, "status": status})
    return {"items": items, "next_page_token": token}


@router.get("/goals/{goal_id}", response_model=GoalPublic, dependencies=[READ],
            summary="A goal with progress, variance from target and the current trend")
async def read_goal(goal_id: uuid.UUID, principal: CurrentPrincipal, session: SessionDep) -> GoalPublic:
    return await service.view(session, principal, goal_id)
