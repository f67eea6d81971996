"""Import jobs: submit, read, list; validate a set and apply it through hr's bulk upsert, with its events.

A set is applied in the job runner's one transaction: every district, school and educator of the set, their
events (outbox) and the job's success commit together, or nothing does. Re-applying a set changes nothing
(the bulk upsert leaves identical records alone and emits nothing for them).
"""

from __future__ import annotations

import asyncio
import json
import uuid
import zipfile
from collections.abc import Awaitable, Callable, Iterable, Sequence
from datetime import datetime
from io import BytesIO
from typing import Any

from sqlalchemy import Table, Text, any_, bindparam, func, insert, literal, select, tuple_
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession

from libs.common.audit import record_personal_data_access
from libs.common.auth import Principal
from libs.common.outbox import record_events
from libs.common.pagination import PageRequest, page_of
from libs.common.problems import Problem, not_found
from libs.contracts.audit import HRPersonalDataAccessed
from libs.contracts.hr import DistrictRegistered, DistrictUpdated
from services.hr import bulk, scope
from services.hr.educators import service as educators
from services.hr.imports import edfi, oneroster
from services.hr.imports.rules import Issue, Known, Plan, Removal, stale, visible_issue
from services.hr.imports.schemas import ImportJobPublic
from services.hr.ladder import config as ladder_config
from services.hr.models import District, Educator, ImportJob, ImportUpload, School, utcnow
from services.hr.organisations import service as organisations
from services.hr.settings import SERVICE

JOBS: Table = ImportJob.__table__  # type: ignore[attr-defined]
UPLOADS: Table = ImportUpload.__table__  # type: ignore[attr-defined]
DISTRICTS: Table = District.__table__  # type: ignore[attr-defined]
SCHOOLS: Table = School.__table__  # type: ignore[attr-defined]
EDUCATORS: Table = Educator.__table__  # type: ignore[attr-defined]
CHUNK = 1000  # the bulk API's batch: one audit event and one statement per 1,000 records
MAX_UPLOAD = 50 * 1024 * 1024
EDUCATOR_MATCH = {"sourced_id": "sourced_id", "staff_unique_id": "staff_unique_id"}


Outcomes = dict[str, dict[str, int]]
ProgressHook = Callable[[Outcomes], Awaitable[None]]


class Rejected(Exception):
    """A set that validated on its own but not against hr's data at apply time (nothing is written)."""

    def __init__(self, issues: list[Issue]) -> None:
        super().__init__(f"{len(issues)} issue(s)")
        self.issues = issues


# --- submit, read, list ------------------------------------------------------------------------------------

def check_upload(format: str, content: bytes) -> None:
    """What can be refused before a job exists: an empty, oversized or unreadable upload (422)."""
    if not content:
        raise Problem(422, "Invalid upload", "the upload is empty", slug="invalid-upload",
                      errors=[{"field": "file", "message": "required"}])
    if len(content) > MAX_UPLOAD:
        raise Problem(413, "Content too large", f"uploads are limited to {MAX_UPLOAD} bytes", slug="body-too-large")
    if format == "oneroster" and not zipfile.is_zipfile(BytesIO(content)):
        raise Problem(422, "Invalid upload", "a OneRoster set is a zip archive", slug="invalid-upload",
                      errors=[{"field": "file", "message": "not a zip archive"}])
    if format == "edfi":
        try:
            body = json.loads(content)
        except (UnicodeDecodeError, json.JSONDecodeError):
            body = None
        if not isinstance(body, dict):
            raise Problem(422, "Invalid upload", "an Ed-Fi set is a JSON object of ODS/API resources",
                          slug="invalid-upload", errors=[{"field": "body", "message": "not a JSON object"}])


async def submit(session: AsyncSession, principal: Principal, format: str, media_type: str,
                 content: bytes) -> ImportJobPublic:
    scope.refuse_school_scoped(principal, "the directory by import")  # a district integration, not a school's
    check_upload(format, content)
    now = utcnow()
    job = {"id": uuid.uuid4(), "tenant_id": principal.tenant_id, "format": format, "status": "queued",
           "submitted_by": principal.subject, "rows_read": 0, "rows_written": 0, "rows_unchanged": 0,
           "rows_failed": 0, "attempts": 0, "report": None, "version": 1, "created_at": now, "updated_at": now,
           "started_at": None, "finished_at": None}
    await session.execute(insert(JOBS), job)
    await session.execute(insert(UPLOADS), {"job_id": job["id"], "tenant_id": principal.tenant_id,
                                            "media_type": media_type, "size": len(content), "content": content})
    return job_view(job, include_personal=False)


def job_view(row: Any, *, include_personal: bool) -> ImportJobPublic:
    report = dict(row["report"] or {})
    report["issues"] = [visible_issue(i, include_personal=include_personal) for i in report.get("issues", [])]
    return ImportJobPublic.model_validate({
        "id": row["id"], "format": row["format"], "status": row["status"], "attempts": row["attempts"],
        "progress": {"read": row["rows_read"], "written": row["rows_written"], "unchanged": row["rows_unchanged"],
                     "failed": row["rows_failed"]},
        "report": report, "created_at": row["created_at"], "started_at": row["started_at"],
        "finished_at": row["finished_at"]})


async def _shown(session: AsyncSession, principal: Principal, request_id: str | None,
                 rows: Sequence[Any]) -> list[ImportJobPublic]:
    """Jobs as the reader sees them; personal values in reports shown (and audited) only with hr:pii."""
    personal = scope.sees_personal_data(principal)
    shown = [r["id"] for r in rows if personal and any(i.get("personal") and i.get("value") is not None
                                                       for i in (r["report"] or {}).get("issues", []))]
    if shown:
        await record_personal_data_access(session, HRPersonalDataAccessed, service=SERVICE, principal=principal,
                                          request_id=request_id, action="read", object_type="import_job",
                                          object_ids=shown, fields=list(scope.PERSONAL_FIELDS))
    return [job_view(r, include_personal=personal) for r in rows]


async def get_job(session: AsyncSession, principal: Principal, request_id: str | None,
                  job_id: uuid.UUID) -> ImportJobPublic:
    row = (await session.execute(select(JOBS).where(JOBS.c.id == job_id, JOBS.c.tenant_id == principal.tenant_id))
           ).mappings().first()
    if row is None:
        raise not_found("import")
    return (await _shown(session, principal, request_id, [row]))[0]


async def list_jobs(session: AsyncSession, principal: Principal, request_id: str | None, page: PageRequest,
                    status: str | None, format: str | None) -> tuple[list[ImportJobPublic], str | None]:
    """Newest first."""
    stmt = select(JOBS).where(JOBS.c.tenant_id == principal.tenant_id)
    if status is not None:
        stmt = stmt.where(JOBS.c.status == status)
    if format is not None:
        stmt = stmt.where(JOBS.c.format == format)
    await page.count_total(session, stmt)
    if page.after:
        after = (datetime.fromisoformat(str(page.after.get("created_at"))), uuid.UUID(str(page.after.get("id"))))
        stmt = stmt.where(tuple_(JOBS.c.created_at, JOBS.c.id) < tuple_(literal(after[0]), literal(after[1])))
    rows = list((await session.execute(stmt.order_by(JOBS.c.created_at.desc(), JOBS.c.id.desc())
                                       .limit(page.size + 1))).mappings().all())
    items, token = page_of(rows, page.size, lambda r: {"created_at": r["created_at"].isoformat(), "id": str(r["id"])})
    return await _shown(session, principal, request_id, items), token


# --- validate -----------------------------------------------------------------------------------------------

def _keys(keys: Iterable[str]) -> Any:
    return bindparam("keys", value=list(keys), type_=ARRAY(Text))


async def _held(session: AsyncSession, table: Table, tenant_id: str, column: str, keys: Iterable[str]
                ) -> dict[str, tuple[uuid.UUID, datetime | None]]:
    """key -> (id, source_modified_at) of the records hr holds among `keys` (one query, any number of keys)."""
    wanted = list(set(keys))
    if not wanted:
        return {}
    rows = await session.execute(select(table.c[column], table.c.id, table.c.source_modified_at).where(
        table.c.tenant_id == tenant_id, table.c[column] == any_(_keys(wanted))))
    return {r[0]: (r[1], r[2]) for r in rows}


async def validate(session: AsyncSession, tenant_id: str, format: str, content: bytes) -> tuple[Plan, list[Issue]]:
    """Read and check the whole set against itself and hr's data; CPU-heavy steps off the event loop."""
    ladder, _ = await ladder_config.load(session, tenant_id)
    if format == "oneroster":
        roster, issues = await asyncio.to_thread(oneroster.read, content)
        if issues:
            return Plan("sourced_id", "sourced_id"), issues
        orgs, users = oneroster.references(roster)
        known = Known(
            districts=frozenset(await _held(session, DISTRICTS, tenant_id, "sourced_id", orgs)),
            schools=frozenset(await _held(session, SCHOOLS, tenant_id, "sourced_id", orgs)),
            educators=frozenset(await _held(session, EDUCATORS, tenant_id, "sourced_id", users)))
        return await asyncio.to_thread(oneroster.plan, roster, known, ladder.classifications)
    resources, issues = await asyncio.to_thread(edfi.read, content)
    if issues:
        return Plan("ed_fi_id", "staff_unique_id"), issues
    orgs, staff = edfi.references(resources)
    known = Known(districts=frozenset(await _held(session, DISTRICTS, tenant_id, "ed_fi_id", orgs)),
                  schools=frozenset(await _held(session, SCHOOLS, tenant_id, "ed_fi_id", orgs)),
                  educators=frozenset(await _held(session, EDUCATORS, tenant_id, "staff_unique_id", staff)))

    def seniority(classification: str) -> int:
        return ladder.rank(ladder.stage_for(classification))

    return await asyncio.to_thread(edfi.plan, resources, known, utcnow().date(), seniority)


# --- apply --------------------------------------------------------------------------------------------------

def _chunks(items: list[Any]) -> Iterable[list[Any]]:
    for start in range(0, len(items), CHUNK):
        yield items[start:start + CHUNK]


def _outcome() -> dict[str, int]:
    return {"created": 0, "updated": 0, "unchanged": 0, "removed": 0, "stale": 0}


def _count(outcome: dict[str, int], result: bulk.BulkResult) -> None:
    outcome["created"] += result.created
    outcome["updated"] += result.updated
    outcome["unchanged"] += result.unchanged


async def _no_progress(outcomes: Outcomes) -> None:
    return None


async def apply(session: AsyncSession, principal: Principal, plan: Plan,
                progress: ProgressHook = _no_progress) -> Outcomes:
    """Write a validated plan in the caller's transaction; raises Rejected (the caller rolls back).

    `progress(outcomes)` is called after each chunk, so a reader can follow a long apply (what it says is
    not committed until the caller's transaction is).
    """
    tenant = principal.tenant_id
    dated = plan.match_orgs == "sourced_id"  # OneRoster carries dateLastModified; Ed-Fi's ODS extract does not
    outcomes = {"districts": _outcome(), "schools": _outcome(), "educators": _outcome()}

    async def tick() -> None:
        await progress(outcomes)
    parents = {s.parent for s in plan.schools if s.parent}
    held = await _held(session, DISTRICTS, tenant, plan.match_orgs,
                       [d.key for d in plan.districts] + [r.key for r in plan.remove_districts] + list(parents))
    district_ids = {k: v[0] for k, v in held.items()}
    district_ids |= await _districts(session, tenant, plan, held, outcomes["districts"], dated)
    await tick()

    held_schools = await _held(session, SCHOOLS, tenant, plan.match_orgs,
                               [s.key for s in plan.schools] + [r.key for r in plan.remove_schools]
                               + [e.org for e in plan.educators if e.org])
    school_ids = {k: v[0] for k, v in held_schools.items()}
    fresh = [s for s in plan.schools if not _stale(s.modified, held_schools.get(s.key), outcomes["schools"])]
    items = [{plan.match_orgs: s.key, "name": s.name, "district_id": district_ids.get(s.parent or ""),
              **({"source_modified_at": s.modified} if dated else {})} for s in fresh]
    for chunk in _chunks(items):
        result = await organisations.bulk_upsert_schools(session, principal, plan.match_orgs, chunk)
        _count(outcomes["schools"], result)
        school_ids |= {i.external_id: i.id for i in result.items}
        await tick()

    await _educators(session, principal, plan, school_ids, outcomes["educators"], dated, tick)
    await _remove_educators(session, principal, plan, outcomes["educators"])
    await _remove_orgs(session, principal, plan.remove_schools, held_schools, SCHOOLS, EDUCATORS, "school_id",
                       outcomes["schools"], organisations.delete_school, "educators")
    await _remove_orgs(session, principal, plan.remove_districts, held, DISTRICTS, SCHOOLS, "district_id",
                       outcomes["districts"], organisations.delete_district, "schools")
    return outcomes


def _stale(modified: datetime | None, held: tuple[uuid.UUID, datetime | None] | None, outcome: dict[str, int]
           ) -> bool:
    if held is not None and stale(modified, held[1]):
        outcome["stale"] += 1
        return True
    return False


async def _districts(session: AsyncSession, tenant: str, plan: Plan, held: dict[str, Any], outcome: dict[str, int],
                     dated: bool) -> dict[str, uuid.UUID]:
    """hr has no bulk API for districts: the same upsert statement, with the same events."""
    fresh = [d for d in plan.districts if not _stale(d.modified, held.get(d.key), outcome)]
    items = [{plan.match_orgs: d.key, "name": d.name, **({"source_modified_at": d.modified} if dated else {})}
             for d in fresh]
    ids: dict[str, uuid.UUID] = {}
    for chunk in _chunks(items):
        written = await bulk.upsert(session, DISTRICTS, tenant, plan.match_orgs, [((), list(enumerate(chunk)))],
                                    utcnow())
        await record_events(session, [organisations.district_facts(
            w.row._mapping, DistrictRegistered if w.outcome == "created" else DistrictUpdated)
            for w in written if w.row is not None], service=SERVICE, tenant_id=tenant)
        _count(outcome, bulk.result_of(written))
        ids |= {w.key: w.id for w in written}
    return ids


async def _educators(session: AsyncSession, principal: Principal, plan: Plan, school_ids: dict[str, uuid.UUID],
                     outcome: dict[str, int], dated: bool, tick: Callable[[], Awaitable[None]]) -> None:
    held = await _held(session, EDUCATORS, principal.tenant_id, plan.match_educators,
                       [e.key for e in plan.educators])
    names = await _names(session, principal.tenant_id, plan.match_educators,
                         [e.key for e in plan.educators if "given_name" not in e.fields])
    groups: dict[frozenset[str], list[dict[str, Any]]] = {}
    for e in plan.educators:
        if _stale(e.modified, held.get(e.key), outcome):
            continue
        # A record with a role or assignment only (its person is not in the set) names an educator hr holds
        # (validation checked it): the upsert writes whole rows, so it carries the names hr holds.
        item = {plan.match_educators: e.key, **names.get(e.key, {}), **e.fields}
        if e.has_org:
            item["school_id"] = school_ids.get(e.org or "")  # at a district, or no school: no school in hr
        if dated and e.line:
            item["source_modified_at"] = e.modified
        groups.setdefault(frozenset(item), []).append(item)
    for items in groups.values():  # one shape per call: a field a row does not carry is left as hr holds it
        for chunk in _chunks(items):
            _count(outcome, await educators.bulk_upsert(session, principal, None, plan.match_educators, chunk))
            await tick()


async def _names(session: AsyncSession, tenant_id: str, column: str, keys: list[str]) -> dict[str, dict[str, Any]]:
    """key -> the personal fields hr holds, for records of the set that do not carry them."""
    if not keys:
        return {}
    rows = await session.execute(select(EDUCATORS.c[column], EDUCATORS.c.given_name, EDUCATORS.c.family_name,
                                        EDUCATORS.c.email)
                                 .where(EDUCATORS.c.tenant_id == tenant_id, EDUCATORS.c[column] == any_(_keys(keys))))
    return {r[0]: {"given_name": r[1], "family_name": r[2], "email": r[3]} for r in rows}


async def _remove_educators(session: AsyncSession, principal: Principal, plan: Plan, outcome: dict[str, int]) -> None:
    """hr's removal of an educator (its event, an exit in the history, the audit), for each one it holds."""
    held = await _held(session, EDUCATORS, principal.tenant_id, plan.match_educators,
                       [r.key for r in plan.remove_educators])
    for removal in plan.remove_educators:
        current = held.get(removal.key)
        if current is None:
            outcome["unchanged"] += 1  # never held (a student, say) or already removed
        elif not _stale(removal.modified, current, outcome):
            await educators.delete_educator(session, principal, None, current[0], None)
            outcome["removed"] += 1


async def _remove_orgs(session: AsyncSession, principal: Principal, removals: list[Removal],
                       held: dict[str, tuple[uuid.UUID, datetime | None]], table: Table, dependants: Table,
                       column: str, outcome: dict[str, int], delete: Any, label: str) -> None:
    """Remove schools (or districts) the set marks tobedeleted: refused while hr still has records in them."""
    targets = {r.key: held[r.key][0] for r in removals if r.key in held}
    in_use: dict[uuid.UUID, int] = {}
    if targets:
        in_use = dict((await session.execute(
            select(dependants.c[column], func.count()).where(dependants.c[column].in_(list(targets.values())))
            .group_by(dependants.c[column]))).tuples().all())
    issues = [Issue(r.file, r.line, "status", "tobedeleted",
                    f"an org hr can remove: {in_use[targets[r.key]]} {label} in hr are still there")
              for r in removals if r.key in targets and targets[r.key] in in_use]
    if issues:
        raise Rejected(issues)
    for r in removals:
        if r.key not in targets:
            outcome["unchanged"] += 1
        elif not _stale(r.modified, held[r.key], outcome):
            await delete(session, principal, targets[r.key], None)
            outcome["removed"] += 1
