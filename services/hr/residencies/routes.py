"""Residencies over HTTP."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request, Response

from libs.common.auth import CurrentPrincipal, require
from libs.common.concurrency import IfMatch, expected_version
from libs.common.http import SessionDep, WriteSession, created, with_etag
from libs.common.idempotency import Idempotent
from libs.common.problems import problem_responses
from services.hr.residencies import service
from services.hr.residencies.schemas import ResidencyCreate, ResidencyEnd, ResidencyPublic

router = APIRouter(responses=problem_responses(400, 401, 403, 404, 409, 412, 422), tags=["residencies"])
READ, WRITE = require("hr:read"), require("hr:write")


@router.post("/residencies", status_code=201, response_model=ResidencyPublic, dependencies=[WRITE],
             summary="Place a principal resident in another school under a supervising principal")
async def place(body: ResidencyCreate, request: Request, principal: CurrentPrincipal, session: WriteSession,
                idempotent: Idempotent) -> Response:
    if (replay := await idempotent.replay()) is not None:
        return replay
    r = await service.place(session, principal, body.model_dump())
    return await idempotent.remember(created(request, f"/residencies/{r.id}", r, r.version))


@router.get("/residencies", response_model=list[ResidencyPublic], summary="List residencies", dependencies=[READ])
async def list_residencies(principal: CurrentPrincipal, session: SessionDep,
                           resident_id: uuid.UUID | None = None) -> list[ResidencyPublic]:
    return await service.list_residencies(session, principal, resident_id)


@router.get("/residencies/{residency_id}", response_model=ResidencyPublic, summary="Read a residency",
            dependencies=[READ])
async def read(residency_id: uuid.UUID, principal: CurrentPrincipal, session: SessionDep) -> Response:
    r = await service.get(session, principal, residency_id)
    return with_etag(r, r.version)


@router.post("/residencies/{residency_id}/end", response_model=ResidencyPublic, summary="End a residency",
             dependencies=[WRITE])
async def end(residency_id: uuid.UUID, body: ResidencyEnd, principal: CurrentPrincipal, session: WriteSession,
              if_match: IfMatch = None) -> Response:
    r = await service.end(session, principal, residency_id, expected_version(if_match) if if_match else None,
                          body.ends_on)
    return with_etag(r, r.version)
