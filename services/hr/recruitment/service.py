"""Use cases of recruitment. Hiring creates the educator in the same transaction (no half-hired person)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from libs.common.audit import Action, record_personal_data_access
from libs.common.auth import Principal
from libs.common.outbox import record_events
from libs.common.problems import Problem, not_found
from libs.common.repository import check_version, get_or_404, reference, require_known
from libs.contracts.audit import HRPersonalDataAccessed
from libs.contracts.hr import ApplicationHired, ApplicationReceived
from services.hr import scope
from services.hr.educators import service as educators
from services.hr.ladder.config import load
from services.hr.models import Application, Posting, School, utcnow
from services.hr.recruitment.rules import ApplicationStatus, allowed_next
from services.hr.recruitment.schemas import ApplicationPublic, PostingPublic
from services.hr.settings import SERVICE

POSTINGS = Posting.__table__  # type: ignore[attr-defined]
APPLICATIONS = Application.__table__  # type: ignore[attr-defined]
APPLICANT_FIELDS = ("given_name", "family_name", "email", "qualifications", "leadership_potential", "rubric_notes")


async def _audit(session: AsyncSession, principal: Principal, request_id: str | None, action: Action,
                 ids: list[uuid.UUID]) -> None:
    if action == "read" and not scope.sees_personal_data(principal):
        return
    await record_personal_data_access(session, HRPersonalDataAccessed, service=SERVICE, principal=principal,
                                      request_id=request_id, action=action, object_type="application",
                                      object_ids=ids, fields=list(APPLICANT_FIELDS))


def _view(principal: Principal, row: Any) -> ApplicationPublic:
    data = dict(row)
    if not scope.sees_personal_data(principal):
        data.update(dict.fromkeys(APPLICANT_FIELDS))
    return ApplicationPublic.model_validate(data)


async def create_posting(session: AsyncSession, principal: Principal, values: dict[str, Any]) -> PostingPublic:
    scope.check_school(principal, "school_id", values["school_id"])
    await require_known(session, principal.tenant_id,
                        reference(School, "school", "school_id", values["school_id"]))
    ladder, _ = await load(session, principal.tenant_id)
    if values["stage"] not in ladder.codes():
        raise Problem(422, "Unknown stage", "stage: not a stage of this ladder", slug="invalid-field",
                      errors=[{"field": "stage", "message": f"one of {ladder.codes()}"}])
    now = utcnow()
    row = (await session.execute(insert(POSTINGS).values(
        id=uuid.uuid4(), tenant_id=principal.tenant_id, version=1, created_at=now, updated_at=now, status="open",
        **values).returning(*POSTINGS.c))).mappings().one()
    return PostingPublic.model_validate(dict(row))


async def _posting(session: AsyncSession, principal: Principal, posting_id: uuid.UUID, *,
                   for_update: bool = False) -> Any:
    row = await get_or_404(session, Posting, posting_id, principal.tenant_id, label="posting", for_update=for_update)
    if not scope.may_see(principal, row["school_id"]):
        raise not_found("posting")
    return row


async def list_postings(session: AsyncSession, principal: Principal) -> list[PostingPublic]:
    stmt = select(POSTINGS).where(POSTINGS.c.tenant_id == principal.tenant_id).order_by(POSTINGS.c.created_at)
    if (reachable := scope.school_ids(principal)) is not None:
        stmt = stmt.where(POSTINGS.c.school_id.in_(reachable))
    return [PostingPublic.model_validate(dict(r)) for r in (await session.execute(stmt)).mappings().all()]


async def apply(session: AsyncSession, principal: Principal, request_id: str | None, posting_id: uuid.UUID,
                values: dict[str, Any]) -> ApplicationPublic:
    posting = await _posting(session, principal, posting_id)
    if posting["status"] != "open":
        raise Problem(409, "Posting closed", "the posting no longer takes applications", slug="posting-closed")
    now = utcnow()
    row = (await session.execute(insert(APPLICATIONS).values(
        id=uuid.uuid4(), tenant_id=principal.tenant_id, version=1, created_at=now, updated_at=now,
        posting_id=posting_id, status="applied", **values).returning(*APPLICATIONS.c))).mappings().one()
    await record_events(session, [ApplicationReceived(application_id=row["id"], posting_id=posting_id,
                                                      school_id=posting["school_id"])],
                        service=SERVICE, tenant_id=principal.tenant_id)
    await _audit(session, principal, request_id, "create", [row["id"]])
    return _view(principal, row)


async def _application(session: AsyncSession, principal: Principal, application_id: uuid.UUID, *,
                       for_update: bool = False) -> tuple[Any, Any]:
    row = await get_or_404(session, Application, application_id, principal.tenant_id, label="application",
                           for_update=for_update)
    posting = await _posting(session, principal, row["posting_id"])
    return row, posting


async def get_application(session: AsyncSession, principal: Principal, request_id: str | None,
                          application_id: uuid.UUID) -> ApplicationPublic:
    row, _ = await _application(session, principal, application_id)
    await _audit(session, principal, request_id, "read", [row["id"]])
    return _view(principal, row)


async def list_applications(session: AsyncSession, principal: Principal, request_id: str | None,
                            posting_id: uuid.UUID) -> list[ApplicationPublic]:
    await _posting(session, principal, posting_id)
    rows = (await session.execute(select(APPLICATIONS).where(
        APPLICATIONS.c.tenant_id == principal.tenant_id, APPLICATIONS.c.posting_id == posting_id)
        .order_by(APPLICATIONS.c.created_at))).mappings().all()
    await _audit(session, principal, request_id, "read", [r["id"] for r in rows])
    return [_view(principal, r) for r in rows]


def _not_next(current: str, wanted: str) -> Problem:
    allowed = allowed_next(current)
    return Problem(409, "Not a next stage", f"an application {current} can go to: {', '.join(allowed) or 'nothing'}",
                   slug="application-stage", errors=[{"field": "status", "message": f"allowed: {allowed}"}],
                   extra={"allowed": allowed})


async def change_application(session: AsyncSession, principal: Principal, request_id: str | None,
                             application_id: uuid.UUID, expected: int, patch: dict[str, Any]) -> ApplicationPublic:
    row, _ = await _application(session, principal, application_id, for_update=True)
    check_version(row["version"], expected)
    status = patch.get("status")
    if status is not None and status != row["status"]:
        if status == ApplicationStatus.hired:
            raise Problem(409, "Hire through its own action", "POST /applications/{id}/hire creates the educator",
                          slug="application-stage", errors=[{"field": "status", "message": "use the hire action"}])
        if status not in allowed_next(row["status"]):
            raise _not_next(row["status"], status)
    values = {k: (str(v) if k == "status" else v) for k, v in patch.items() if v is not None}
    after = (await session.execute(update(APPLICATIONS).where(APPLICATIONS.c.id == application_id).values(
        **values, version=APPLICATIONS.c.version + 1, updated_at=utcnow()).returning(*APPLICATIONS.c)
    )).mappings().one()
    if set(values) & set(APPLICANT_FIELDS):
        await _audit(session, principal, request_id, "update", [row["id"]])
    return _view(principal, after)


async def hire(session: AsyncSession, principal: Principal, request_id: str | None,
               application_id: uuid.UUID, expected: int | None) -> ApplicationPublic:
    """Offered -> hired: the educator is created at the posting's school and stage, in this transaction."""
    row, posting = await _application(session, principal, application_id, for_update=True)
    check_version(row["version"], expected)
    if "hired" not in allowed_next(row["status"]):
        raise _not_next(row["status"], "hired")
    ladder, _ = await load(session, principal.tenant_id)
    stage = posting["stage"]
    educator = await educators.insert_educator(session, principal.tenant_id, {
        "given_name": row["given_name"], "family_name": row["family_name"], "email": row["email"],
        "school_id": posting["school_id"], "career_stage": str(ladder.band(stage)), "position": posting["title"],
    }, stage=stage)
    await educators.record_move(session, principal.tenant_id, {**educator, "stage": "applicant",
                                                               "career_stage": "applicant"},
                                stage, str(ladder.band(stage)), criteria_met=["hired"],
                                evidence=f"application {row['id']}")
    after = (await session.execute(update(APPLICATIONS).where(APPLICATIONS.c.id == application_id).values(
        status="hired", educator_id=educator["id"], version=APPLICATIONS.c.version + 1, updated_at=utcnow())
        .returning(*APPLICATIONS.c))).mappings().one()
    await record_events(session, [ApplicationHired(application_id=row["id"], posting_id=posting["id"],
                                                   school_id=posting["school_id"], educator_id=educator["id"])],
                        service=SERVICE, tenant_id=principal.tenant_id)
    await educators.audit(session, principal, request_id, "create", [educator["id"]])
    return _view(principal, after)
