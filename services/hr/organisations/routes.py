"""Districts and schools over HTTP: parse, authorise, call the service (which owns the rules)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response

from libs.common.auth import CurrentPrincipal, require
from libs.common.changes import ChangeWindowDep
from libs.common.concurrency import IfMatch, expected_version
from libs.common.http import SessionDep, WriteSession, created, with_etag
from libs.common.idempotency import Idempotent
from libs.common.pagination import Page, PageDep
from libs.common.problems import problem_responses
from services.hr import bulk
from services.hr.bulk import BulkResult
from services.hr.organisations import service
from services.hr.organisations.schemas import (
    DistrictCreate,
    DistrictPublic,
    DistrictUpdate,
    SchoolBulkUpsert,
    SchoolCreate,
    SchoolPublic,
    SchoolUpdate,
)

router = APIRouter(responses=problem_responses(400, 401, 403, 404, 409, 412, 422, 428))
READ, WRITE = require("hr:read"), require("hr:write")
ExternalFilter = Annotated[str | None, Query(max_length=100, pattern=r"^[^\x00]*$")]


# --- districts ---------------------------------------------------------------------------------

@router.post("/districts", status_code=201, response_model=DistrictPublic, tags=["districts"],
             summary="Register a district", dependencies=[WRITE])
async def create_district(body: DistrictCreate, request: Request, principal: CurrentPrincipal,
                          session: WriteSession, idempotent: Idempotent) -> Response:
    if (replay := await idempotent.replay()) is not None:
        return replay
    district = await service.create_district(session, principal, body.model_dump())
    return await idempotent.remember(created(request, f"/districts/{district.id}", district, district.version))


@router.get("/districts", response_model=Page[DistrictPublic], tags=["districts"], summary="List districts",
            dependencies=[READ])
async def list_districts(principal: CurrentPrincipal, session: SessionDep, page: PageDep, changes: ChangeWindowDep,
                         sourced_id: ExternalFilter = None, ed_fi_id: ExternalFilter = None) -> Any:
    items, token = await service.list_districts(session, principal, page, changes, sourced_id=sourced_id,
                                                ed_fi_id=ed_fi_id)
    return {"items": items, "next_page_token": token}


@router.get("/districts/{record_id}", response_model=DistrictPublic, tags=["districts"], summary="Read a district",
            dependencies=[READ])
async def read_district(record_id: uuid.UUID, principal: CurrentPrincipal, session: SessionDep) -> Response:
    district = await service.get_district(session, principal, record_id)
    return with_etag(district, district.version)


@router.patch("/districts/{record_id}", response_model=DistrictPublic, tags=["districts"],
              summary="Change a district (If-Match required)", dependencies=[WRITE])
async def update_district(record_id: uuid.UUID, body: DistrictUpdate, principal: CurrentPrincipal,
                          session: WriteSession, if_match: IfMatch = None) -> Response:
    district = await service.update_district(session, principal, record_id, expected_version(if_match),
                                             body.model_dump(exclude_unset=True))
    return with_etag(district, district.version)


@router.delete("/districts/{record_id}", status_code=204, tags=["districts"], summary="Remove a district",
               dependencies=[WRITE])
async def delete_district(record_id: uuid.UUID, principal: CurrentPrincipal, session: WriteSession,
                          if_match: IfMatch = None) -> Response:
    await service.delete_district(session, principal, record_id, expected_version(if_match) if if_match else None)
    return Response(status_code=204)


# --- schools ------------------------------------------------------------------------------------

@router.post("/schools", status_code=201, response_model=SchoolPublic, tags=["schools"],
             summary="Register a school", dependencies=[WRITE])
async def create_school(body: SchoolCreate, request: Request, principal: CurrentPrincipal,
                        session: WriteSession, idempotent: Idempotent) -> Response:
    if (replay := await idempotent.replay()) is not None:
        return replay
    school = await service.create_school(session, principal, body.model_dump())
    return await idempotent.remember(created(request, f"/schools/{school.id}", school, school.version))


@router.get("/schools", response_model=Page[SchoolPublic], tags=["schools"], summary="List schools",
            dependencies=[READ])
async def list_schools(principal: CurrentPrincipal, session: SessionDep, page: PageDep, changes: ChangeWindowDep,
                       district_id: uuid.UUID | None = None, sourced_id: ExternalFilter = None,
                       ed_fi_id: ExternalFilter = None) -> Any:
    items, token = await service.list_schools(session, principal, page, changes, district_id=district_id,
                                              sourced_id=sourced_id, ed_fi_id=ed_fi_id)
    return {"items": items, "next_page_token": token}


@router.post("/schools/bulk", response_model=BulkResult, tags=["schools"],
             summary="Create or update up to 1,000 schools by external id (idempotent)", dependencies=[WRITE])
async def bulk_upsert_schools(body: SchoolBulkUpsert, principal: CurrentPrincipal,
                              session: WriteSession) -> BulkResult:
    items = [i.model_dump(exclude_unset=True) for i in body.items]
    return await service.bulk_upsert_schools(session, principal, body.match_on, items)


SCHOOL_KEYS = {"ed-fi": "ed_fi_id", "oneroster": "sourced_id"}


@router.put("/schools/by-external-id/{system}/{external_id}", response_model=SchoolPublic, tags=["schools"],
            dependencies=[WRITE], responses={201: {"model": SchoolPublic, "description": "Created"}},
            summary="Create or update the school a SIS knows by this id (idempotent)")
async def put_school_by_external_id(system: bulk.ExternalSystem, external_id: bulk.ExternalIdInPath,
                                    body: SchoolCreate, request: Request, principal: CurrentPrincipal,
                                    session: WriteSession) -> Response:
    """As Ed-Fi's POST: `ed-fi` matches `ed_fi_id` (the schoolId), `oneroster` matches `sourced_id`. 201
    when it creates the school, 200 when it updates (or finds nothing to change)."""
    key = SCHOOL_KEYS[system]
    item = bulk.keyed_item(body.model_dump(exclude_unset=True), key, external_id)
    outcome = await bulk.single(service.bulk_upsert_schools(session, principal, key, [item]))
    school = await service.get_school(session, principal, outcome.id)
    if outcome.outcome == "created":
        return created(request, f"/schools/{school.id}", school, school.version)
    return with_etag(school, school.version)


@router.get("/schools/{record_id}", response_model=SchoolPublic, tags=["schools"], summary="Read a school",
            dependencies=[READ])
async def read_school(record_id: uuid.UUID, principal: CurrentPrincipal, session: SessionDep) -> Response:
    school = await service.get_school(session, principal, record_id)
    return with_etag(school, school.version)


@router.patch("/schools/{record_id}", response_model=SchoolPublic, tags=["schools"],
              summary="Change a school (If-Match required)", dependencies=[WRITE])
async def update_school(record_id: uuid.UUID, body: SchoolUpdate, principal: CurrentPrincipal,
                        session: WriteSession, if_match: IfMatch = None) -> Response:
    school = await service.update_school(session, principal, record_id, expected_version(if_match),
                                         body.model_dump(exclude_unset=True))
    return with_etag(school, school.version)


@router.delete("/schools/{record_id}", status_code=204, tags=["schools"], summary="Remove a school",
               dependencies=[WRITE])
async def delete_school(record_id: uuid.UUID, principal: CurrentPrincipal, session: WriteSession,
                        if_match: IfMatch = None) -> Response:
    await service.delete_school(session, principal, record_id, expected_version(if_match) if if_match else None)
    return Response(status_code=204)
