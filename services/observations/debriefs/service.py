"""Debriefs: analyze (the team's pattern statements), predict, and the next level of work.

The debrief is written while the visit is in progress or observed, never for a planned visit and never
after it is debriefed; the `visit debriefed` event carries its final state.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from typing import Any

from sqlalchemy import func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from libs.common.auth import Principal
from libs.common.problems import Problem
from libs.common.repository import invalid_reference, require_known
from libs.contracts.observations import NextLevelOfWorkItem, PatternFact, PatternStatementFact, VisitDebriefed
from libs.directory import known_educators
from services.observations.debriefs.patterns import Hint, patterns
from services.observations.debriefs.schemas import (
    DebriefIn,
    DebriefPublic,
    PatternIn,
    PatternPublic,
    PatternStatementPublic,
)
from services.observations.models import DIRECTORY, notes, protocol_versions, records, visits
from services.observations.models import patterns as pattern_table
from services.observations.protocols.service import look_fors_of
from services.observations.visits.access import visit_row
from services.observations.visits.lifecycle import RecordStatus, VisitStatus, debrief_writable

# evidence that may inform patterns: not rejected by the team, not evaluative
USABLE = (or_(notes.c.screening.is_(None), notes.c.screening != "rejected"),
          or_(notes.c.descriptive.is_(True), notes.c.verdict == "unchecked"))


def _writable(visit: Any) -> None:
    if not debrief_writable(VisitStatus(visit["status"])):
        raise Problem(409, "Conflict", f"the visit is {visit['status']}: the debrief is written while it is "
                      "in_progress or observed", slug="debrief-not-writable",
                      errors=[{"field": "status", "message": "must be in_progress or observed"}])


async def save_debrief(session: AsyncSession, principal: Principal, visit_id: uuid.UUID, body: DebriefIn) -> None:
    visit = await visit_row(session, principal, visit_id, for_update=True)
    _writable(visit)
    team = set(visit["observer_ids"])
    owners = [r.owner_id for r in body.next_level_of_work]
    ids = {f"next_level_of_work[{n}].owner_id": o for n, o in enumerate(owners) if o not in team}
    await require_known(session, principal.tenant_id, replace(known_educators(DIRECTORY, "owner_id", None), ids=ids))
    if body.prediction_pattern_ids:
        found = set((await session.execute(select(pattern_table.c.id).where(
            pattern_table.c.visit_id == visit_id, pattern_table.c.id.in_(body.prediction_pattern_ids)))).scalars())
        missing = [(f"prediction_pattern_ids[{n}]", "pattern of this visit")
                   for n, p in enumerate(body.prediction_pattern_ids) if p not in found]
        if missing:
            raise invalid_reference(missing)
    work = [{**r.model_dump(mode="json"), "item_id": str(r.item_id or uuid.uuid4())} for r in body.next_level_of_work]
    await session.execute(update(visits).where(visits.c.id == visit_id).values(
        prediction=body.prediction, next_level_of_work=work,
        prediction_pattern_ids=list(dict.fromkeys(body.prediction_pattern_ids)),
        version=visits.c.version + 1, updated_at=func.now()))


async def add_pattern(session: AsyncSession, principal: Principal, visit_id: uuid.UUID,
                      body: PatternIn) -> uuid.UUID:
    """A team-written pattern statement, resting on accepted evidence of this visit."""
    visit = await visit_row(session, principal, visit_id, for_update=True)
    _writable(visit)
    codes = {lf["code"] for lf in await look_fors_of(session, principal, visit["protocol_version_id"])}
    errors = [{"field": f"look_for_codes[{n}]", "message": f"{c!r} is not a look-for of this protocol"}
              for n, c in enumerate(body.look_for_codes) if c not in codes]
    accepted = set((await session.execute(select(notes.c.id).join(records, records.c.id == notes.c.record_id).where(
        records.c.visit_id == visit_id, notes.c.id.in_(body.note_ids), notes.c.screening == "accepted",
        *USABLE))).scalars())
    errors += [{"field": f"note_ids[{n}]", "message": "not an accepted, descriptive note of this visit"}
               for n, i in enumerate(body.note_ids) if i not in accepted]
    if errors:
        raise Problem(422, "Invalid pattern", f"{len(errors)} problem(s)", slug="validation-error", errors=errors)
    pattern_id = uuid.uuid4()
    await session.execute(insert(pattern_table).values(
        id=pattern_id, tenant_id=principal.tenant_id, visit_id=visit_id, statement=body.statement,
        about=body.about.value, quantifier=body.quantifier.value, note_ids=list(dict.fromkeys(body.note_ids)),
        look_for_codes=list(dict.fromkeys(body.look_for_codes))))
    return pattern_id


async def statements(session: AsyncSession, principal: Principal, visit: Any) -> list[PatternStatementPublic]:
    rows = (await session.execute(select(pattern_table).where(
        pattern_table.c.visit_id == visit["id"], pattern_table.c.tenant_id == principal.tenant_id)
        .order_by(pattern_table.c.created_at))).mappings().all()
    return [PatternStatementPublic.model_validate({**r, "problem_of_practice_id": visit["problem_of_practice_id"]})
            for r in rows]


async def list_patterns(session: AsyncSession, principal: Principal, visit_id: uuid.UUID
                        ) -> list[PatternStatementPublic]:
    return await statements(session, principal, await visit_row(session, principal, visit_id))


async def pattern_of(session: AsyncSession, principal: Principal, visit_id: uuid.UUID,
                     pattern_id: uuid.UUID) -> PatternStatementPublic:
    found = [p for p in await list_patterns(session, principal, visit_id) if p.id == pattern_id]
    return found[0]


async def hints(session: AsyncSession, visit: Any) -> list[Hint]:
    """Machine counts over the visit's submitted, usable evidence: hints beside the team's statements."""
    rows = await session.execute(select(records.c.classroom_id, notes.c.look_for_codes).join(
        notes, notes.c.record_id == records.c.id).where(
        records.c.visit_id == visit["id"], records.c.status == RecordStatus.submitted.value, *USABLE))
    by_classroom: dict[str, list[list[str]]] = {}
    for classroom_id, codes in rows:
        by_classroom.setdefault(str(classroom_id), []).append(codes)
    look_fors = await session.scalar(select(protocol_versions.c.look_fors).where(
        protocol_versions.c.id == visit["protocol_version_id"]))
    return patterns(by_classroom, [lf["code"] for lf in look_fors or []])


async def debrief(session: AsyncSession, principal: Principal, visit_id: uuid.UUID) -> DebriefPublic:
    visit = await visit_row(session, principal, visit_id)
    look_fors = {lf["code"]: lf["description"] for lf in await look_fors_of(session, principal,
                                                                             visit["protocol_version_id"])}
    found = await hints(session, visit)
    observed = await session.scalar(select(func.count(func.distinct(records.c.classroom_id))).where(
        records.c.visit_id == visit_id, records.c.status == RecordStatus.submitted.value))
    return DebriefPublic.model_validate({
        "visit_id": visit_id, "status": visit["status"], "observed_classrooms": observed or 0,
        "prediction": visit["prediction"], "next_level_of_work": visit["next_level_of_work"],
        "prediction_pattern_ids": visit["prediction_pattern_ids"] or [],
        "statements": await statements(session, principal, visit),
        "patterns": [PatternPublic(code=p.code, description=look_fors.get(p.code, ""), classrooms=p.classrooms,
                                   notes=p.notes) for p in found]})


async def debriefed_event(session: AsyncSession, visit: Any) -> VisitDebriefed:
    """The `visit debriefed` payload: the debrief's final state (hints, the team's statements by what they
    are about and their quantifier, whether a prediction was made, the next level of work). Never the
    statements' or the prediction's text."""
    found = await hints(session, visit)
    work = visit["next_level_of_work"] or []
    written = (await session.execute(select(pattern_table.c.id, pattern_table.c.about, pattern_table.c.quantifier)
                                     .where(pattern_table.c.visit_id == visit["id"],
                                            pattern_table.c.tenant_id == visit["tenant_id"])
                                     .order_by(pattern_table.c.created_at, pattern_table.c.id))).all()
    return VisitDebriefed(
        visit_id=visit["id"], school_id=visit["school_id"], network_id=visit["network_id"],
        patterns=[PatternFact(code=p.code, classrooms=p.classrooms, notes=p.notes) for p in found],
        recommendations=len(work), problem_of_practice_id=visit["problem_of_practice_id"],
        next_level_of_work=[NextLevelOfWorkItem(
            item_id=w.get("item_id") or uuid.uuid4(), horizon=w.get("horizon", "next_month"),
            level=w.get("level", "school"), description=w["recommendation"], owner_id=w.get("owner_id"),
            due_on=w.get("due_date"), follow_up=w.get("follow_up") or None) for w in work],
        statements=[PatternStatementFact(pattern_id=i, about=about, quantifier=quantifier)
                    for i, about, quantifier in written],
        prediction_made=bool((visit["prediction"] or "").strip()))
