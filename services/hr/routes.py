"""hr's HTTP API. Routes are thin: parse, authorise, call the service inside one transaction."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from libs.common.audit import Action, record_personal_data_access
from libs.common.auth import CurrentPrincipal, Principal, require
from libs.common.concurrency import IfMatch, etag, expected_version
from libs.common.http import SessionDep
from libs.common.idempotency import IdempotencyKey, idempotent_create
from libs.common.pagination import Page, PageDep
from libs.common.problems import problem_responses
from libs.contracts.audit import HRPersonalDataAccessed
from libs.contracts.hr import CareerStage
from services.hr import service
from services.hr.schemas import (
    BulkResult,
    DistrictCreate,
    DistrictPublic,
    DistrictUpdate,
    EducatorBulkUpsert,
    EducatorCreate,
    EducatorPublic,
    EducatorUpdate,
    SchoolBulkUpsert,
    SchoolCreate,
    SchoolPublic,
    SchoolUpdate,
)
from services.hr.settings import SERVICE

ERRORS = problem_responses(400, 401, 403, 404, 409, 412, 422, 428)
router = APIRouter(responses=ERRORS)
READ, WRITE = require("hr:read"), require("hr:write")


def _public(resource: service.Resource, record: Any, principal: Principal) -> BaseModel:
    if resource is service.EDUCATORS:
        return service.educator_view(record, include_personal=service.visible_personal_data(principal))
    model = SchoolPublic if resource is service.SCHOOLS else DistrictPublic
    return model.model_validate(service.fields_of(record))


async def _audit(session: SessionDep, request: Request, principal: Principal, resource: service.Resource,
                 action: Action, ids: list[uuid.UUID], *, changed: bool = True) -> None:
    """Educators' personal data read or changed: an audit record in the same transaction."""
    if resource is not service.EDUCATORS or not changed:
        return
    if action == "read" and not service.visible_personal_data(principal):
        return
    await record_personal_data_access(session, HRPersonalDataAccessed, service=SERVICE, principal=principal,
                                      request_id=request.scope.get("state", {}).get("request_id"), action=action,
                                      object_type="educator", object_ids=ids, fields=list(service.PERSONAL_FIELDS))


def _with_etag(body: BaseModel, version: int, status: int = 200) -> JSONResponse:
    return JSONResponse(body.model_dump(mode="json"), status_code=status, headers={"ETag": etag(version)})


def _crud(path: str, tag: str, resource: service.Resource, create_model: type[BaseModel],
          update_model: type[BaseModel], public_model: type[BaseModel]) -> None:
    """Create, read, update and delete routes, the same for every directory resource."""
    label = resource.label

    async def create_one(body: BaseModel, request: Request, principal: CurrentPrincipal, session: SessionDep,
                         idempotency_key: IdempotencyKey = None) -> Response:
        async def create() -> tuple[Any, dict[str, str]]:
            record = await service.create(session, principal, resource, body.model_dump())
            await _audit(session, request, principal, resource, "create", [record.id])
            prefix = request.headers.get("x-forwarded-prefix", "")
            location = f"{prefix}{request.url.path.rstrip('/')}/{record.id}"
            return _public(resource, record, principal).model_dump(mode="json"), {
                "ETag": etag(record.version), "Location": location}

        async with session.begin():
            return await idempotent_create(session, principal.tenant_id, idempotency_key, request, create)

    create_one.__annotations__["body"] = create_model
    router.add_api_route(path, create_one, methods=["POST"], status_code=201, response_model=public_model,
                         tags=[tag], summary=f"Register a {label}", dependencies=[WRITE])

    async def read_one(record_id: uuid.UUID, request: Request, principal: CurrentPrincipal,
                       session: SessionDep) -> Response:
        async with session.begin():
            record = await service.get(session, principal, resource, record_id)
            await _audit(session, request, principal, resource, "read", [record.id])
        return _with_etag(_public(resource, record, principal), record.version)

    router.add_api_route(f"{path}/{{record_id}}", read_one, methods=["GET"], response_model=public_model,
                         tags=[tag], summary=f"Read a {label}", dependencies=[READ])

    async def update_one(record_id: uuid.UUID, body: BaseModel, request: Request, principal: CurrentPrincipal,
                         session: SessionDep, if_match: IfMatch = None) -> Response:
        version = expected_version(if_match)
        patch = body.model_dump(exclude_unset=True)
        async with session.begin():
            record = await service.update(session, principal, resource, record_id, version, patch)
            await _audit(session, request, principal, resource, "update", [record.id],
                         changed=bool(set(patch) & set(service.PERSONAL_FIELDS)))
        return _with_etag(_public(resource, record, principal), record.version)

    update_one.__annotations__["body"] = update_model
    router.add_api_route(f"{path}/{{record_id}}", update_one, methods=["PATCH"], response_model=public_model,
                         tags=[tag], summary=f"Change a {label} (If-Match required)", dependencies=[WRITE])

    async def delete_one(record_id: uuid.UUID, request: Request, principal: CurrentPrincipal, session: SessionDep,
                         if_match: IfMatch = None) -> Response:
        version = expected_version(if_match) if if_match else None
        async with session.begin():
            record = await service.delete(session, principal, resource, record_id, version)
            await _audit(session, request, principal, resource, "delete", [record.id])
        return Response(status_code=204)

    router.add_api_route(f"{path}/{{record_id}}", delete_one, methods=["DELETE"], status_code=204,
                         tags=[tag], summary=f"Remove a {label}", dependencies=[WRITE])


_crud("/districts", "districts", service.DISTRICTS, DistrictCreate, DistrictUpdate, DistrictPublic)
_crud("/schools", "schools", service.SCHOOLS, SchoolCreate, SchoolUpdate, SchoolPublic)
_crud("/educators", "educators", service.EDUCATORS, EducatorCreate, EducatorUpdate, EducatorPublic)


def _page(resource: service.Resource, principal: Principal, rows: list[Any], token: str | None) -> dict[str, Any]:
    return {"items": [_public(resource, r, principal) for r in rows], "next_page_token": token}


ExternalFilter = Annotated[str | None, Query(max_length=100, pattern=r"^[^\x00]*$")]


@router.get("/districts", response_model=Page[DistrictPublic], tags=["districts"], summary="List districts",
            dependencies=[READ])
async def list_districts(principal: CurrentPrincipal, session: SessionDep, page: PageDep,
                         sourced_id: ExternalFilter = None, ed_fi_id: ExternalFilter = None) -> Any:
    rows, token = await service.list_page(session, principal, service.DISTRICTS, page,
                                          {"sourced_id": sourced_id, "ed_fi_id": ed_fi_id})
    return _page(service.DISTRICTS, principal, rows, token)


@router.get("/schools", response_model=Page[SchoolPublic], tags=["schools"], summary="List schools",
            dependencies=[READ])
async def list_schools(principal: CurrentPrincipal, session: SessionDep, page: PageDep,
                       district_id: uuid.UUID | None = None, sourced_id: ExternalFilter = None,
                       ed_fi_id: ExternalFilter = None) -> Any:
    rows, token = await service.list_page(session, principal, service.SCHOOLS, page,
                                          {"district_id": district_id, "sourced_id": sourced_id,
                                           "ed_fi_id": ed_fi_id})
    return _page(service.SCHOOLS, principal, rows, token)


@router.get("/educators", response_model=Page[EducatorPublic], tags=["educators"], summary="List educators",
            dependencies=[READ])
async def list_educators(request: Request, principal: CurrentPrincipal, session: SessionDep, page: PageDep,
                         school_id: uuid.UUID | None = None, career_stage: CareerStage | None = None,
                         staff_unique_id: ExternalFilter = None, sourced_id: ExternalFilter = None) -> Any:
    async with session.begin():
        rows, token = await service.list_page(session, principal, service.EDUCATORS, page,
                                              {"school_id": school_id, "career_stage": career_stage,
                                               "staff_unique_id": staff_unique_id, "sourced_id": sourced_id})
        await _audit(session, request, principal, service.EDUCATORS, "read", [r.id for r in rows])
    return _page(service.EDUCATORS, principal, rows, token)


def _bulk(path: str, tag: str, resource: service.Resource, body_model: type[BaseModel]) -> Callable[..., Any]:
    async def bulk_upsert(body: BaseModel, request: Request, principal: CurrentPrincipal,
                          session: SessionDep) -> BulkResult:
        data: Any = body
        items = [i.model_dump(exclude_unset=True) for i in data.items]
        async with session.begin():
            result = await service.bulk_upsert(session, principal, resource, data.match_on, items)
            written = [i.id for i in result.items if i.outcome != "unchanged"]
            await _audit(session, request, principal, resource, "update", written)
            return result

    bulk_upsert.__annotations__["body"] = body_model
    router.add_api_route(path, bulk_upsert, methods=["POST"], response_model=BulkResult, tags=[tag],
                         summary=f"Create or update up to 1,000 {tag} by external id (idempotent)",
                         dependencies=[WRITE])
    return bulk_upsert


_bulk("/educators/bulk", "educators", service.EDUCATORS, EducatorBulkUpsert)
_bulk("/schools/bulk", "schools", service.SCHOOLS, SchoolBulkUpsert)
