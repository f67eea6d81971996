"""Use cases of feedback on practice: continuous entries, not tied to an appraisal cycle."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from libs.common.audit import Action, record_personal_data_access
from libs.common.auth import Principal
from libs.common.problems import Problem
from libs.contracts.audit import HRPersonalDataAccessed
from services.hr import scope
from services.hr.educators import service as educators
from services.hr.feedback.schemas import FeedbackPublic
from services.hr.models import Feedback, utcnow
from services.hr.settings import SERVICE

FEEDBACK = Feedback.__table__  # type: ignore[attr-defined]


async def _audit(session: AsyncSession, principal: Principal, request_id: str | None, action: Action,
                 ids: list[uuid.UUID]) -> None:
    if action == "read" and not scope.sees_personal_data(principal):
        return
    await record_personal_data_access(session, HRPersonalDataAccessed, service=SERVICE, principal=principal,
                                      request_id=request_id, action=action, object_type="feedback",
                                      object_ids=ids, fields=["body"])


def _view(principal: Principal, row: Any) -> FeedbackPublic:
    data = dict(row)
    if not scope.sees_personal_data(principal):
        data["body"] = None
    return FeedbackPublic.model_validate(data)


async def give(session: AsyncSession, principal: Principal, request_id: str | None, educator_id: uuid.UUID,
               values: dict[str, Any]) -> FeedbackPublic:
    await educators.locked(session, principal, educator_id)
    if values.get("author_id") is not None:
        if values["author_id"] == educator_id:
            raise Problem(409, "Feedback from oneself", "author_id: the educator cannot give themselves feedback",
                          slug="self-feedback", errors=[{"field": "author_id", "message": "is the educator"}])
        await educators.locked(session, principal, values["author_id"], field="author_id")
    new = {"id": uuid.uuid4(), "tenant_id": principal.tenant_id, "educator_id": educator_id,
           "domain": str(values["domain"]), "source_role": str(values["source_role"]),
           "author_id": values.get("author_id"), "body": values["body"],
           "given_on": values.get("given_on") or utcnow().date(), "created_at": utcnow()}
    await session.execute(insert(FEEDBACK).values(**new))
    await _audit(session, principal, request_id, "create", [new["id"]])
    return _view(principal, new)


async def list_for(session: AsyncSession, principal: Principal, request_id: str | None,
                   educator_id: uuid.UUID) -> list[FeedbackPublic]:
    await educators.locked(session, principal, educator_id)
    rows = (await session.execute(select(FEEDBACK).where(
        FEEDBACK.c.tenant_id == principal.tenant_id, FEEDBACK.c.educator_id == educator_id)
        .order_by(FEEDBACK.c.given_on, FEEDBACK.c.created_at))).mappings().all()
    await _audit(session, principal, request_id, "read", [r["id"] for r in rows])
    return [_view(principal, r) for r in rows]
