"""Educators over HTTP: parse, authorise, call the service (which owns the rules and the audit)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response

from libs.common.auth import CurrentPrincipal, require
from libs.common.changes import ChangeWindowDep
from libs.common.concurrency import IfMatch, expected_version
from libs.common.http import WriteSession, created, request_id, with_etag
from libs.common.idempotency import Idempotent
from libs.common.pagination import Page, PageDep
from libs.common.problems import problem_responses
from libs.contracts.hr import CareerStage
from services.hr import bulk
from services.hr.educators import service
from services.hr.educators.schemas import (
    BulkResult,
    EducatorBulkUpsert,
    EducatorCreate,
    EducatorLoad,
    EducatorPublic,
    EducatorUpdate,
)

router = APIRouter(responses=problem_responses(400, 401, 403, 404, 409, 412, 422, 428))
READ, WRITE = require("hr:read"), require("hr:write")
ExternalFilter = Annotated[str | None, Query(max_length=100, pattern=r"^[^\x00]*$")]


@router.post("/educators", status_code=201, response_model=EducatorPublic, tags=["educators"],
             summary="Register an educator", dependencies=[WRITE])
async def create_educator(body: EducatorCreate, request: Request, principal: CurrentPrincipal,
                          session: WriteSession, idempotent: Idempotent) -> Response:
    if (replay := await idempotent.replay()) is not None:
        return replay
    educator = await service.create(session, principal, request_id(request), body.model_dump())
    return await idempotent.remember(created(request, f"/educators/{educator.id}", educator, educator.version))


@router.get("/educators", response_model=Page[EducatorPublic], tags=["educators"], summary="List educators",
            dependencies=[READ])
async def list_educators(request: Request, principal: CurrentPrincipal, session: WriteSession, page: PageDep,
                         changes: ChangeWindowDep,
                         school_id: uuid.UUID | None = None, career_stage: CareerStage | None = None,
                         staff_unique_id: ExternalFilter = None, sourced_id: ExternalFilter = None) -> Any:
    items, token = await service.list_educators(
        session, principal, request_id(request), page, changes,
        {"school_id": school_id, "career_stage": career_stage, "staff_unique_id": staff_unique_id,
         "sourced_id": sourced_id})
    return {"items": items, "next_page_token": token}


@router.post("/educators/bulk", response_model=BulkResult, tags=["educators"],
             summary="Create or update up to 1,000 educators by external id (idempotent)", dependencies=[WRITE])
async def bulk_upsert_educators(body: EducatorBulkUpsert, request: Request, principal: CurrentPrincipal,
                                session: WriteSession) -> BulkResult:
    items = [i.model_dump(exclude_unset=True) for i in body.items]
    return await service.bulk_upsert(session, principal, request_id(request), body.match_on, items)


EDUCATOR_KEYS = {"ed-fi": "staff_unique_id", "oneroster": "sourced_id"}


@router.put("/educators/by-external-id/{system}/{external_id}", response_model=EducatorPublic,
            tags=["educators"], dependencies=[WRITE], responses={201: {"model": EducatorPublic,
                                                                       "description": "Created"}},
            summary="Create or update the educator a SIS knows by this id (idempotent)")
async def put_educator_by_external_id(system: bulk.ExternalSystem, external_id: bulk.ExternalIdInPath,
                                      body: EducatorLoad, request: Request, principal: CurrentPrincipal,
                                      session: WriteSession) -> Response:
    """As Ed-Fi's POST: `ed-fi` matches `staff_unique_id`, `oneroster` matches `sourced_id`. 201 when it
    creates the educator, 200 when it updates (or finds nothing to change); sending it again changes
    nothing. The fields sent are set; without `career_stage` a new educator starts at its classification's
    stage and a known one keeps hers."""
    key = EDUCATOR_KEYS[system]
    item = bulk.keyed_item(body.model_dump(exclude_unset=True), key, external_id)
    outcome = await bulk.single(service.bulk_upsert(session, principal, request_id(request), key, [item]))
    educator = await service.get(session, principal, request_id(request), outcome.id)
    if outcome.outcome == "created":
        return created(request, f"/educators/{educator.id}", educator, educator.version)
    return with_etag(educator, educator.version)


@router.get("/educators/{record_id}", response_model=EducatorPublic, tags=["educators"], summary="Read an educator",
            dependencies=[READ])
async def read_educator(record_id: uuid.UUID, request: Request, principal: CurrentPrincipal,
                        session: WriteSession) -> Response:
    educator = await service.get(session, principal, request_id(request), record_id)
    return with_etag(educator, educator.version)


@router.patch("/educators/{record_id}", response_model=EducatorPublic, tags=["educators"],
              summary="Change an educator (If-Match required)", dependencies=[WRITE])
async def update_educator(record_id: uuid.UUID, body: EducatorUpdate, request: Request,
                          principal: CurrentPrincipal, session: WriteSession, if_match: IfMatch = None) -> Response:
    educator = await service.update_educator(session, principal, request_id(request), record_id,
                                             expected_version(if_match), body.model_dump(exclude_unset=True))
    return with_etag(educator, educator.version)


@router.delete("/educators/{record_id}", status_code=204, tags=["educators"], summary="Remove an educator",
               dependencies=[WRITE])
async def delete_educator(record_id: uuid.UUID, request: Request, principal: CurrentPrincipal,
                          session: WriteSession, if_match: IfMatch = None) -> Response:
    await service.delete_educator(session, principal, request_id(request), record_id,
                                  expected_version(if_match) if if_match else None)
    return Response(status_code=204)
