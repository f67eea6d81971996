"""The practice-quality index's and observer figures' HTTP API."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query

from libs.common.auth import CurrentPrincipal, require
from libs.common.changes import ChangeWindowDep
from libs.common.http import SessionDep, WriteSession
from libs.common.pagination import Page, PageDep
from libs.common.problems import problem_responses
from services.observations.quality import service
from services.observations.quality.schemas import EvidenceQuality, PeriodClose, QualityIndexPublic, QualityPublic

ERRORS = problem_responses(400, 401, 403, 404, 409, 412, 422, 428)
READ, WRITE = require("observations:read"), require("observations:write")
router = APIRouter(responses=ERRORS, tags=["quality"])


@router.get("/schools/{school_id}/quality", response_model=QualityPublic, dependencies=[READ],
            summary="The school's practice-quality index for a period (default: the current school term); "
                    "shown only from the minimum of classrooms")
async def school_quality(school_id: uuid.UUID, principal: CurrentPrincipal, session: SessionDep,
                         period: Annotated[str | None, Query(pattern=r"^\d{4}-\d{2}-T[12]$")] = None,
                         protocol_version_id: uuid.UUID | None = None) -> Any:
    return await service.school_quality(session, principal, school_id, period, protocol_version_id)


@router.get("/quality-index", response_model=Page[QualityIndexPublic], dependencies=[READ],
            summary="Every school's practice-quality index, per period and protocol version, by id; figures "
                    "only from the minimum of classrooms")
async def list_quality_index(principal: CurrentPrincipal, session: SessionDep, page: PageDep,
                             changes: ChangeWindowDep,
                             period: Annotated[str | None, Query(pattern=r"^\d{4}-\d{2}-T[12]$")] = None) -> Any:
    items, token = await service.list_indices(session, principal, page, changes, period)
    return {"items": items, "next_page_token": token}


@router.post("/schools/{school_id}/quality/close", response_model=list[QualityPublic], dependencies=[WRITE],
             summary="Close a period: publish the school's final index for it (once)")
async def close_period(school_id: uuid.UUID, body: PeriodClose, principal: CurrentPrincipal,
                       session: WriteSession) -> Any:
    return await service.close_period(session, principal, school_id, body.period)


@router.get("/observers/{observer_id}/evidence-quality", response_model=EvidenceQuality, dependencies=[READ],
            summary="An observer's share of descriptive notes: for the observer and their calibration facilitator")
async def evidence_quality(observer_id: uuid.UUID, principal: CurrentPrincipal, session: SessionDep) -> Any:
    return await service.evidence_quality(session, principal, observer_id)
