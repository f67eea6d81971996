"""Memberships' HTTP API."""

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
from services.networks.memberships import service
from services.networks.memberships.schemas import MembershipCreate, MembershipEnd, MembershipPublic

READ, WRITE = require("networks:read"), require("networks:write")
router = APIRouter(tags=["memberships"], responses=problem_responses(400, 401, 403, 404, 409, 412, 422, 428))


@router.post("/networks/{network_id}/members", status_code=201, response_model=MembershipPublic,
             dependencies=[WRITE], summary="An educator joins the network for one of its schools")
async def join_network(network_id: uuid.UUID, body: MembershipCreate, request: Request, principal: CurrentPrincipal,
               session: WriteSession, idempotent: Idempotent) -> Any:
    if (replay := await idempotent.replay()) is not None:
        return replay
    m = await service.join(session, principal, network_id, body)
    return await idempotent.remember(created(request, f"/memberships/{m.id}", m, m.version))


@router.get("/networks/{network_id}/members", response_model=list[MembershipPublic], dependencies=[READ],
            summary="The network's memberships (past ones too)")
async def members(network_id: uuid.UUID, principal: CurrentPrincipal, session: SessionDep) -> Any:
    return await service.of_network(session, principal, network_id)


@router.get("/memberships", response_model=Page[MembershipPublic], dependencies=[READ],
            summary="The tenant's memberships, past ones too (filter by network)")
async def list_memberships(principal: CurrentPrincipal, session: SessionDep, page: PageDep, changes: ChangeWindowDep,
                           network_id: uuid.UUID | None = None) -> Any:
    rows = await service.list_memberships(session, principal, page, changes, network_id)
    items, token = page_of(rows, page.size, lambda m: {"id": str(m.id)})
    return Page[MembershipPublic](items=items, next_page_token=token)


@router.get("/memberships/{membership_id}", response_model=MembershipPublic, dependencies=[READ],
            summary="A membership")
async def read_membership(membership_id: uuid.UUID, principal: CurrentPrincipal, session: SessionDep) -> Any:
    m = await service.get(session, principal, membership_id)
    return with_etag(m, m.version)


@router.post("/memberships/{membership_id}/end", response_model=MembershipPublic, dependencies=[WRITE],
             summary="The member leaves the network (If-Match)")
async def leave_network(membership_id: uuid.UUID, body: MembershipEnd, principal: CurrentPrincipal,
                session: WriteSession, if_match: IfMatch = None) -> Any:
    m = await service.leave(session, principal, membership_id, expected_version(if_match), body.ends_on)
    return with_etag(m, m.version)
