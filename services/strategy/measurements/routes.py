from __future__ import annotations

from fastapi import APIRouter

from libs.common.auth import CurrentPrincipal, require
from libs.common.http import WriteSession
from libs.common.problems import problem_responses
from services.strategy.measurements import service
from services.strategy.measurements.schemas import BatchResult, MeasurementBatch

router = APIRouter(tags=["measurements"], responses=problem_responses(401, 403, 422))
WRITE = require("strategy:write")


@router.post("/measurements/bulk", response_model=BatchResult, dependencies=[WRITE],
             summary="Load performance data in bulk, idempotent by (school, measure, period); all or nothing")
async def load_measurements(body: MeasurementBatch, principal: CurrentPrincipal,
                            session: WriteSession) -> BatchResult:
    return await service.load(session, principal, body.items)
