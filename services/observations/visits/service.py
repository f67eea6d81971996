"""Visits: schedule a round with its set-up, read it (teacher identity only for the host's own staff,
audited), move it through its lifecycle, list them (the change queries' list: no teacher identity), list
the visits that examined a problem of practice."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from libs.common.audit import record_personal_data_access
from libs.common.auth import Principal
from libs.common.changes import ChangeWindow, window_clauses
from libs.common.outbox import record_events
from libs.common.pagination import PageRequest, page_of
from libs.common.problems import Problem, not_found
from libs.common.repository import check_version, invalid_reference, require_known
from libs.contracts.base import EventPayload
from libs.contracts.observations import TeacherIdentityAccessed, VisitScheduled
from libs.directory import known_educators, known_schools
from services.observations.debriefs.service import debriefed_event
from services.observations.models import DIRECTORY, classrooms, problems_of_practice, visits
from services.observations.protocols.service import look_fors_of
from services.observations.quality.service import after_debrief
from services.observations.settings import SERVICE
from services.observations.visits.access import may_identify, school_clause, visit_row
from services.observations.visits.lifecycle import (
    IllegalTransition,
    VisitStatus,
    missing_for_debriefed,
    next_visit_status,
)
from services.observations.visits.schemas import VisitCreate, VisitPublic, VisitSummary


def conflict(exc: IllegalTransition) -> Problem:
    return Problem(409, "Conflict", str(exc), slug="illegal-transition", errors=[{"field": "to", "message": str(exc)}])


def setup_errors(body: VisitCreate) -> list[dict[str, str]]:
    """The set-up must name the visit's own observers and rooms (a rule on the body alone)."""
    team, rooms = set(body.observer_ids), {c.room for c in body.classrooms}
    errors = [{"field": f"sub_teams[{t}].observer_ids[{n}]", "message": "not on this visit's observer team"}
              for t, sub in enumerate(body.sub_teams) for n, o in enumerate(sub.observer_ids) if o not in team]
    errors += [{"field": f"sub_teams[{t}].rotation[{n}].room", "message": "not a room of this visit's classrooms"}
               for t, sub in enumerate(body.sub_teams) for n, stop in enumerate(sub.rotation) if stop.room not in rooms]
    errors += [{"field": f"observer_roles.{o}", "message": "not on this visit's observer team"}
               for o in body.observer_roles if o not in team]
    return errors


async def check_problem_of_practice(session: AsyncSession, principal: Principal, body: VisitCreate) -> None:
    """networks' problem of practice, from the local replica: known in the tenant, of the host school."""
    if body.problem_of_practice_id is None:
        return
    school = await session.scalar(select(problems_of_practice.c.school_id).where(
        problems_of_practice.c.tenant_id == principal.tenant_id,
        problems_of_practice.c.problem_of_practice_id == body.problem_of_practice_id))
    if school != body.school_id:
        raise invalid_reference([("problem_of_practice_id", "problem of practice of this school")], replica=True)


async def schedule_visit(session: AsyncSession, principal: Principal, body: VisitCreate) -> uuid.UUID:
    tenant = principal.tenant_id
    if not principal.may_see_school(body.school_id):
        raise invalid_reference([("school_id", "school")])
    await require_known(session, tenant, known_schools(DIRECTORY, "school_id", body.school_id))
    await look_fors_of(session, principal, body.protocol_version_id)
    teachers = {f"classrooms[{n}].teacher_id": c.teacher_id for n, c in enumerate(body.classrooms) if c.teacher_id}
    await require_known(session, tenant, known_educators(DIRECTORY, "observer_ids", body.observer_ids),
                        replace(known_educators(DIRECTORY, "teacher_id", None), ids=teachers))
    if errors := setup_errors(body):
        raise Problem(422, "Invalid set-up", f"{len(errors)} problem(s) in the set-up", slug="validation-error",
                      errors=errors)
    await check_problem_of_practice(session, principal, body)
    visit_id = uuid.uuid4()
    observers = list(dict.fromkeys(body.observer_ids))
    await session.execute(insert(visits).values(
        id=visit_id, tenant_id=tenant, school_id=body.school_id, visit_date=body.visit_date,
        protocol_version_id=body.protocol_version_id, problem_of_practice=body.problem_of_practice,
        problem_of_practice_id=body.problem_of_practice_id, theory_of_action=body.theory_of_action,
        focusing_questions=body.focusing_questions, network_id=body.network_id, observer_ids=observers,
        observer_roles={str(k): v for k, v in body.observer_roles.items()},
        sub_teams=[s.model_dump(mode="json") for s in body.sub_teams],
        status=VisitStatus.planned.value, version=1))
    await session.execute(insert(classrooms), [{"id": uuid.uuid4(), "tenant_id": tenant, "visit_id": visit_id,
                                                **c.model_dump()} for c in body.classrooms])
    await record_events(session, [VisitScheduled(
        visit_id=visit_id, school_id=body.school_id, visit_date=body.visit_date,
        protocol_version_id=body.protocol_version_id, network_id=body.network_id, observer_ids=observers,
        classrooms=len(body.classrooms), problem_of_practice_id=body.problem_of_practice_id)],
        service=SERVICE, tenant_id=tenant)
    return visit_id


def _public(visit: Any, rooms: Sequence[Any]) -> VisitPublic:
    return VisitPublic.model_validate({
        **visit, "classrooms": rooms, "focusing_questions": visit["focusing_questions"] or [],
        "observer_roles": visit["observer_roles"] or {}, "sub_teams": visit["sub_teams"] or []})


async def get_visit(session: AsyncSession, principal: Principal, visit_id: uuid.UUID,
                    request_id: str | None) -> VisitPublic:
    visit = await visit_row(session, principal, visit_id)
    rooms = (await session.execute(select(classrooms).where(classrooms.c.visit_id == visit_id)
                                   .order_by(classrooms.c.room))).mappings().all()
    identify = await may_identify(session, principal, visit["school_id"])
    shown = [dict(r) if identify else {**r, "teacher_id": None} for r in rooms]
    identified = [r["id"] for r in rooms if identify and r["teacher_id"]]
    if identified:
        await record_personal_data_access(session, TeacherIdentityAccessed, service=SERVICE, principal=principal,
                                          request_id=request_id, action="read", object_type="classroom",
                                          object_ids=identified, fields=["teacher_id"])
    return _public(visit, shown)


async def list_visits(session: AsyncSession, principal: Principal, page: PageRequest,
                      changes: ChangeWindow) -> tuple[list[VisitPublic], str | None]:
    """The tenant's visits (of the token's schools), by id. Teachers stay unnamed here: identity is shown,
    and audited, one visit at a time (get_visit)."""
    stmt = select(visits).where(visits.c.tenant_id == principal.tenant_id,
                                *school_clause(principal, visits.c.school_id))
    stmt = stmt.where(*await window_clauses(session, principal.tenant_id, changes, visits.c.change_version))
    await page.count_total(session, stmt)
    if page.after:
        stmt = stmt.where(visits.c.id > uuid.UUID(str(page.after.get("id"))))
    rows = list((await session.execute(stmt.order_by(visits.c.id).limit(page.size + 1))).mappings().all())
    kept, token = page_of(rows, page.size, lambda r: {"id": str(r["id"])})
    rooms: dict[uuid.UUID, list[dict[str, Any]]] = defaultdict(list)
    for room in (await session.execute(select(classrooms).where(
            classrooms.c.visit_id.in_([v["id"] for v in kept])).order_by(classrooms.c.room))).mappings():
        rooms[room["visit_id"]].append({**room, "teacher_id": None})
    return [_public(v, rooms[v["id"]]) for v in kept], token


async def transition_visit(session: AsyncSession, principal: Principal, visit_id: uuid.UUID, expected: int | None,
                           target: VisitStatus) -> None:
    visit = await visit_row(session, principal, visit_id, for_update=True)
    check_version(visit["version"], expected)
    try:
        next_visit_status(VisitStatus(visit["status"]), target)
    except IllegalTransition as exc:
        raise conflict(exc) from exc
    if target is VisitStatus.debriefed and (missing := missing_for_debriefed(visit["prediction"])):
        raise Problem(409, "Conflict", missing, slug="prediction-required",
                      errors=[{"field": "prediction", "message": missing}])
    await session.execute(update(visits).where(visits.c.id == visit_id).values(
        status=target.value, version=visits.c.version + 1, updated_at=func.now()))
    if target is VisitStatus.debriefed:
        payloads: list[EventPayload] = [await debriefed_event(session, visit)]
        payloads += await after_debrief(session, principal.tenant_id, visit)
        await record_events(session, payloads, service=SERVICE, tenant_id=principal.tenant_id)


async def visits_examining(session: AsyncSession, principal: Principal,
                           problem_of_practice_id: uuid.UUID) -> list[VisitSummary]:
    """The visits that examined a problem of practice (newest first), in the schools the caller sees."""
    known = await session.scalar(select(problems_of_practice.c.school_id).where(
        problems_of_practice.c.tenant_id == principal.tenant_id,
        problems_of_practice.c.problem_of_practice_id == problem_of_practice_id))
    if known is None or not principal.may_see_school(known):
        raise not_found("problem of practice")
    rows = (await session.execute(select(visits).where(
        visits.c.tenant_id == principal.tenant_id, visits.c.problem_of_practice_id == problem_of_practice_id)
        .order_by(visits.c.visit_date.desc(), visits.c.created_at.desc()).limit(500))).mappings().all()
    return [VisitSummary.model_validate(r) for r in rows if principal.may_see_school(r["school_id"])]


