"""Use cases for educators: the directory entry, its personal data (audited here), and SIS loads."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from libs.common.audit import Action, personal_data_accessed
from libs.common.auth import Principal
from libs.common.changes import ChangeWindow, window_clauses
from libs.common.outbox import record_events
from libs.common.pagination import PageRequest, page_of
from libs.common.problems import not_found
from libs.common.repository import Reference, check_version, get_or_404, reference, require_known, unknown_references
from libs.contracts.audit import HRPersonalDataAccessed, PersonalDataAccessed
from libs.contracts.base import EventPayload
from libs.contracts.hr import EducatorRegistered, EducatorRemoved, EducatorUpdated
from services.hr import bulk, scope
from services.hr.educators.rules import changes, educator_view, facts, same_facts
from services.hr.ladder import config as ladder_config
from services.hr.models import Educator, EducatorPublic, School, StageTransition, utcnow
from services.hr.settings import SERVICE

EDUCATORS = Educator.__table__  # type: ignore[attr-defined]
TRANSITIONS = StageTransition.__table__  # type: ignore[attr-defined]
INSERT_EDUCATOR = insert(EDUCATORS).returning(*EDUCATORS.c)  # built once: the hot write path's compiled form
STAGE_SINCE = (("career_stage", "stage_since"),)


async def _emit(session: AsyncSession, tenant_id: str, payloads: list[EventPayload]) -> None:
    await record_events(session, payloads, service=SERVICE, tenant_id=tenant_id)


def audit_event(principal: Principal, request_id: str | None, action: Action,
                ids: list[uuid.UUID]) -> PersonalDataAccessed | None:
    """The audit event of educators' personal data read or changed (None: nothing to record)."""
    if action == "read" and not scope.sees_personal_data(principal):
        return None
    return personal_data_accessed(HRPersonalDataAccessed, principal=principal, request_id=request_id,
                                  action=action, object_type="educator", object_ids=ids,
                                  fields=list(scope.PERSONAL_FIELDS))


async def audit(session: AsyncSession, principal: Principal, request_id: str | None, action: Action,
                ids: list[uuid.UUID]) -> None:
    """Educators' personal data read or changed: an audit record in the same transaction."""
    if (event := audit_event(principal, request_id, action, ids)) is not None:
        await _emit(session, principal.tenant_id, [event])


def view(principal: Principal, row: Any) -> EducatorPublic:
    return educator_view(dict(row), include_personal=scope.sees_personal_data(principal))


async def _school_reference(session: AsyncSession, tenant_id: str, school_id: Any) -> None:
    await require_known(session, tenant_id, reference(School, "school", "school_id", school_id))


async def insert_educator(session: AsyncSession, tenant_id: str, values: dict[str, Any], *,
                          stage: str | None = None, on: date | None = None,
                          also: Sequence[EventPayload] = ()) -> Any:
    """The new row (and its registered event, with `also` in the same outbox statement): the one way an
    educator enters hr, hired or loaded."""
    now = utcnow()
    career_stage = str(values["career_stage"])
    row = (await session.execute(INSERT_EDUCATOR, {
        "id": uuid.uuid4(), "tenant_id": tenant_id, "version": 1, "created_at": now, "updated_at": now,
        **{c.name: None for c in EDUCATORS.c if c.nullable and c.name not in values},
        **values, "career_stage": career_stage, "stage": stage or career_stage,
        "stage_since": on or now.date(),
    })).mappings().one()
    await _emit(session, tenant_id, [facts(row, EducatorRegistered), *also])
    return row


async def create(session: AsyncSession, principal: Principal, request_id: str | None,
                 values: dict[str, Any]) -> EducatorPublic:
    scope.check_school(principal, "school_id", values.get("school_id"))
    await _school_reference(session, principal.tenant_id, values.get("school_id"))
    educator_id = uuid.uuid4()
    # the audit event goes with the registered one: one outbox INSERT per hire, not two
    created = audit_event(principal, request_id, "create", [educator_id])
    row = await insert_educator(session, principal.tenant_id, {**values, "id": educator_id},
                                also=[created] if created else [])
    return view(principal, row)


async def locked(session: AsyncSession, principal: Principal, educator_id: uuid.UUID, *,
                 field: str | None = None, for_update: bool = False) -> Any:
    """The educator's row, 404 when another tenant's or outside a scoped token's schools.

    With `field`, an unknown educator named in a body is a 422 naming that field instead.
    """
    if field is not None:
        await require_known(session, principal.tenant_id, reference(Educator, "educator", field, educator_id))
    row = await get_or_404(session, Educator, educator_id, principal.tenant_id, label="educator",
                           for_update=for_update)
    if not scope.may_see(principal, row["school_id"]):
        raise not_found("educator")
    return row


async def get(session: AsyncSession, principal: Principal, request_id: str | None,
              educator_id: uuid.UUID) -> EducatorPublic:
    row = await locked(session, principal, educator_id)
    await audit(session, principal, request_id, "read", [row["id"]])
    return view(principal, row)


async def update_row(session: AsyncSession, tenant_id: str, row: Any, diff: dict[str, Any]) -> Any:
    """Apply a change to a locked row; a new career stage restarts its clock. Emits what others see."""
    if "career_stage" in diff:
        diff = {**diff, "career_stage": str(diff["career_stage"])}
        diff.setdefault("stage", diff["career_stage"])
        diff.setdefault("stage_since", utcnow().date())
    after = (await session.execute(
        update(EDUCATORS).where(EDUCATORS.c.id == row["id"])
        .values(**diff, version=EDUCATORS.c.version + 1, updated_at=utcnow()).returning(*EDUCATORS.c)
    )).mappings().one()
    if not same_facts(facts(row, EducatorUpdated), event := facts(after, EducatorUpdated)):
        await _emit(session, tenant_id, [event])
    return after


async def update_educator(session: AsyncSession, principal: Principal, request_id: str | None,
                          educator_id: uuid.UUID, expected: int, patch: dict[str, Any]) -> EducatorPublic:
    row = await locked(session, principal, educator_id, for_update=True)
    if "school_id" in patch:
        scope.check_school(principal, "school_id", patch["school_id"])
    check_version(row["version"], expected)
    diff = changes(row, {k: (str(v) if k == "career_stage" and v is not None else v) for k, v in patch.items()})
    if not diff:
        return view(principal, row)
    await _school_reference(session, principal.tenant_id, diff.get("school_id"))
    if "career_stage" in diff:
        await record_move(session, principal.tenant_id, row, str(diff["career_stage"]), str(diff["career_stage"]))
    after = await update_row(session, principal.tenant_id, row, diff)
    if set(diff) & set(scope.PERSONAL_FIELDS):
        await audit(session, principal, request_id, "update", [after["id"]])
    return view(principal, after)


async def next_seq(session: AsyncSession, tenant_id: str, educator_id: uuid.UUID) -> int:
    current = await session.scalar(select(func.max(TRANSITIONS.c.seq)).where(
        TRANSITIONS.c.tenant_id == tenant_id, TRANSITIONS.c.educator_id == educator_id))
    return int(current or 0) + 1


async def record_move(session: AsyncSession, tenant_id: str, row: Any, to_stage: str | None,
                      to_career_stage: str | None, *, criteria_met: list[str] | None = None,
                      evidence: str | None = None, approver_id: uuid.UUID | None = None,
                      on: date | None = None) -> dict[str, Any]:
    """One row of the history (the caller holds the educator's row lock, so `seq` has no gap)."""
    values = {"id": uuid.uuid4(), "tenant_id": tenant_id, "educator_id": row["id"],
              "seq": await next_seq(session, tenant_id, row["id"]), "school_id": row["school_id"],
              "from_stage": row["stage"] or row["career_stage"], "to_stage": to_stage,
              "from_career_stage": row["career_stage"], "to_career_stage": to_career_stage,
              "criteria_met": criteria_met or [], "evidence": evidence, "approver_id": approver_id,
              "transitioned_on": on or utcnow().date(), "created_at": utcnow()}
    await session.execute(insert(TRANSITIONS), values)
    return values


async def delete_educator(session: AsyncSession, principal: Principal, request_id: str | None,
                          educator_id: uuid.UUID, expected: int | None) -> None:
    row = await locked(session, principal, educator_id, for_update=True)
    check_version(row["version"], expected)
    await _emit(session, principal.tenant_id, [EducatorRemoved(educator_id=row["id"], version=row["version"] + 1)])
    await record_move(session, principal.tenant_id, row, None, None)  # an exit: the forecast counts it
    await session.execute(EDUCATORS.delete().where(EDUCATORS.c.id == educator_id))
    await audit(session, principal, request_id, "delete", [row["id"]])


async def list_educators(session: AsyncSession, principal: Principal, request_id: str | None, page: PageRequest,
                         changes: ChangeWindow, filters: dict[str, Any]) -> tuple[list[EducatorPublic], str | None]:
    stmt = select(EDUCATORS).where(EDUCATORS.c.tenant_id == principal.tenant_id)
    if (reachable := scope.school_ids(principal)) is not None:
        stmt = stmt.where(EDUCATORS.c.school_id.in_(reachable))
    for column, value in filters.items():
        if value is not None:
            stmt = stmt.where(EDUCATORS.c[column] == (str(value) if column == "career_stage" else value))
    stmt = stmt.where(*await window_clauses(session, principal.tenant_id, changes, EDUCATORS.c.change_version))
    await page.count_total(session, stmt)
    if page.after:
        stmt = stmt.where(EDUCATORS.c.id > uuid.UUID(str(page.after.get("id"))))
    rows = list((await session.execute(stmt.order_by(EDUCATORS.c.id).limit(page.size + 1))).mappings().all())
    items, token = page_of(rows, page.size, lambda r: {"id": str(r["id"])})
    await audit(session, principal, request_id, "read", [r["id"] for r in items])
    return [view(principal, r) for r in items], token


async def bulk_upsert(session: AsyncSession, principal: Principal, request_id: str | None, match_on: str,
                      items: list[dict[str, Any]]) -> bulk.BulkResult:
    """A SIS load. An item without `career_stage` starts at its classification's stage (or the tenant's
    default) and, on a re-load, keeps the stage hr already holds."""
    tenant_id = principal.tenant_id
    for n, item in enumerate(items):
        if "school_id" in item:
            scope.check_school(principal, f"items[{n}].school_id", item["school_id"])
    errors = bulk.bulk_key_errors([i.get(match_on) for i in items], match_on)
    schools = {f"items[{n}].school_id": i["school_id"] for n, i in enumerate(items) if i.get("school_id")}
    missing = await unknown_references(session, tenant_id, [Reference(School, "school", schools)])
    errors += [{"field": f, "message": f"no such {label}"} for f, label in missing]
    if errors:
        raise bulk.invalid_batch(errors)
    ladder, _ = await ladder_config.load(session, tenant_id)
    today = utcnow().date()
    staged: list[tuple[int, dict[str, Any]]] = []
    unstaged: list[tuple[int, dict[str, Any]]] = []
    for n, item in enumerate(items):
        classification = item.pop("staff_classification", None)
        if "career_stage" in item:
            item["career_stage"] = str(item["career_stage"])
            item["stage"] = item["career_stage"]
            staged.append((n, {**item, "stage_since": today}))
        else:
            code = ladder.stage_for(classification)
            unstaged.append((n, {**item, "career_stage": str(ladder.band(code)), "stage": code,
                                 "stage_since": today}))
    written = await bulk.upsert(session, EDUCATORS, tenant_id, match_on,
                                [((), staged), (("career_stage", "stage", "stage_since"), unstaged)],
                                utcnow(), on_change=STAGE_SINCE)
    audited = audit_event(principal, request_id, "update", [w.id for w in written if w.outcome != "unchanged"])
    await _emit(session, tenant_id, [*(facts(w.row._mapping, EducatorRegistered if w.outcome == "created"
                                             else EducatorUpdated) for w in written if w.row is not None),
                                     *([audited] if audited else [])])  # one outbox INSERT for the batch
    return bulk.result_of(written)
