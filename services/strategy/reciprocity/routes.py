from __future__ import annotations

import uuid

from fastapi import APIRouter

from libs.common.auth import CurrentPrincipal, require
from libs.common.http import SessionDep, WriteSession
from libs.common.problems import problem_responses
from services.strategy.reciprocity import service
from services.strategy.reciprocity.schemas import LedgerPublic, WeightsIn, WeightsPublic
from services.strategy.trajectories.routes import visible_school

router = APIRouter(tags=["reciprocity"], responses=problem_responses(401, 403, 404, 422))
READ, WRITE = require("strategy:read"), require("strategy:write")


@router.get("/reciprocity/weights", response_model=WeightsPublic, dependencies=[READ],
            summary="The tenant's weights of the parts of capacity invested")
async def read_weights(principal: CurrentPrincipal, session: SessionDep) -> WeightsPublic:
    return await service.weights(session, principal.tenant_id)


@router.put("/reciprocity/weights", response_model=WeightsPublic, dependencies=[WRITE],
            summary="Weight the parts of capacity invested (the ledger is recomputed)")
async def write_weights(body: WeightsIn, principal: CurrentPrincipal, session: WriteSession) -> WeightsPublic:
    return await service.set_weights(session, principal.tenant_id, body)


@router.get("/schools/{school_id}/reciprocity", response_model=LedgerPublic, dependencies=[READ],
            summary="The reciprocity ledger of a school: demand against capacity per period, with flags")
async def read_ledger(school_id: uuid.UUID, principal: CurrentPrincipal, session: SessionDep) -> LedgerPublic:
    await visible_school(session, principal, school_id)
    return await service.view(session, principal.tenant_id, school_id)
