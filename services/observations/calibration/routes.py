"""Calibration's HTTP API."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request

from libs.common.auth import CurrentPrincipal, require
from libs.common.http import SessionDep, WriteSession, created
from libs.common.idempotency import Idempotent
from libs.common.problems import problem_responses
from services.observations.calibration import service
from services.observations.calibration.schemas import CalibrationCreate, CalibrationPublic, CodingIn

ERRORS = problem_responses(400, 401, 403, 404, 409, 412, 422, 428)
READ, WRITE = require("observations:read"), require("observations:write")
router = APIRouter(responses=ERRORS, tags=["calibration"])


@router.post("/calibration-sessions", status_code=201, response_model=CalibrationPublic, dependencies=[WRITE],
             summary="Start a calibration: several observers code the same segments")
async def create_calibration(body: CalibrationCreate, request: Request, principal: CurrentPrincipal,
                             session: WriteSession, idempotent: Idempotent) -> Any:
    if (replay := await idempotent.replay()) is not None:
        return replay
    session_id = await service.create_calibration(session, principal, body.protocol_version_id, body.items,
                                                  body.facilitator_id)
    result = await service.calibration_result(session, principal, session_id)
    return await idempotent.remember(created(request, f"/calibration-sessions/{session_id}", result))


@router.post("/calibration-sessions/{session_id}/codings", response_model=CalibrationPublic, dependencies=[WRITE],
             summary="One observer's coding of every segment")
async def add_coding(session_id: uuid.UUID, body: CodingIn, principal: CurrentPrincipal,
                     session: WriteSession) -> Any:
    await service.add_coding(session, principal, session_id, body.observer_id, body.codes)
    return await service.calibration_result(session, principal, session_id)


@router.get("/calibration-sessions/{session_id}", response_model=CalibrationPublic, dependencies=[READ],
            summary="Agreement per look-for (Fleiss' kappa with its 95% interval) and per observer (private)")
async def read_calibration(session_id: uuid.UUID, principal: CurrentPrincipal, session: SessionDep) -> Any:
    return await service.calibration_result(session, principal, session_id)
