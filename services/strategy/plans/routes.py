"""Plans, theory-of-action statements and the plan review (staleness and freshness)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from libs.common.auth import CurrentPrincipal, require
from libs.common.changes import ChangeWindowDep
from libs.common.http import SessionDep, WriteSession, created
from libs.common.idempotency import Idempotent
from libs.common.pagination import Page, PageDep
from libs.common.problems import problem_responses
from services.strategy.plans import service
from services.strategy.plans.schemas import (
    PlanCreate,
    PlanPublic,
    PlanRecord,
    ReviewPublic,
    StatementCreate,
    StatementPublic,
)

router = APIRouter(tags=["plans"], responses=problem_responses(401, 403, 404, 409, 422))
READ, WRITE = require("strategy:read"), require("strategy:write")


@router.post("/plans", status_code=201, response_model=PlanPublic, dependencies=[WRITE],
             summary="Create a plan for a district or a school and a period")
async def create_plan(body: PlanCreate, request: Request, principal: CurrentPrincipal,
                      session: WriteSession, idempotent: Idempotent) -> JSONResponse:
    if (replay := await idempotent.replay()) is not None:
        return replay
    plan = await service.create(session, principal, body)
    return await idempotent.remember(created(request, f"/plans/{plan.id}", plan, plan.version))


@router.get("/plans", response_model=Page[PlanRecord], dependencies=[READ],
            summary="List plans (their own fields), all or what changed in a change-version window")
async def list_plans(principal: CurrentPrincipal, session: SessionDep, page: PageDep, changes: ChangeWindowDep,
                     level: Literal["district", "school"] | None = None, district_id: uuid.UUID | None = None,
                     school_id: uuid.UUID | None = None, status: Literal["draft", "adopted"] | None = None) -> Any:
    """In id order. With `min_change_version`/`max_change_version`, only plans created or changed in that
    window (see `GET /available-change-versions`; deleted ones are `GET /plans/deletes`)."""
    items, token = await service.list_plans(session, principal, page, changes, {
        "level": level, "district_id": district_id, "school_id": school_id, "status": status})
    return {"items": items, "next_page_token": token}


@router.get("/plans/{plan_id}", response_model=PlanPublic, dependencies=[READ],
            summary="A plan: statements with verdicts, goals, initiatives, roll-up and freshness")
async def read_plan(plan_id: uuid.UUID, principal: CurrentPrincipal, session: SessionDep) -> PlanPublic:
    return await service.view(session, principal, plan_id)


@router.post("/plans/{plan_id}/adopt", response_model=PlanPublic, dependencies=[WRITE], summary="Adopt a plan")
async def adopt_plan(plan_id: uuid.UUID, principal: CurrentPrincipal, session: WriteSession) -> PlanPublic:
    return await service.adopt(session, principal, plan_id)


@router.post("/plans/{plan_id}/statements", status_code=201, response_model=StatementPublic, dependencies=[WRITE],
             summary="Add an if/then statement to the plan's theory of action")
async def add_statement(plan_id: uuid.UUID, body: StatementCreate, request: Request, principal: CurrentPrincipal,
                        session: WriteSession, idempotent: Idempotent) -> JSONResponse:
    if (replay := await idempotent.replay()) is not None:
        return replay
    st = await service.add_statement(session, principal, plan_id, body)
    return await idempotent.remember(created(request, f"/statements/{st.id}", st, st.version))


@router.get("/statements/{statement_id}", response_model=StatementPublic, dependencies=[READ],
            summary="A statement with its computed verdict and the evidence behind it")
async def read_statement(statement_id: uuid.UUID, principal: CurrentPrincipal,
                         session: SessionDep) -> StatementPublic:
    return await service.statement_view(session, principal, statement_id)


@router.post("/plans/{plan_id}/review", response_model=ReviewPublic, dependencies=[WRITE],
             summary="Mark items past their update due date plus grace as stale; the plan's freshness")
async def review_plan(plan_id: uuid.UUID, principal: CurrentPrincipal, session: WriteSession) -> ReviewPublic:
    return await service.review(session, principal, plan_id, datetime.now(UTC).date())
