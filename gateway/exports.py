"""The full tenant export: one call, a job, and a zip a district can leave with.

`POST /api/v1/exports` (admin, a token not limited to schools) queues a job. The gateway's worker takes it
(`export_jobs`), reads every service's `GET /export` and `GET /export/{resource}` (libs/common/export.py)
with a short-lived token of the tenant's signed by the embedded issuer, and writes one zip: a JSON-lines
file per resource (`<service>/<resource>.jsonl`) and `manifest.json` naming each file's rows and SHA-256.
Personal data (hr's names, e-mail, feedback text; which teacher taught a room observed) is in it only
when asked for (`personal_data: true`), and the services audit it under the requesting client's id. A job
whose worker died is taken again when its lease runs out; after MAX_ATTEMPTS it fails with the reason. The
archive is kept in the gateway's database.
"""

from __future__ import annotations

import hashlib
import json
import logging
import tempfile
import uuid
import zipfile
from datetime import UTC, datetime
from typing import Any, Literal

import httpx
from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.identity.keys import SigningKeys, mint
from gateway.identity.principal import Admin
from gateway.limits import BODY_TOO_LARGE
from gateway.models import tenant_export
from gateway.routes import API_PREFIX
from gateway.settings import GatewaySettings
from libs.common.openapi_examples import example_id
from libs.common.pagination import Page, PageDep, page_of
from libs.common.problems import Problem, not_found, problem_responses
from libs.common.worker import Job, every

log = logging.getLogger(__name__)

# The scopes that show personal data, each in its own service: hr's names and e-mail, observations' teachers
PERSONAL_SCOPES = ("hr:pii", "observations:identify")
MAX_ATTEMPTS = 3
LEASE_SECONDS = 600
TOKEN_SECONDS = 900
Status = Literal["queued", "running", "succeeded", "failed"]


# --- the API ----------------------------------------------------------------------------------

class ExportRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"personal_data": False}]})

    personal_data: bool = Field(default=False, description=(
        "Include personal data (educators' and applicants' names, e-mail, feedback text; the teacher of each "
        "room observed); it is audited."))


class ExportFile(BaseModel):
    path: str = Field(description="In the zip: `<service>/<resource>.jsonl`.")
    service: str
    resource: str
    rows: int
    sha256: str
    personal_fields_included: list[str]


class ExportJob(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "id": example_id("export_id"), "status": "succeeded", "personal_data": False, "attempts": 1,
        "requested_by": "riverside-admin-4f2a9c", "created_at": "2026-10-05T13:20:00Z",
        "started_at": "2026-10-05T13:20:01Z", "finished_at": "2026-10-05T13:20:09Z", "error": None,
        "archive_bytes": 1843211, "download": f"/api/v1/exports/{example_id('export_id')}/archive",
        "files": [{"path": "hr/educator.jsonl", "service": "hr", "resource": "educator", "rows": 48213,
                   "sha256": "9f2c4b1e" * 8, "personal_fields_included": []}]}]})

    id: uuid.UUID
    status: Status = Field(description="queued | running | succeeded | failed")
    personal_data: bool
    attempts: int
    requested_by: str
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    error: str | None = Field(description="Why it failed (or why the last attempt did).")
    archive_bytes: int | None
    download: str | None = Field(description="Where to GET the zip once the job has succeeded.")
    files: list[ExportFile] = Field(description="What the archive holds (from its manifest).")


def job_view(row: Any) -> ExportJob:
    manifest = row["manifest"] or {}
    return ExportJob(
        id=row["id"], status=row["status"], personal_data=row["personal_data"], attempts=row["attempts"],
        requested_by=row["requested_by"], created_at=row["created_at"], started_at=row["started_at"],
        finished_at=row["finished_at"], error=row["error"], archive_bytes=row["archive_bytes"],
        download=f"{API_PREFIX}/exports/{row['id']}/archive" if row["status"] == "succeeded" else None,
        files=[ExportFile(**f) for f in manifest.get("files", [])])


VIEW_COLUMNS = [c for c in tenant_export.c if c.name != "archive"]
router = APIRouter(tags=["exports"], responses={**problem_responses(400, 401, 403, 404, 429), **BODY_TOO_LARGE})


def _whole_tenant(principal: Any) -> None:
    if principal.schools is not None:
        raise Problem(403, "Forbidden", "a tenant export needs a token not limited to some schools",
                      slug="outside-school-scope")


@router.post(API_PREFIX + "/exports", status_code=202, response_model=ExportJob,
             summary="Export everything the tenant holds: a job",
             description="Every resource of every service, as JSON lines in one zip, with a manifest. Poll "
                         "`GET /api/v1/exports/{id}` (or follow `Location`) until `succeeded`, then GET "
                         "`download`.")
async def start_export(request: Request, principal: Admin, body: ExportRequest | None = None) -> JSONResponse:
    _whole_tenant(principal)
    asked = body or ExportRequest()
    values = {"id": uuid.uuid4(), "tenant_id": principal.tenant_id, "requested_by": principal.subject,
              "personal_data": asked.personal_data, "status": "queued"}
    async with request.app.state.engine.begin() as conn:
        row = (await conn.execute(insert(tenant_export).values(**values).returning(*VIEW_COLUMNS))).mappings().one()
    job = job_view(row)
    return JSONResponse(job.model_dump(mode="json"), status_code=202,
                        headers={"Location": f"{API_PREFIX}/exports/{job.id}"})


@router.get(API_PREFIX + "/exports", response_model=Page[ExportJob], summary="The tenant's exports, newest first")
async def list_exports(request: Request, principal: Admin, page: PageDep,
                       status: Status | None = Query(default=None)) -> Any:
    _whole_tenant(principal)
    stmt = select(*VIEW_COLUMNS).where(tenant_export.c.tenant_id == principal.tenant_id)
    if status is not None:
        stmt = stmt.where(tenant_export.c.status == status)
    async with request.app.state.engine.connect() as conn:
        await page.count_total(conn, stmt)
        if page.after:
            stmt = stmt.where(tenant_export.c.id < uuid.UUID(str(page.after.get("id"))))
        rows = (await conn.execute(stmt.order_by(tenant_export.c.id.desc()).limit(page.size + 1))).mappings().all()
    kept, token = page_of(list(rows), page.size, lambda r: {"id": str(r["id"])})
    return {"items": [job_view(r) for r in kept], "next_page_token": token}


async def _job_row(request: Request, principal: Any, export_id: uuid.UUID, *columns: Any) -> Any:
    _whole_tenant(principal)
    async with request.app.state.engine.connect() as conn:
        row = (await conn.execute(select(*columns).where(tenant_export.c.id == export_id,
                                                         tenant_export.c.tenant_id == principal.tenant_id))
               ).mappings().first()
    if row is None:
        raise not_found("export")
    return row


@router.get(API_PREFIX + "/exports/{export_id}", response_model=ExportJob, summary="An export: status and contents")
async def get_export(request: Request, principal: Admin, export_id: uuid.UUID) -> ExportJob:
    return job_view(await _job_row(request, principal, export_id, *VIEW_COLUMNS))


@router.get(API_PREFIX + "/exports/{export_id}/archive", summary="Download an export's zip",
            response_class=Response, responses={
                200: {"content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}},
                      "description": "`manifest.json` and one `<service>/<resource>.jsonl` per resource."},
                **problem_responses(409)})
async def download_export(request: Request, principal: Admin, export_id: uuid.UUID) -> Response:
    row = await _job_row(request, principal, export_id, tenant_export.c.status, tenant_export.c.archive)
    if row["status"] != "succeeded":
        raise Problem(409, "Export not ready", f"the export is {row['status']}; download it once it has succeeded",
                      slug="export-not-ready", extra={"export_status": row["status"]})
    return Response(bytes(row["archive"]), media_type="application/zip", headers={
        "Content-Disposition": f'attachment; filename="improvenet-export-{export_id}.zip"'})


# --- the job (the gateway's worker) ------------------------------------------------------------

CLAIM = text(
    "UPDATE tenant_export SET status = 'running', attempts = attempts + 1, "
    "lease_until = now() + make_interval(secs => :lease), started_at = coalesce(started_at, now()) "
    "WHERE id = (SELECT id FROM tenant_export WHERE status = 'queued' OR (status = 'running' AND lease_until < now()) "
    "ORDER BY created_at LIMIT 1 FOR UPDATE SKIP LOCKED) "
    "RETURNING id, tenant_id, requested_by, personal_data, attempts")


async def run_next_export(engine: AsyncEngine, settings: GatewaySettings, keys: SigningKeys) -> bool:
    """Take one waiting export and write it; False when none waits."""
    async with engine.begin() as conn:
        job = (await conn.execute(CLAIM, {"lease": LEASE_SECONDS})).mappings().first()
    if job is None:
        return False
    if job["attempts"] > MAX_ATTEMPTS:
        await _finish(engine, job["id"], status="failed",
                      error=f"gave up after {MAX_ATTEMPTS} attempts (the worker stopped during each)")
        return True
    try:
        archive, manifest = await write_archive(settings, keys, job)
    except Exception as exc:  # a service down or refusing: try again, then fail with the reason
        reason = f"{type(exc).__name__}: {exc}"[:500]
        log.warning("export %s attempt %s failed: %s", job["id"], job["attempts"], reason)
        again = job["attempts"] < MAX_ATTEMPTS
        await _finish(engine, job["id"], status="queued" if again else "failed", error=reason)
        return True
    await _finish(engine, job["id"], status="succeeded", error=None, manifest=manifest, archive=archive)
    log.info("export %s written: %s files, %s bytes", job["id"], len(manifest["files"]), len(archive))
    return True


async def _finish(engine: AsyncEngine, export_id: uuid.UUID, *, status: Status, error: str | None,
                  manifest: dict[str, Any] | None = None, archive: bytes | None = None) -> None:
    values: dict[str, Any] = {"status": status, "error": error, "lease_until": None}
    if status != "queued":
        values["finished_at"] = datetime.now(UTC)
    if archive is not None:
        values |= {"manifest": manifest, "archive": archive, "archive_bytes": len(archive)}
    async with engine.begin() as conn:
        await conn.execute(update(tenant_export).where(tenant_export.c.id == export_id).values(**values))


async def write_archive(settings: GatewaySettings, keys: SigningKeys, job: Any) -> tuple[bytes, dict[str, Any]]:
    """Every service's resources for the job's tenant, in one zip with its manifest."""
    upstreams = settings.upstreams()
    scopes = [f"{service}:read" for service in upstreams] + (list(PERSONAL_SCOPES) if job["personal_data"] else [])
    token = await mint(keys, {"client_id": job["requested_by"], "tenant_id": job["tenant_id"]}, scopes,
                       issuer=settings.token_issuer, audience=settings.token_audience, ttl=TOKEN_SECONDS)
    files: list[dict[str, Any]] = []
    timeout = httpx.Timeout(settings.upstream_timeout_seconds, connect=settings.upstream_connect_timeout_seconds)
    with tempfile.TemporaryFile() as spool:
        with zipfile.ZipFile(spool, "w", zipfile.ZIP_DEFLATED) as archive:
            async with httpx.AsyncClient(headers={"Authorization": f"Bearer {token}"}, timeout=timeout) as client:
                for service, base in sorted(upstreams.items()):
                    index = await client.get(f"{base}/export")
                    _answered(index, service)
                    for resource in index.json()["resources"]:
                        files.append(await _write_resource(client, archive, service, base, resource))
            manifest = {"tenant": job["tenant_id"], "export_id": str(job["id"]),
                        "written_at": datetime.now(UTC).isoformat(), "personal_data": job["personal_data"],
                        "format": "one JSON object per line, a file per resource", "files": files}
            archive.writestr("manifest.json", json.dumps(manifest, indent=2))
        spool.seek(0)
        return spool.read(), manifest


class ServiceRefused(RuntimeError):
    pass


def _answered(response: httpx.Response, service: str) -> None:
    if response.status_code != 200:
        raise ServiceRefused(f"{service} answered {response.status_code} to GET {response.url.path}")


async def _write_resource(client: httpx.AsyncClient, archive: zipfile.ZipFile, service: str, base: str,
                          resource: dict[str, Any]) -> dict[str, Any]:
    path = f"{service}/{resource['name']}.jsonl"
    digest, rows = hashlib.sha256(), 0
    async with client.stream("GET", f"{base}/export/{resource['name']}") as response:
        _answered(response, service)
        with archive.open(path, "w") as out:
            async for chunk in response.aiter_bytes():
                out.write(chunk)
                digest.update(chunk)
                rows += chunk.count(b"\n")
    return {"path": path, "service": service, "resource": resource["name"], "rows": rows,
            "sha256": digest.hexdigest(),
            "personal_fields_included": resource["personal_fields"] if resource["personal_included"] else []}


def export_jobs(settings: GatewaySettings, seconds: float = 1.0) -> Job:
    """The worker's Job: every `seconds`, write the exports waiting (one at a time)."""
    keys: dict[int, SigningKeys] = {}

    async def tick(engine: AsyncEngine) -> None:
        signer = keys.setdefault(id(engine), SigningKeys(engine, token_ttl=settings.token_ttl_seconds))
        while await run_next_export(engine, settings, signer):
            pass

    return every("tenant-exports", seconds, tick)
