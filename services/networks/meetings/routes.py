"""Meetings: HTTP API, with the chair suggestion and the distributed-leadership index."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from libs.common.auth import CurrentPrincipal, require
from libs.common.fields import Code
from libs.common.http import SessionDep, WriteSession, created, with_etag
from libs.common.idempotency import Idempotent
from libs.common.pagination import Page, PageDep, page_of
from libs.common.problems import problem_responses
from services.networks.meetings import service
from services.networks.meetings.schemas import ChairSuggestion, Leadership, MeetingCreate, MeetingPublic

READ, WRITE = require("networks:read"), require("networks:write")
router = APIRouter(tags=["meetings"], responses=problem_responses(400, 401, 403, 404, 409, 412, 422, 428))


@router.post("/meetings", status_code=201, response_model=MeetingPublic, dependencies=[WRITE],
             summary="Record a meeting: agenda, attendance, the chair and why they chair")
async def hold_meeting(body: MeetingCreate, request: Request, principal: CurrentPrincipal,
                       session: WriteSession, idempotent: Idempotent) -> Any:
    if (replay := await idempotent.replay()) is not None:
        return replay
    m = await service.hold(session, principal, body)
    return await idempotent.remember(created(request, f"/meetings/{m.id}", m, m.version))


@router.get("/meetings", response_model=Page[MeetingPublic], dependencies=[READ], summary="Meetings")
async def list_meetings(principal: CurrentPrincipal, session: SessionDep, page: PageDep,
                        network_id: uuid.UUID | None = None) -> Any:
    rows = await service.list_meetings(session, principal, page, network_id)
    items, token = page_of(rows, page.size, lambda m: {"id": str(m.id)})
    return Page[MeetingPublic](items=items, next_page_token=token)


@router.get("/meetings/{meeting_id}", response_model=MeetingPublic, dependencies=[READ], summary="A meeting")
async def read_meeting(meeting_id: uuid.UUID, principal: CurrentPrincipal, session: SessionDep) -> Any:
    m = await service.get(session, principal, meeting_id)
    return with_etag(m, m.version)


@router.get("/networks/{network_id}/chair-suggestion", response_model=ChairSuggestion, dependencies=[READ],
            summary="Members ranked to chair by turn and expertise against the agenda's tags (never position)")
async def chair_suggestion(network_id: uuid.UUID, principal: CurrentPrincipal, session: SessionDep,
                           tags: Annotated[list[Code] | None, Query(max_length=50)] = None,
                           attendee_ids: Annotated[list[uuid.UUID] | None, Query(max_length=500)] = None) -> Any:
    return await service.suggest_chair(session, principal, network_id, tags or [], attendee_ids or [])


@router.get("/networks/{network_id}/leadership", response_model=Leadership, dependencies=[READ],
            summary="The distributed-leadership index of the network and of each member school, by month")
async def leadership(network_id: uuid.UUID, principal: CurrentPrincipal, session: SessionDep) -> Any:
    return await service.leadership(session, principal, network_id)
