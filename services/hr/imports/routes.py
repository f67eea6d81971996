"""Import jobs over HTTP: upload a set (202 and the job), then read the job until it ends."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from starlette.datastructures import UploadFile

from libs.common.auth import CurrentPrincipal, require
from libs.common.http import WriteSession, public_path, request_id
from libs.common.idempotency import Idempotent
from libs.common.pagination import Page, PageDep
from libs.common.problems import PROBLEM_JSON, Problem, problem_responses
from services.hr.imports import service
from services.hr.imports.schemas import Format, ImportJobPublic, Status

UPLOAD_REFUSALS: dict[int | str, dict[str, Any]] = {
    413: {"description": "Upload too large", "content": {PROBLEM_JSON: {}}},
    415: {"description": "Unsupported media type", "content": {PROBLEM_JSON: {}}}}
router = APIRouter(responses={**problem_responses(400, 401, 403, 404, 422), **UPLOAD_REFUSALS})
READ, WRITE = require("hr:read"), require("hr:write")
ZIP_TYPES = ("application/zip", "application/x-zip-compressed", "application/octet-stream")

_FILE_PART = {"multipart/form-data": {"schema": {"type": "object", "required": ["file"], "properties": {
    "file": {"type": "string", "format": "binary", "description": "The file."}}}}}
ONEROSTER_BODY = {"requestBody": {"required": True, "content": {
    "application/zip": {"schema": {"type": "string", "format": "binary",
                                   "description": "A zip of manifest.csv and the files it declares."}},
    **_FILE_PART}}}
_ARRAY = {"type": "array", "items": {"type": "object"}}
# What the ODS/API's GETs return, trimmed to what hr reads: one district, one school, one teacher assigned there.
EDFI_EXAMPLE = {
    "localEducationAgencies": [{"localEducationAgencyId": 255901,
                                "nameOfInstitution": "Eastside Unified School District"}],
    "schools": [{"schoolId": 255901107, "nameOfInstitution": "Alder Creek Elementary School",
                 "localEducationAgencyReference": {"localEducationAgencyId": 255901}}],
    "staffs": [{"staffUniqueId": "E-204817", "firstName": "Amara", "lastSurname": "Okafor",
                "electronicMails": [{"electronicMailAddress": "a.okafor@example.org",
                                     "electronicMailTypeDescriptor": "uri://ed-fi.org/ElectronicMailTypeDescriptor#Work"}]}],
    "staffEducationOrganizationAssignmentAssociations": [
        {"staffReference": {"staffUniqueId": "E-204817"},
         "educationOrganizationReference": {"educationOrganizationId": 255901107},
         "staffClassificationDescriptor": "uri://ed-fi.org/StaffClassificationDescriptor#Teacher",
         "beginDate": "2026-08-24", "positionTitle": "Grade 4 teacher"}],
}
EDFI_BODY = {"requestBody": {"required": True, "content": {
    "application/json": {"schema": {"type": "object", "properties": {
        "localEducationAgencies": _ARRAY, "schools": _ARRAY, "staffs": _ARRAY,
        "staffEducationOrganizationAssignmentAssociations": _ARRAY}}, "example": EDFI_EXAMPLE},
    **_FILE_PART}}}


async def _upload(request: Request, accepted: tuple[str, ...]) -> tuple[str, bytes]:
    """(media type, bytes) of the set: the raw body, or the `file` part of a multipart form."""
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type == "multipart/form-data":
        try:
            form = await request.form()
        except Exception as exc:  # a malformed multipart body is the caller's, never a 500
            raise Problem(400, "Bad request", "the multipart body cannot be read", slug="invalid-upload",
                          errors=[{"field": "file", "message": str(exc)[:200] or "unreadable"}]) from exc
        part = form.get("file")
        if not isinstance(part, UploadFile):
            raise Problem(422, "Invalid upload", "a multipart form with the set in its `file` part",
                          slug="invalid-upload", errors=[{"field": "file", "message": "required"}])
        return part.content_type or media_type, await part.read()
    if media_type not in accepted:
        raise Problem(415, "Unsupported media type", f"send {', '.join(accepted)} or multipart/form-data",
                      slug="unsupported-media-type",
                      errors=[{"field": "Content-Type", "message": media_type or "none"}])
    return media_type, await request.body()


async def _submit(request: Request, principal: Any, session: Any, idempotent: Any, format: str,
                  accepted: tuple[str, ...]) -> Response:
    if (replay := await idempotent.replay()) is not None:
        return replay  # type: ignore[no-any-return]
    media_type, content = await _upload(request, accepted)
    job = await service.submit(session, principal, format, media_type, content)
    response = JSONResponse(job.model_dump(mode="json"), status_code=202,
                            headers={"Location": public_path(request, f"/imports/{job.id}")})
    return await idempotent.remember(response)  # type: ignore[no-any-return]


@router.post("/imports/oneroster", status_code=202, response_model=ImportJobPublic, tags=["imports"],
             summary="Import a OneRoster 1.2 CSV set (zip): a job", dependencies=[WRITE], openapi_extra=ONEROSTER_BODY)
async def import_oneroster(request: Request, principal: CurrentPrincipal, session: WriteSession,
                           idempotent: Idempotent) -> Response:
    return await _submit(request, principal, session, idempotent, "oneroster", ZIP_TYPES)


@router.post("/imports/edfi", status_code=202, response_model=ImportJobPublic, tags=["imports"],
             summary="Import Ed-Fi staff and their assignments (ODS/API JSON): a job", dependencies=[WRITE],
             openapi_extra=EDFI_BODY)
async def import_edfi(request: Request, principal: CurrentPrincipal, session: WriteSession,
                      idempotent: Idempotent) -> Response:
    return await _submit(request, principal, session, idempotent, "edfi", ("application/json",))


@router.get("/imports", response_model=Page[ImportJobPublic], tags=["imports"], summary="List import jobs",
            dependencies=[READ])
async def list_imports(request: Request, principal: CurrentPrincipal, session: WriteSession, page: PageDep,
                       status: Status | None = None, format: Format | None = None) -> Any:
    items, token = await service.list_jobs(session, principal, request_id(request), page, status, format)
    return {"items": items, "next_page_token": token}


@router.get("/imports/{job_id}", response_model=ImportJobPublic, tags=["imports"],
            summary="An import job: status, progress and report", dependencies=[READ])
async def read_import(job_id: uuid.UUID, request: Request, principal: CurrentPrincipal,
                      session: WriteSession) -> ImportJobPublic:
    return await service.get_job(session, principal, request_id(request), job_id)
