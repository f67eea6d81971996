"""Recruitment over HTTP."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request, Response

from libs.common.auth import CurrentPrincipal, require
from libs.common.concurrency import IfMatch, expected_version
from libs.common.http import SessionDep, WriteSession, created, request_id, with_etag
from libs.common.idempotency import Idempotent
from libs.common.problems import problem_responses
from services.hr.recruitment import service
from services.hr.recruitment.schemas import (
    ApplicationChange,
    ApplicationCreate,
    ApplicationPublic,
    PostingCreate,
    PostingPublic,
)

router = APIRouter(responses=problem_responses(400, 401, 403, 404, 409, 412, 422, 428), tags=["recruitment"])
READ, WRITE = require("hr:read"), require("hr:write")


@router.post("/postings", status_code=201, response_model=PostingPublic, summary="Post a role at a school",
             dependencies=[WRITE])
async def create_posting(body: PostingCreate, request: Request, principal: CurrentPrincipal,
                         session: WriteSession, idempotent: Idempotent) -> Response:
    if (replay := await idempotent.replay()) is not None:
        return replay
    posting = await service.create_posting(session, principal, body.model_dump())
    return await idempotent.remember(created(request, f"/postings/{posting.id}", posting, posting.version))


@router.get("/postings", response_model=list[PostingPublic], summary="List postings", dependencies=[READ])
async def list_postings(principal: CurrentPrincipal, session: SessionDep) -> list[PostingPublic]:
    return await service.list_postings(session, principal)


@router.post("/postings/{posting_id}/applications", status_code=201, response_model=ApplicationPublic,
             summary="Receive an application (with a leadership-potential rating)", dependencies=[WRITE])
async def apply_to_posting(posting_id: uuid.UUID, body: ApplicationCreate, request: Request,
                           principal: CurrentPrincipal, session: WriteSession, idempotent: Idempotent) -> Response:
    if (replay := await idempotent.replay()) is not None:
        return replay
    a = await service.apply(session, principal, request_id(request), posting_id, body.model_dump())
    return await idempotent.remember(created(request, f"/applications/{a.id}", a, a.version))


@router.get("/postings/{posting_id}/applications", response_model=list[ApplicationPublic],
            summary="A posting's applications", dependencies=[READ])
async def list_applications(posting_id: uuid.UUID, request: Request, principal: CurrentPrincipal,
                            session: WriteSession) -> list[ApplicationPublic]:
    return await service.list_applications(session, principal, request_id(request), posting_id)


@router.get("/applications/{application_id}", response_model=ApplicationPublic, summary="Read an application",
            dependencies=[READ])
async def read_application(application_id: uuid.UUID, request: Request, principal: CurrentPrincipal,
                           session: WriteSession) -> Response:
    a = await service.get_application(session, principal, request_id(request), application_id)
    return with_etag(a, a.version)


@router.patch("/applications/{application_id}", response_model=ApplicationPublic, dependencies=[WRITE],
              summary="Move an application (screened, interviewed, offered, declined) or rate it (If-Match)")
async def change_application(application_id: uuid.UUID, body: ApplicationChange, request: Request,
                             principal: CurrentPrincipal, session: WriteSession,
                             if_match: IfMatch = None) -> Response:
    a = await service.change_application(session, principal, request_id(request), application_id,
                                         expected_version(if_match), body.model_dump(exclude_unset=True))
    return with_etag(a, a.version)


@router.post("/applications/{application_id}/hire", response_model=ApplicationPublic, dependencies=[WRITE],
             summary="Hire an offered applicant: creates the educator as a novice, in one transaction")
async def hire(application_id: uuid.UUID, request: Request, principal: CurrentPrincipal, session: WriteSession,
               if_match: IfMatch = None) -> Response:
    a = await service.hire(session, principal, request_id(request), application_id,
                           expected_version(if_match) if if_match else None)
    return with_etag(a, a.version)
