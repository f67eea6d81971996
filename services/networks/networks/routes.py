"""Networks' HTTP API: form, read, list, revise norms, the host rotation."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request

from libs.common.auth import CurrentPrincipal, require
from libs.common.changes import ChangeWindowDep
from libs.common.concurrency import IfMatch, expected_version
from libs.common.http import SessionDep, WriteSession, created, with_etag
from libs.common.idempotency import Idempotent
from libs.common.pagination import Page, PageDep, page_of
from libs.common.problems import problem_responses
from services.networks.networks import service
from services.networks.networks.schemas import HostRotation, NetworkCreate, NetworkPublic, NormsUpdate

READ, WRITE = require("networks:read"), require("networks:write")
router = APIRouter(tags=["networks"], responses=problem_responses(400, 401, 403, 404, 409, 412, 422, 428))


@router.post("/networks", status_code=201, response_model=NetworkPublic, dependencies=[WRITE],
             summary="Form a network of schools (with its first norms)")
async def form_network(body: NetworkCreate, request: Request, principal: CurrentPrincipal,
                       session: WriteSession, idempotent: Idempotent) -> Any:
    if (replay := await idempotent.replay()) is not None:
        return replay
    network_id = await service.form(session, principal, body)
    found = await service.get(session, principal, network_id)
    return await idempotent.remember(created(request, f"/networks/{network_id}", found, found.version))


@router.get("/networks", response_model=Page[NetworkPublic], dependencies=[READ], summary="The tenant's networks")
async def list_networks(principal: CurrentPrincipal, session: SessionDep, page: PageDep,
                        changes: ChangeWindowDep) -> Any:
    rows = await service.list_networks(session, principal, page, changes)
    items, token = page_of(rows, page.size, lambda n: {"id": str(n.id)})
    return Page[NetworkPublic](items=items, next_page_token=token)


@router.get("/networks/{network_id}", response_model=NetworkPublic, dependencies=[READ], summary="A network")
async def read_network(network_id: uuid.UUID, principal: CurrentPrincipal, session: SessionDep) -> Any:
    found = await service.get(session, principal, network_id)
    return with_etag(found, found.version)


@router.put("/networks/{network_id}/norms", response_model=NetworkPublic, dependencies=[WRITE],
            summary="Revise the norms (a new version; meetings keep the version they revisited; If-Match)")
async def revise_norms(network_id: uuid.UUID, body: NormsUpdate, principal: CurrentPrincipal,
                       session: WriteSession, if_match: IfMatch = None) -> Any:
    await service.revise_norms(session, principal, network_id, expected_version(if_match), list(body.norms))
    found = await service.get(session, principal, network_id)
    return with_etag(found, found.version)


@router.get("/networks/{network_id}/host-rotation", response_model=HostRotation, dependencies=[READ],
            summary="The next host: the member school that hosted least recently")
async def host_rotation(network_id: uuid.UUID, principal: CurrentPrincipal, session: SessionDep) -> Any:
    return await service.host_rotation(session, principal, network_id)
