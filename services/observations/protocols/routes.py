"""Protocols' HTTP API."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request

from libs.common.auth import CurrentPrincipal, require
from libs.common.changes import ChangeWindowDep
from libs.common.http import SessionDep, WriteSession, created
from libs.common.idempotency import Idempotent
from libs.common.problems import problem_responses
from services.observations.protocols import service
from services.observations.protocols.schemas import ProtocolCreate, ProtocolPublic, ProtocolVersionCreate

ERRORS = problem_responses(400, 401, 403, 404, 409, 412, 422, 428)
READ, WRITE = require("observations:read"), require("observations:write")
router = APIRouter(responses=ERRORS, tags=["protocols"])


@router.post("/protocols", status_code=201, response_model=ProtocolPublic, summary="Publish a protocol (its version 1)",
             dependencies=[WRITE])
async def create_protocol(body: ProtocolCreate, request: Request, principal: CurrentPrincipal, session: WriteSession,
                          idempotent: Idempotent) -> Any:
    if (replay := await idempotent.replay()) is not None:
        return replay
    protocol_id = await service.create_protocol(session, principal, body.name, body.purpose, body.look_fors)
    found = await service.get_protocol(session, principal, protocol_id)
    return await idempotent.remember(created(request, f"/protocols/{protocol_id}", found))


@router.post("/protocols/{protocol_id}/versions", status_code=201, response_model=ProtocolPublic,
             summary="Publish a new version (records made with older ones keep theirs)", dependencies=[WRITE])
async def publish_version(protocol_id: uuid.UUID, body: ProtocolVersionCreate, request: Request,
                          principal: CurrentPrincipal, session: WriteSession, idempotent: Idempotent) -> Any:
    if (replay := await idempotent.replay()) is not None:
        return replay
    await service.publish_version(session, principal, protocol_id, body.look_fors)
    found = await service.get_protocol(session, principal, protocol_id)
    return await idempotent.remember(created(request, f"/protocols/{protocol_id}", found))


@router.get("/protocols", response_model=list[ProtocolPublic], summary="List protocols", dependencies=[READ])
async def list_protocols(principal: CurrentPrincipal, session: SessionDep, changes: ChangeWindowDep) -> Any:
    # not paged (the SDK reads a list; a tenant has a few protocols): a change query is one answer
    return await service.list_protocols(session, principal, changes)


@router.get("/protocols/{protocol_id}", response_model=ProtocolPublic, summary="A protocol and its versions",
            dependencies=[READ])
async def read_protocol(protocol_id: uuid.UUID, principal: CurrentPrincipal, session: SessionDep) -> Any:
    return await service.get_protocol(session, principal, protocol_id)
