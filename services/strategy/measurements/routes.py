from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter

from libs.common.auth import CurrentPrincipal, require
from libs.common.changes import ChangeWindowDep
from libs.common.fields import ExternalId
from libs.common.http import SessionDep, WriteSession
from libs.common.pagination import Page, PageDep
from libs.common.problems import problem_responses
from services.strategy.fields import Measure, Period
from services.strategy.measurements import service
from services.strategy.measurements.schemas import BatchResult, MeasurementBatch, MeasurementPublic, Source

router = APIRouter(tags=["measurements"], responses=problem_responses(401, 403, 422))
READ, WRITE = require("strategy:read"), require("strategy:write")


@router.post("/measurements/bulk", response_model=BatchResult, dependencies=[WRITE],
             summary="Load performance data in bulk, idempotent by (school, measure, period); all or nothing")
async def load_measurements(body: MeasurementBatch, principal: CurrentPrincipal,
                            session: WriteSession) -> BatchResult:
    return await service.load(session, principal, body)


@router.get("/measurements", response_model=Page[MeasurementPublic], dependencies=[READ],
            summary="List measurements, all or what changed in a change-version window")
async def list_measurements(principal: CurrentPrincipal, session: SessionDep, page: PageDep,
                            changes: ChangeWindowDep, school_id: uuid.UUID | None = None,
                            measure: Measure | None = None, period: Period | None = None,
                            source: Source | None = None, external_id: ExternalId | None = None) -> Any:
    """In id order (a school's series in period order is `GET /schools/{school_id}/series/{measure}`). With
    `min_change_version`/`max_change_version`, only values loaded, changed or recorded from observations'
    events in that window (see `GET /available-change-versions`; deleted ones are
    `GET /measurements/deletes`)."""
    items, token = await service.list_measurements(session, principal, page, changes, {
        "school_id": school_id, "measure": measure, "period": period, "source": source,
        "external_id": external_id})
    return {"items": items, "next_page_token": token}
