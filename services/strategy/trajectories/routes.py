"""Chart-ready series and a school's trajectory (detectors and improvement stage)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from sqlalchemy.ext.asyncio import AsyncSession

from libs.common.auth import CurrentPrincipal, Principal, require
from libs.common.http import SessionDep
from libs.common.problems import field_error, not_found, problem_responses
from libs.common.repository import unknown_references
from services.strategy import common
from services.strategy.fields import QUALITY_MEASURE, Measure, Period
from services.strategy.trajectories import rules, service
from services.strategy.trajectories.examples import SERIES_EXAMPLE, TRAJECTORY_EXAMPLE, example_response

router = APIRouter(tags=["trajectories"], responses=problem_responses(401, 403, 404, 422))
READ = require("strategy:read")
MeasurePath = Annotated[Measure, Path()]
Shift = Annotated[int, Query(ge=2, le=50, description="points on one side of the median for a shift")]
Trend = Annotated[int, Query(ge=2, le=50, description="points all rising or all falling for a trend")]


async def visible_school(session: AsyncSession, principal: Principal, school_id: uuid.UUID) -> None:
    """A school this client may not see, or hr does not know in the tenant, is not found."""
    if not principal.may_see_school(school_id) or await unknown_references(
            session, principal.tenant_id, [common.school("school_id", school_id)]):
        raise not_found("school")


@router.get("/schools/{school_id}/series/{measure}", dependencies=[READ], responses=example_response(SERIES_EXAMPLE),
            summary="A chart-ready series: points, median and limits per phase, and every signal")
async def read_series(school_id: uuid.UUID, measure: MeasurePath, principal: CurrentPrincipal, session: SessionDep,
                      freeze: Annotated[int | None, Query(ge=1, le=10000)] = None,
                      phase_from: Annotated[list[Period] | None, Query(max_length=50)] = None,
                      shift: Shift = rules.DEFAULT_SHIFT, trend: Trend = rules.DEFAULT_TREND) -> dict[str, Any]:
    await visible_school(session, principal, school_id)
    periods, values = await service.series(session, principal.tenant_id, school_id, measure)
    breaks = sorted({i for p in phase_from or [] if (i := service.index_from(periods, p)) is not None})
    analysis = rules.analyse(values, breaks=breaks, freeze=freeze, shift=shift, trend=trend)
    return {"school_id": school_id, "measure": measure, "shift": shift, "trend": trend, "freeze": freeze,
            **service.chart(periods, values, analysis),
            "marks": await service.marks(session, principal.tenant_id, school_id)}


@router.get("/schools/{school_id}/trajectory", dependencies=[READ], responses=example_response(TRAJECTORY_EXAMPLE),
            summary="Implementation dip, plateau, see-saw, quality-to-performance lag and the improvement stage")
async def read_trajectory(school_id: uuid.UUID, principal: CurrentPrincipal, session: SessionDep,
                          performance: Annotated[Measure | None, Query(description="the performance measure "
                                                                            "(required)")] = None,
                          quality: Annotated[Measure, Query()] = QUALITY_MEASURE,
                          baseline: Annotated[int | None, Query(ge=2, le=10000)] = None,
                          plateau_periods: Annotated[int, Query(ge=2, le=120)] = 6,
                          max_lag: Annotated[int, Query(ge=1, le=24)] = 4,
                          shift: Shift = rules.DEFAULT_SHIFT, trend: Trend = rules.DEFAULT_TREND) -> dict[str, Any]:
    await visible_school(session, principal, school_id)
    # checked after the school, so another tenant's school is 404 whatever the query says
    if performance is None:
        raise field_error("performance", "name the performance measure, e.g. performance=math")
    if performance == quality:
        raise field_error("quality", "name a measure other than the performance measure")
    return await service.trajectory(session, principal.tenant_id, school_id, performance, quality,
                                    baseline=baseline, plateau_periods=plateau_periods, max_lag=max_lag,
                                    shift=shift, trend=trend)
