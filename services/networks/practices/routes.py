"""The practice library: HTTP API (the tenant's practices, adoptions, and the published library)."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request

from libs.common.auth import CurrentPrincipal, require
from libs.common.changes import ChangeWindowDep
from libs.common.concurrency import IfMatch, expected_version
from libs.common.fields import Code
from libs.common.http import SessionDep, WriteSession, created, with_etag
from libs.common.idempotency import Idempotent
from libs.common.pagination import Page, PageDep, page_of
from libs.common.problems import problem_responses
from services.networks.practices import service
from services.networks.practices.schemas import (
    AdoptionCreate,
    AdoptionPublic,
    PracticeCreate,
    PracticePublic,
    PracticeUpdate,
    PublishedPractice,
)

READ, WRITE = require("networks:read"), require("networks:write")
router = APIRouter(tags=["practice library"], responses=problem_responses(400, 401, 403, 404, 409, 412, 422, 428))


@router.post("/practices", status_code=201, response_model=PracticePublic, dependencies=[WRITE],
             summary="Contribute a practice to the library")
async def contribute(body: PracticeCreate, request: Request, principal: CurrentPrincipal, session: WriteSession,
                     idempotent: Idempotent) -> Any:
    if (replay := await idempotent.replay()) is not None:
        return replay
    practice_id = await service.contribute(session, principal, body)
    p = await service.get(session, principal, practice_id)
    return await idempotent.remember(created(request, f"/practices/{practice_id}", p, p.version))


@router.get("/practices", response_model=Page[PracticePublic], dependencies=[READ],
            summary="The tenant's practices")
async def list_practices(principal: CurrentPrincipal, session: SessionDep, page: PageDep, changes: ChangeWindowDep,
                         tag: Code | None = None, network_id: uuid.UUID | None = None) -> Any:
    rows = await service.list_practices(session, principal, page, changes, tag, network_id)
    items, token = page_of(rows, page.size, lambda p: {"id": str(p.id)})
    return Page[PracticePublic](items=items, next_page_token=token)


@router.get("/practices/{practice_id}", response_model=PracticePublic, dependencies=[READ],
            summary="One of the tenant's practices, with its spread")
async def read_practice(practice_id: uuid.UUID, principal: CurrentPrincipal, session: SessionDep) -> Any:
    p = await service.get(session, principal, practice_id)
    return with_etag(p, p.version)


@router.patch("/practices/{practice_id}", response_model=PracticePublic, dependencies=[WRITE],
              summary="Revise a practice; visibility: published publishes it to every tenant's library (If-Match)")
async def revise(practice_id: uuid.UUID, body: PracticeUpdate, principal: CurrentPrincipal, session: WriteSession,
                 if_match: IfMatch = None) -> Any:
    await service.revise(session, principal, practice_id, expected_version(if_match), body)
    p = await service.get(session, principal, practice_id)
    return with_etag(p, p.version)


@router.post("/practices/{practice_id}/adoptions", status_code=201, response_model=AdoptionPublic,
             dependencies=[WRITE], summary="A school adopts a practice (the tenant's own, or a published one)")
async def adopt(practice_id: uuid.UUID, body: AdoptionCreate, request: Request, principal: CurrentPrincipal,
                session: WriteSession, idempotent: Idempotent) -> Any:
    if (replay := await idempotent.replay()) is not None:
        return replay
    a = await service.adopt(session, principal, practice_id, body)
    return await idempotent.remember(created(request, f"/practices/{practice_id}/adoptions", a))


@router.get("/practices/{practice_id}/adoptions", response_model=list[AdoptionPublic], dependencies=[READ],
            summary="The tenant's adoptions of a practice")
async def adoptions(practice_id: uuid.UUID, principal: CurrentPrincipal, session: SessionDep) -> Any:
    return await service.adoptions_of(session, principal, practice_id)


@router.get("/library", response_model=Page[PublishedPractice], dependencies=[READ],
            summary="The published library: every tenant's published practices (no personal data)")
async def library(session: SessionDep, page: PageDep, tag: Code | None = None) -> Any:
    rows = await service.library(session, page, tag)
    items, token = page_of(rows, page.size, lambda p: {"id": str(p.id)})
    return Page[PublishedPractice](items=items, next_page_token=token)


@router.get("/library/{practice_id}", response_model=PublishedPractice, dependencies=[READ],
            summary="A practice as the library shows it: any tenant's published one, or your own (others' "
                    "unpublished ones are not found)")
async def published_practice(practice_id: uuid.UUID, principal: CurrentPrincipal, session: SessionDep) -> Any:
    return await service.library_view(session, principal, practice_id)
