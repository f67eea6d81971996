"""observations' use cases: protocols, visits, records of evidence, debriefs, calibration and the
practice-quality projection. Each runs in the caller's transaction; events go through the outbox.

The rules themselves (evidence check, lifecycles, patterns, index arithmetic, kappas) are plain
functions in evidence.py, lifecycle.py, quality.py and calibration.py.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import and_, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from libs.common.audit import record_personal_data_access
from libs.common.auth import Principal
from libs.common.concurrency import stale
from libs.common.outbox import record_events
from libs.common.problems import Problem, not_found
from libs.contracts.base import EventPayload
from libs.contracts.observations import (
    PatternFact,
    QualityIndexUpdated,
    RecordSubmitted,
    TeacherIdentityAccessed,
    VisitDebriefed,
    VisitScheduled,
)
from services.observations import calibration, evidence, quality
from services.observations.lifecycle import (
    IllegalTransition,
    RecordStatus,
    VisitStatus,
    next_record_status,
    next_visit_status,
    record_editable,
)
from services.observations.models import (
    DIRECTORY,
    calibration_sessions,
    classroom_look_fors,
    classrooms,
    lexicon_terms,
    notes,
    protocol_versions,
    protocols,
    quality_counts,
    records,
    visits,
)
from services.observations.schemas import NoteIn
from services.observations.settings import SERVICE

OBSERVED = ""  # the quality_counts row that holds how many classrooms were observed


def invalid(field: str, message: str, status: int = 422) -> Problem:
    return Problem(status, "Invalid request", f"{field}: {message}", slug="validation-error",
                   errors=[{"field": field, "message": message}])


def conflict(exc: IllegalTransition) -> Problem:
    return Problem(409, "Conflict", str(exc), slug="illegal-transition",
                   errors=[{"field": "to", "message": str(exc)}])


async def _emit(session: AsyncSession, principal: Principal, payloads: Sequence[EventPayload]) -> None:
    await record_events(session, payloads, service=SERVICE, tenant_id=principal.tenant_id)


# --- protocols -------------------------------------------------------------------------------

def check_look_fors(look_fors: Sequence[dict[str, Any]]) -> None:
    seen: dict[str, int] = {}
    for n, lf in enumerate(look_fors):
        if lf["code"] in seen:
            raise invalid(f"look_fors[{n}].code", f"{lf['code']!r} appears twice (also look_fors[{seen[lf['code']]}])")
        seen[lf["code"]] = n


async def create_protocol(session: AsyncSession, principal: Principal, name: str, purpose: str,
                          look_fors: list[dict[str, Any]]) -> uuid.UUID:
    check_look_fors(look_fors)
    protocol_id = uuid.uuid4()
    await session.execute(insert(protocols).values(id=protocol_id, tenant_id=principal.tenant_id, name=name,
                                                   purpose=purpose))
    await publish_version(session, principal, protocol_id, look_fors)
    return protocol_id


async def publish_version(session: AsyncSession, principal: Principal, protocol_id: uuid.UUID,
                          look_fors: list[dict[str, Any]]) -> uuid.UUID:
    check_look_fors(look_fors)
    found = await session.scalar(select(protocols.c.id).where(
        protocols.c.id == protocol_id, protocols.c.tenant_id == principal.tenant_id).with_for_update())
    if found is None:
        raise not_found("protocol")
    number = await session.scalar(select(func.coalesce(func.max(protocol_versions.c.number), 0) + 1).where(
        protocol_versions.c.protocol_id == protocol_id))
    version_id = uuid.uuid4()
    await session.execute(insert(protocol_versions).values(id=version_id, tenant_id=principal.tenant_id,
                                                           protocol_id=protocol_id, number=number,
                                                           look_fors=look_fors))
    return version_id


async def get_protocol(session: AsyncSession, principal: Principal, protocol_id: uuid.UUID) -> dict[str, Any]:
    row = (await session.execute(select(protocols).where(
        protocols.c.id == protocol_id, protocols.c.tenant_id == principal.tenant_id))).mappings().first()
    if row is None:
        raise not_found("protocol")
    versions = (await session.execute(select(protocol_versions).where(protocol_versions.c.protocol_id == protocol_id)
                                      .order_by(protocol_versions.c.number))).mappings().all()
    return {**row, "versions": [dict(v) for v in versions]}


async def list_protocols(session: AsyncSession, principal: Principal) -> list[dict[str, Any]]:
    ids = (await session.execute(select(protocols.c.id).where(protocols.c.tenant_id == principal.tenant_id)
                                 .order_by(protocols.c.created_at))).scalars().all()
    return [await get_protocol(session, principal, i) for i in ids]


async def look_fors_of(session: AsyncSession, principal: Principal, version_id: uuid.UUID,
                       field: str = "protocol_version_id") -> list[dict[str, Any]]:
    found = await session.scalar(select(protocol_versions.c.look_fors).where(
        protocol_versions.c.id == version_id, protocol_versions.c.tenant_id == principal.tenant_id))
    if found is None:
        raise invalid(field, "no such protocol version in your organisation")
    return list(found)


# --- visits ----------------------------------------------------------------------------------

async def _known(session: AsyncSession, table: Any, key: str, tenant: str, ids: Sequence[uuid.UUID]) -> set[uuid.UUID]:
    if not ids:
        return set()
    rows = await session.execute(select(table.c[key]).where(
        table.c.tenant_id == tenant, table.c[key].in_(list(ids)), table.c.removed.is_(False)))
    return set(rows.scalars())


async def schedule_visit(session: AsyncSession, principal: Principal, body: dict[str, Any]) -> uuid.UUID:
    tenant = principal.tenant_id
    if not principal.may_see_school(body["school_id"]) or not await _known(
            session, DIRECTORY.schools, "school_id", tenant, [body["school_id"]]):
        raise invalid("school_id", "no such school in your organisation")
    await look_fors_of(session, principal, body["protocol_version_id"])
    educators = await _known(session, DIRECTORY.educators, "educator_id", tenant,
                             body["observer_ids"] + [c["teacher_id"] for c in body["classrooms"] if c["teacher_id"]])
    errors = [{"field": f"observer_ids[{n}]", "message": "no such educator in your organisation"}
              for n, o in enumerate(body["observer_ids"]) if o not in educators]
    errors += [{"field": f"classrooms[{n}].teacher_id", "message": "no such educator in your organisation"}
               for n, c in enumerate(body["classrooms"]) if c["teacher_id"] and c["teacher_id"] not in educators]
    if errors:
        raise Problem(422, "Invalid references", f"{len(errors)} reference(s) are not educators of yours",
                      slug="invalid-reference", errors=errors)
    visit_id = uuid.uuid4()
    observers = list(dict.fromkeys(body["observer_ids"]))
    await session.execute(insert(visits).values(
        id=visit_id, tenant_id=tenant, school_id=body["school_id"], visit_date=body["visit_date"],
        protocol_version_id=body["protocol_version_id"], problem_of_practice=body["problem_of_practice"],
        network_id=body.get("network_id"), observer_ids=observers, status=VisitStatus.planned.value, version=1))
    await session.execute(insert(classrooms), [{"id": uuid.uuid4(), "tenant_id": tenant, "visit_id": visit_id, **c}
                                               for c in body["classrooms"]])
    await _emit(session, principal, [VisitScheduled(
        visit_id=visit_id, school_id=body["school_id"], visit_date=body["visit_date"],
        protocol_version_id=body["protocol_version_id"], network_id=body.get("network_id"),
        observer_ids=observers, classrooms=len(body["classrooms"]))])
    return visit_id


async def visit_row(session: AsyncSession, principal: Principal, visit_id: uuid.UUID,
                    *, for_update: bool = False) -> Any:
    stmt = select(visits).where(visits.c.id == visit_id, visits.c.tenant_id == principal.tenant_id)
    row = (await session.execute(stmt.with_for_update() if for_update else stmt)).first()
    if row is None or not principal.may_see_school(row.school_id):
        raise not_found("visit")
    return row


def may_identify(principal: Principal, school_id: uuid.UUID) -> bool:
    """Teacher identity: only the host school's own staff (a token limited to it) with the scope."""
    return principal.has("observations:identify") and principal.schools is not None and \
        str(school_id) in principal.schools


async def get_visit(session: AsyncSession, principal: Principal, visit_id: uuid.UUID,
                    request_id: str | None) -> dict[str, Any]:
    visit = await visit_row(session, principal, visit_id)
    rooms = (await session.execute(select(classrooms).where(classrooms.c.visit_id == visit_id)
                                   .order_by(classrooms.c.room))).mappings().all()
    identify = may_identify(principal, visit.school_id)
    shown = [dict(r) if identify else {**r, "teacher_id": None} for r in rooms]
    identified = [r["id"] for r in rooms if identify and r["teacher_id"]]
    if identified:
        await record_personal_data_access(session, TeacherIdentityAccessed, service=SERVICE, principal=principal,
                                          request_id=request_id, action="read", object_type="classroom",
                                          object_ids=identified, fields=["teacher_id"])
    return {**visit._mapping, "classrooms": shown}


async def transition_visit(session: AsyncSession, principal: Principal, visit_id: uuid.UUID, expected: int,
                           target: VisitStatus) -> None:
    visit = await visit_row(session, principal, visit_id, for_update=True)
    if visit.version != expected:
        raise stale(visit.version)
    try:
        next_visit_status(VisitStatus(visit.status), target)
    except IllegalTransition as exc:
        raise conflict(exc) from exc
    await session.execute(update(visits).where(visits.c.id == visit_id).values(
        status=target.value, version=visits.c.version + 1, updated_at=func.now()))
    if target is VisitStatus.debriefed:
        found = await visit_patterns(session, visit)
        await _emit(session, principal, [VisitDebriefed(
            visit_id=visit_id, school_id=visit.school_id, network_id=visit.network_id,
            patterns=[PatternFact(code=p.code, classrooms=p.classrooms, notes=p.notes) for p in found],
            recommendations=len(visit.next_level_of_work or []))])


async def save_debrief(session: AsyncSession, principal: Principal, visit_id: uuid.UUID, body: dict[str, Any]) -> None:
    visit = await visit_row(session, principal, visit_id, for_update=True)
    if visit.status == VisitStatus.closed.value:
        raise Problem(409, "Conflict", "the visit is closed", slug="visit-closed")
    team = set(visit.observer_ids)
    owners = await _known(session, DIRECTORY.educators, "educator_id", principal.tenant_id,
                          [r["owner_id"] for r in body["next_level_of_work"]])
    errors = [{"field": f"next_level_of_work[{n}].owner_id", "message": "no such educator in your organisation"}
              for n, r in enumerate(body["next_level_of_work"]) if r["owner_id"] not in owners | team]
    if errors:
        raise Problem(422, "Invalid references", "recommendation owners must be educators", slug="invalid-reference",
                      errors=errors)
    work = [{**r, "owner_id": str(r["owner_id"]), "due_date": r["due_date"].isoformat()}
            for r in body["next_level_of_work"]]
    await session.execute(update(visits).where(visits.c.id == visit_id).values(
        prediction=body["prediction"], next_level_of_work=work, version=visits.c.version + 1, updated_at=func.now()))


async def visit_patterns(session: AsyncSession, visit: Any) -> list[quality.Pattern]:
    """Patterns over the visit's submitted records: per look-for, classrooms showing it and notes."""
    rows = await session.execute(select(records.c.classroom_id, notes.c.look_for_codes).join(
        notes, notes.c.record_id == records.c.id).where(
        records.c.visit_id == visit.id, records.c.status == RecordStatus.submitted.value))
    by_classroom: dict[str, list[list[str]]] = {}
    for classroom_id, codes in rows:
        by_classroom.setdefault(str(classroom_id), []).append(codes)
    look_fors = await session.scalar(select(protocol_versions.c.look_fors).where(
        protocol_versions.c.id == visit.protocol_version_id))
    return quality.patterns(by_classroom, [lf["code"] for lf in look_fors or []])


async def debrief(session: AsyncSession, principal: Principal, visit_id: uuid.UUID) -> dict[str, Any]:
    visit = await visit_row(session, principal, visit_id)
    look_fors = {lf["code"]: lf["description"] for lf in await look_fors_of(session, principal,
                                                                             visit.protocol_version_id)}
    found = await visit_patterns(session, visit)
    observed = await session.scalar(select(func.count(func.distinct(records.c.classroom_id))).where(
        records.c.visit_id == visit_id, records.c.status == RecordStatus.submitted.value))
    return {"visit_id": visit_id, "status": visit.status, "observed_classrooms": observed or 0,
            "prediction": visit.prediction, "next_level_of_work": visit.next_level_of_work,
            "patterns": [{"code": p.code, "description": look_fors.get(p.code, ""), "classrooms": p.classrooms,
                          "notes": p.notes} for p in found]}


# --- records and notes -----------------------------------------------------------------------

async def lexicon_extra(session: AsyncSession, tenant: str) -> dict[str, dict[str, list[str]]]:
    rows = await session.execute(select(lexicon_terms).where(lexicon_terms.c.tenant_id == tenant))
    extra: dict[str, dict[str, list[str]]] = {}
    for r in rows:
        extra.setdefault(r.language, {})[r.kind] = list(r.terms)
    return extra


def note_rows(tenant: str, record_id: uuid.UUID, items: Sequence[NoteIn], codes: set[str],
              extra: dict[str, dict[str, list[str]]], prefix: str = "notes") -> list[dict[str, Any]]:
    """Checked notes ready to insert: codes must be the pinned protocol's; each gets its verdict."""
    errors = [{"field": f"{prefix}[{n}].look_for_codes", "message": f"{code!r} is not a look-for of this protocol"}
              for n, note in enumerate(items) for code in note.look_for_codes if code not in codes]
    if errors:
        raise Problem(422, "Unknown look-for", f"{len(errors)} unknown look-for code(s)", slug="unknown-look-for",
                      errors=errors)
    rows = []
    for note in items:
        verdict = evidence.check(note.text, note.language, extra.get(note.language))
        rows.append({"id": uuid.uuid4(), "tenant_id": tenant, "record_id": record_id, "observed_at": note.observed_at,
                     "text": note.text, "look_for_codes": list(dict.fromkeys(note.look_for_codes)),
                     "language": note.language, "descriptive": verdict.descriptive, "client_id": note.client_id,
                     "flags": [{"term": f.term, "kind": f.kind.value, "suggestion": f.suggestion}
                               for f in verdict.flags]})
    return rows


async def start_record(session: AsyncSession, principal: Principal, visit_id: uuid.UUID, classroom_id: uuid.UUID,
                       observer_id: uuid.UUID, items: Sequence[NoteIn], client_id: str | None = None,
                       prefix: str = "") -> uuid.UUID:
    visit = await visit_row(session, principal, visit_id)
    if not record_editable(RecordStatus.draft, VisitStatus(visit.status)):
        raise Problem(409, "Conflict", f"the visit is {visit.status}: its records are frozen", slug="visit-frozen")
    room = await session.scalar(select(classrooms.c.id).where(classrooms.c.id == classroom_id,
                                                              classrooms.c.visit_id == visit_id))
    if room is None:
        raise invalid(f"{prefix}classroom_id", "not a classroom of this visit")
    if observer_id not in visit.observer_ids:
        raise invalid(f"{prefix}observer_id", "not on this visit's observer team")
    codes = {lf["code"] for lf in await look_fors_of(session, principal, visit.protocol_version_id)}
    record_id = uuid.uuid4()
    rows = note_rows(principal.tenant_id, record_id, items, codes, await lexicon_extra(session, principal.tenant_id),
                     prefix=f"{prefix}notes")
    await session.execute(insert(records).values(id=record_id, tenant_id=principal.tenant_id, visit_id=visit_id,
                                                 classroom_id=classroom_id, observer_id=observer_id,
                                                 status=RecordStatus.draft.value, version=1, client_id=client_id))
    if rows:
        await session.execute(insert(notes), rows)
    return record_id


async def record_row(session: AsyncSession, principal: Principal, record_id: uuid.UUID,
                     *, for_update: bool = False) -> tuple[Any, Any]:
    stmt = select(records).where(records.c.id == record_id, records.c.tenant_id == principal.tenant_id)
    row = (await session.execute(stmt.with_for_update() if for_update else stmt)).first()
    if row is None:
        raise not_found("record")
    visit = await visit_row(session, principal, row.visit_id)
    return row, visit


async def get_record(session: AsyncSession, principal: Principal, record_id: uuid.UUID) -> dict[str, Any]:
    row, _ = await record_row(session, principal, record_id)
    found = (await session.execute(select(notes).where(notes.c.record_id == record_id)
                                   .order_by(notes.c.observed_at, notes.c.created_at))).mappings().all()
    return {**row._mapping, "notes": [dict(n) for n in found]}


async def replace_notes(session: AsyncSession, principal: Principal, record_id: uuid.UUID, expected: int,
                        items: Sequence[NoteIn]) -> None:
    """Autosave: the record's notes become `items`, only if nobody saved a newer version meanwhile."""
    row, visit = await record_row(session, principal, record_id, for_update=True)
    if row.version != expected:
        raise stale(row.version)
    if not record_editable(RecordStatus(row.status), VisitStatus(visit.status)):
        raise Problem(409, "Conflict", f"the record is {row.status} and the visit {visit.status}: "
                      "notes cannot change now", slug="record-frozen")
    codes = {lf["code"] for lf in await look_fors_of(session, principal, visit.protocol_version_id)}
    rows = note_rows(principal.tenant_id, record_id, items, codes, await lexicon_extra(session, principal.tenant_id))
    await session.execute(notes.delete().where(notes.c.record_id == record_id))
    if rows:
        await session.execute(insert(notes), rows)
    await session.execute(update(records).where(records.c.id == record_id).values(
        version=records.c.version + 1, updated_at=func.now()))


async def transition_record(session: AsyncSession, principal: Principal, record_id: uuid.UUID, expected: int | None,
                            target: RecordStatus) -> None:
    row, visit = await record_row(session, principal, record_id, for_update=True)
    if expected is not None and row.version != expected:
        raise stale(row.version)
    try:
        next_record_status(RecordStatus(row.status), target, VisitStatus(visit.status))
    except IllegalTransition as exc:
        raise conflict(exc) from exc
    await session.execute(update(records).where(records.c.id == record_id).values(
        status=target.value, version=records.c.version + 1, updated_at=func.now()))
    payloads: list[EventPayload] = []
    if target is RecordStatus.submitted:
        stats = (await session.execute(select(func.count(), func.count().filter(notes.c.descriptive)).where(
            notes.c.record_id == record_id))).one()
        seen = sorted(set((await session.execute(select(func.unnest(notes.c.look_for_codes)).where(
            notes.c.record_id == record_id))).scalars()))
        payloads.append(RecordSubmitted(record_id=record_id, visit_id=visit.id, school_id=visit.school_id,
                                        classroom_id=row.classroom_id, observer_id=row.observer_id,
                                        look_for_codes=seen, notes=stats[0], descriptive_notes=stats[1]))
    payloads += await refresh_quality(session, principal, visit, row.classroom_id)
    await _emit(session, principal, payloads)


# --- the practice-quality projection ---------------------------------------------------------

async def refresh_quality(session: AsyncSession, principal: Principal, visit: Any,
                          classroom_id: uuid.UUID) -> list[EventPayload]:
    """Move the school's running counts by what this classroom now shows (its submitted records)."""
    tenant, period = principal.tenant_id, quality.school_term(visit.visit_date)
    before_row = (await session.execute(select(classroom_look_fors.c.codes).where(
        classroom_look_fors.c.classroom_id == classroom_id).with_for_update())).first()
    before = set(before_row.codes) if before_row else None
    submitted = await session.scalar(select(func.count()).where(
        records.c.classroom_id == classroom_id, records.c.status == RecordStatus.submitted.value))
    after = set((await session.execute(select(func.unnest(notes.c.look_for_codes)).select_from(
        notes.join(records, notes.c.record_id == records.c.id)).where(
        records.c.classroom_id == classroom_id, records.c.status == RecordStatus.submitted.value))).scalars())
    if submitted:
        observed, delta = quality.count_changes(before, after)
        await session.execute(pg_insert(classroom_look_fors).values(
            tenant_id=tenant, classroom_id=classroom_id, school_id=visit.school_id, period=period,
            codes=sorted(after)).on_conflict_do_update(index_elements=["classroom_id"], set_={"codes": sorted(after)}))
    elif before is not None:
        observed, delta = -1, {c: -1 for c in before}
        await session.execute(classroom_look_fors.delete().where(classroom_look_fors.c.classroom_id == classroom_id))
    else:
        return []
    changes = {OBSERVED: observed, **delta}
    changes = {k: v for k, v in changes.items() if v}
    if not changes:
        return []
    stmt = pg_insert(quality_counts)
    await session.execute(stmt.on_conflict_do_update(
        index_elements=["tenant_id", "school_id", "period", "look_for_code"],
        set_={"classrooms": quality_counts.c.classrooms + stmt.excluded.classrooms}),
        [{"tenant_id": tenant, "school_id": visit.school_id, "period": period, "look_for_code": k, "classrooms": v}
         for k, v in sorted(changes.items())])
    index = await read_quality(session, tenant, visit.school_id, period)
    return [QualityIndexUpdated(school_id=visit.school_id, period=period, observed_classrooms=index.observed_classrooms,
                                shares=index.shares, overall=index.overall)]


async def read_quality(session: AsyncSession, tenant: str, school_id: uuid.UUID, period: str) -> quality.QualityIndex:
    rows = dict((await session.execute(select(quality_counts.c.look_for_code, quality_counts.c.classrooms).where(
        and_(quality_counts.c.tenant_id == tenant, quality_counts.c.school_id == school_id,
             quality_counts.c.period == period)))).tuples().all())
    observed = rows.pop(OBSERVED, 0)
    return quality.quality_index(observed, rows, sorted(rows))


async def school_quality(session: AsyncSession, principal: Principal, school_id: uuid.UUID,
                         period: str | None) -> dict[str, Any]:
    if not principal.may_see_school(school_id) or not await _known(
            session, DIRECTORY.schools, "school_id", principal.tenant_id, [school_id]):
        raise not_found("school")
    period = period or quality.school_term(date.today())
    index = await read_quality(session, principal.tenant_id, school_id, period)
    return {"school_id": school_id, "period": period, "observed_classrooms": index.observed_classrooms,
            "shares": index.shares, "overall": index.overall}


async def evidence_quality(session: AsyncSession, principal: Principal, observer_id: uuid.UUID) -> dict[str, Any]:
    if not await _known(session, DIRECTORY.educators, "educator_id", principal.tenant_id, [observer_id]):
        raise not_found("observer")
    total, descriptive = (await session.execute(
        select(func.count(), func.count().filter(notes.c.descriptive)).select_from(
            notes.join(records, notes.c.record_id == records.c.id)).where(
            records.c.tenant_id == principal.tenant_id, records.c.observer_id == observer_id))).one()
    return {"observer_id": observer_id, "notes": total, "descriptive": descriptive,
            "share": descriptive / total if total else None}


async def set_lexicon(session: AsyncSession, principal: Principal, language: str, body: dict[str, list[str]]) -> None:
    for kind, terms in body.items():
        stmt = pg_insert(lexicon_terms).values(tenant_id=principal.tenant_id, language=language, kind=kind,
                                               terms=list(dict.fromkeys(terms)))
        await session.execute(stmt.on_conflict_do_update(index_elements=["tenant_id", "language", "kind"],
                                                         set_={"terms": stmt.excluded.terms}))


# --- calibration -----------------------------------------------------------------------------

async def create_calibration(session: AsyncSession, principal: Principal, version_id: uuid.UUID,
                             items: list[str]) -> uuid.UUID:
    await look_fors_of(session, principal, version_id)
    session_id = uuid.uuid4()
    await session.execute(insert(calibration_sessions).values(id=session_id, tenant_id=principal.tenant_id,
                                                              protocol_version_id=version_id,
                                                              items=list(dict.fromkeys(items)), codings={}))
    return session_id


async def calibration_row(session: AsyncSession, principal: Principal, session_id: uuid.UUID,
                          *, for_update: bool = False) -> Any:
    stmt = select(calibration_sessions).where(calibration_sessions.c.id == session_id,
                                              calibration_sessions.c.tenant_id == principal.tenant_id)
    row = (await session.execute(stmt.with_for_update() if for_update else stmt)).first()
    if row is None:
        raise not_found("calibration session")
    return row


async def add_coding(session: AsyncSession, principal: Principal, session_id: uuid.UUID, observer_id: uuid.UUID,
                     codes: dict[str, list[str]]) -> None:
    row = await calibration_row(session, principal, session_id, for_update=True)
    if not await _known(session, DIRECTORY.educators, "educator_id", principal.tenant_id, [observer_id]):
        raise invalid("observer_id", "no such educator in your organisation")
    known = {lf["code"] for lf in await look_fors_of(session, principal, row.protocol_version_id)}
    errors = [{"field": f"codes.{item}", "message": "not an item of this session"} for item in codes
              if item not in row.items]
    errors += [{"field": f"codes.{item}", "message": f"{c!r} is not a look-for of this protocol"}
               for item, cs in codes.items() for c in cs if c not in known]
    if errors:
        raise Problem(422, "Invalid coding", f"{len(errors)} problem(s)", slug="validation-error", errors=errors)
    codings = {**row.codings, str(observer_id): {item: sorted(set(codes.get(item, []))) for item in row.items}}
    await session.execute(update(calibration_sessions).where(calibration_sessions.c.id == session_id)
                          .values(codings=codings))


async def calibration_result(session: AsyncSession, principal: Principal, session_id: uuid.UUID) -> dict[str, Any]:
    row = await calibration_row(session, principal, session_id)
    codes = [lf["code"] for lf in await look_fors_of(session, principal, row.protocol_version_id)]
    codings = {o: {i: set(cs) for i, cs in items.items()} for o, items in row.codings.items()}
    if len(codings) < 2:
        agreement: list[Any] = []
        per_observer: dict[str, float] = {}
    else:
        agreement = [a.__dict__ for a in calibration.look_for_agreement(codings, codes)]
        per_observer = calibration.observer_agreement(codings, codes)
    return {"id": row.id, "protocol_version_id": row.protocol_version_id, "items": row.items,
            "observers": sorted(codings), "look_fors": agreement, "observer_agreement": per_observer}


# --- offline capture -------------------------------------------------------------------------

async def offline_batch(session: AsyncSession, principal: Principal, items: Sequence[Any]) -> list[dict[str, Any]]:
    """Records captured offline, with the device's ids: resending is harmless, one bad item refuses all."""
    client_ids = [i.client_id for i in items]
    existing = dict((await session.execute(select(records.c.client_id, records.c.id).where(
        records.c.tenant_id == principal.tenant_id, records.c.client_id.in_(client_ids)))).tuples().all())
    errors: list[dict[str, Any]] = []
    results: list[dict[str, Any]] = []
    seen: set[str] = set()
    for n, item in enumerate(items):
        prefix = f"records[{n}]."
        if item.client_id in seen:
            errors.append({"field": f"{prefix}client_id", "message": "appears twice in this batch"})
            continue
        seen.add(item.client_id)
        if item.client_id in existing:
            results.append({"client_id": item.client_id, "id": existing[item.client_id], "outcome": "unchanged"})
            continue
        try:
            record_id = await start_record(session, principal, item.visit_id, item.classroom_id, item.observer_id,
                                           item.notes, client_id=item.client_id, prefix=prefix)
            if item.submit:
                await transition_record(session, principal, record_id, None, RecordStatus.submitted)
        except Problem as problem:
            fallback = {"field": f"{prefix}visit_id", "message": problem.detail or problem.title}
            errors.extend(problem.errors or [fallback])
            continue
        results.append({"client_id": item.client_id, "id": record_id, "outcome": "created"})
    if errors:
        raise Problem(422, "Invalid batch", f"{len(errors)} problem(s) in the batch; nothing was written",
                      slug="invalid-batch", errors=errors)
    return results
