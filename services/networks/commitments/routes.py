"""Commitments: HTTP API (and the overdue figures per school)."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request

from libs.common.auth import CurrentPrincipal, require
from libs.common.concurrency import IfMatch, expected_version
from libs.common.http import SessionDep, WriteSession, created, with_etag
from libs.common.idempotency import Idempotent
from libs.common.pagination import Page, PageDep, page_of
from libs.common.problems import problem_responses
from services.networks.commitments import service
from services.networks.commitments.schemas import (
    CommitmentCreate,
    CommitmentPublic,
    CommitmentStatus,
    CommitmentTransition,
    FollowUp,
    OverdueCount,
)

READ, WRITE = require("networks:read"), require("networks:write")
router = APIRouter(tags=["commitments"], responses=problem_responses(400, 401, 403, 404, 409, 412, 422, 428))


@router.post("/commitments", status_code=201, response_model=CommitmentPublic, dependencies=[WRITE],
             summary="A member or a school commits to something (at a meeting: due no earlier than it)")
async def make(body: CommitmentCreate, request: Request, principal: CurrentPrincipal, session: WriteSession,
               idempotent: Idempotent) -> Any:
    if (replay := await idempotent.replay()) is not None:
        return replay
    c = await service.make(session, principal, body)
    return await idempotent.remember(created(request, f"/commitments/{c.id}", c, c.version))


@router.get("/commitments", response_model=Page[CommitmentPublic], dependencies=[READ],
            summary="Commitments, by school, network, status or overdue")
async def list_commitments(principal: CurrentPrincipal, session: SessionDep, page: PageDep,
                           school_id: uuid.UUID | None = None, network_id: uuid.UUID | None = None,
                           status: CommitmentStatus | None = None, overdue: bool | None = None) -> Any:
    rows = await service.list_commitments(session, principal, page, school_id=school_id,
                                          network_id=network_id, status=status, overdue=overdue)
    items, token = page_of(rows, page.size, lambda c: {"id": str(c.id)})
    return Page[CommitmentPublic](items=items, next_page_token=token)


@router.get("/commitment-counts", response_model=list[OverdueCount], dependencies=[READ],
            summary="Open and overdue commitments per school (lateral accountability)")
async def counts(principal: CurrentPrincipal, session: SessionDep, network_id: uuid.UUID | None = None) -> Any:
    return await service.overdue_by_school(session, principal, network_id)


@router.get("/commitments/{commitment_id}", response_model=CommitmentPublic, dependencies=[READ],
            summary="A commitment")
async def read_commitment(commitment_id: uuid.UUID, principal: CurrentPrincipal, session: SessionDep) -> Any:
    c = await service.get(session, principal, commitment_id)
    return with_etag(c, c.version)


@router.post("/commitments/{commitment_id}/follow-ups", response_model=CommitmentPublic, dependencies=[WRITE],
             summary="Add a follow-up note (If-Match)")
async def follow_up(commitment_id: uuid.UUID, body: FollowUp, principal: CurrentPrincipal, session: WriteSession,
                    if_match: IfMatch = None) -> Any:
    c = await service.follow_up(session, principal, commitment_id, expected_version(if_match), body.on, body.note)
    return with_etag(c, c.version)


@router.post("/commitments/{commitment_id}/transitions", response_model=CommitmentPublic, dependencies=[WRITE],
             summary="open -> fulfilled | dropped (If-Match)")
async def transition(commitment_id: uuid.UUID, body: CommitmentTransition, principal: CurrentPrincipal,
                     session: WriteSession, if_match: IfMatch = None) -> Any:
    c = await service.transition(session, principal, commitment_id, expected_version(if_match), body.to, body.on)
    return with_etag(c, c.version)
