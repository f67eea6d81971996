"""Records of evidence: an observer's notes on one classroom (autosave, offline batches, submission),
the evidence check on every note, and describe: the team sees the visit's notes, each observer selects
theirs, the team screens the selected ones (accepted, or rejected with a reason)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import bindparam, delete, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from libs.common.auth import Principal
from libs.common.outbox import record_events
from libs.common.problems import Problem, field_error, not_found
from libs.common.repository import check_version, get_or_404
from libs.contracts.base import EventPayload
from libs.contracts.observations import RecordSubmitted
from services.observations.models import classrooms, lexicon_terms, notes, records, visits
from services.observations.protocols.service import look_fors_of
from services.observations.records import evidence
from services.observations.records.schemas import (
    LexiconIn,
    NoteIn,
    OfflineRecord,
    RecordPublic,
    RecordSummary,
    ScreeningIn,
    VisitNotePublic,
)
from services.observations.settings import SERVICE
from services.observations.visits.access import caller_educator, may_select, visit_row
from services.observations.visits.lifecycle import (
    IllegalTransition,
    RecordStatus,
    VisitStatus,
    debrief_writable,
    next_record_status,
    record_editable,
)
from services.observations.visits.service import conflict

Extra = dict[str, dict[str, list[str]]]


async def lexicon_extra(session: AsyncSession, tenant: str) -> Extra:
    rows = await session.execute(select(lexicon_terms).where(lexicon_terms.c.tenant_id == tenant))
    extra: Extra = {}
    for r in rows:
        extra.setdefault(r.language, {})[r.kind] = list(r.terms)
    return extra


def note_rows(tenant: str, record_id: uuid.UUID, items: Sequence[NoteIn], codes: set[str], extra: Extra,
              prefix: str = "notes") -> list[dict[str, Any]]:
    """Checked notes ready to insert: codes must be the pinned protocol's; each gets its verdict."""
    errors = [{"field": f"{prefix}[{n}].look_for_codes", "message": f"{code!r} is not a look-for of this protocol"}
              for n, note in enumerate(items) for code in note.look_for_codes if code not in codes]
    if errors:
        raise Problem(422, "Unknown look-for", f"{len(errors)} unknown look-for code(s)", slug="unknown-look-for",
                      errors=errors)
    rows = []
    for note in items:
        verdict = evidence.check(note.text, note.language, extra)
        rows.append({"id": uuid.uuid4(), "tenant_id": tenant, "record_id": record_id, "observed_at": note.observed_at,
                     "text": note.text, "look_for_codes": list(dict.fromkeys(note.look_for_codes)),
                     "language": verdict.language, "descriptive": verdict.descriptive,
                     "verdict": verdict.verdict, "quotes": list(verdict.quotes), "client_id": note.client_id,
                     "flags": [{"term": f.term, "kind": f.kind.value, "suggestion": f.suggestion}
                               for f in verdict.flags]})
    return rows


async def start_record(session: AsyncSession, principal: Principal, visit_id: uuid.UUID, classroom_id: uuid.UUID,
                       observer_id: uuid.UUID, items: Sequence[NoteIn], client_id: str | None = None,
                       prefix: str = "") -> uuid.UUID:
    visit = await visit_row(session, principal, visit_id)
    if not record_editable(RecordStatus.draft, VisitStatus(visit["status"])):
        raise Problem(409, "Conflict", f"the visit is {visit['status']}: its records are frozen", slug="visit-frozen")
    room = await session.scalar(select(classrooms.c.id).where(classrooms.c.id == classroom_id,
                                                              classrooms.c.visit_id == visit_id))
    if room is None:
        raise field_error(f"{prefix}classroom_id", "not a classroom of this visit")
    if observer_id not in visit["observer_ids"]:
        raise field_error(f"{prefix}observer_id", "not on this visit's observer team")
    codes = {lf["code"] for lf in await look_fors_of(session, principal, visit["protocol_version_id"])}
    record_id = uuid.uuid4()
    rows = note_rows(principal.tenant_id, record_id, items, codes, await lexicon_extra(session, principal.tenant_id),
                     prefix=f"{prefix}notes")
    await session.execute(insert(records).values(id=record_id, tenant_id=principal.tenant_id, visit_id=visit_id,
                                                 classroom_id=classroom_id, observer_id=observer_id,
                                                 status=RecordStatus.draft.value, version=1, client_id=client_id))
    if rows:
        await session.execute(insert(notes), rows)
    return record_id


# A record with its visit's columns (prefixed), in one round trip: every read and write of a record needs
# both (tenant, school reach, the visit's status and pinned protocol), and autosave is the hot path.
_RECORD_WITH_VISIT = (
    select(records, *(c.label(f"visit__{c.name}") for c in visits.c))
    .join(visits, visits.c.id == records.c.visit_id)
    .where(records.c.id == bindparam("record_id"), records.c.tenant_id == bindparam("tenant"),
           visits.c.tenant_id == bindparam("tenant")))
_RECORD_WITH_VISIT_FOR_UPDATE = _RECORD_WITH_VISIT.with_for_update(of=records)


async def record_row(session: AsyncSession, principal: Principal, record_id: uuid.UUID,
                     *, for_update: bool = False) -> tuple[dict[str, Any], dict[str, Any]]:
    """The record and its visit, or 404 when the record is not in the caller's tenant and schools."""
    stmt = _RECORD_WITH_VISIT_FOR_UPDATE if for_update else _RECORD_WITH_VISIT
    found = (await session.execute(stmt, {"record_id": record_id, "tenant": principal.tenant_id})).mappings().first()
    if found is None or not principal.may_see_school(found["visit__school_id"]):
        raise not_found("record")
    return ({c.name: found[c.name] for c in records.c}, {c.name: found[f"visit__{c.name}"] for c in visits.c})


def _note(row: Any) -> dict[str, Any]:
    return {**row, "verdict": row["verdict"] or ("descriptive" if row["descriptive"] else "evaluative"),
            "quotes": row["quotes"] or []}


async def get_record(session: AsyncSession, principal: Principal, record_id: uuid.UUID) -> RecordPublic:
    row, _ = await record_row(session, principal, record_id)
    found = (await session.execute(select(notes).where(notes.c.record_id == record_id)
                                   .order_by(notes.c.observed_at, notes.c.created_at))).mappings().all()
    return RecordPublic.model_validate({**row, "notes": [_note(n) for n in found]})


async def replace_notes(session: AsyncSession, principal: Principal, record_id: uuid.UUID, expected: int,
                        items: Sequence[NoteIn]) -> RecordPublic:
    """Autosave: the record's notes become `items`, only if nobody saved a newer version meanwhile.

    Returns the saved record from the statements' RETURNING rows: no second read on the hot path."""
    row, visit = await record_row(session, principal, record_id, for_update=True)
    check_version(row["version"], expected)
    if not record_editable(RecordStatus(row["status"]), VisitStatus(visit["status"])):
        raise Problem(409, "Conflict", f"the record is {row['status']} and the visit {visit['status']}: "
                      "notes cannot change now", slug="record-frozen")
    codes = {lf["code"] for lf in await look_fors_of(session, principal, visit["protocol_version_id"])}
    rows = note_rows(principal.tenant_id, record_id, items, codes, await lexicon_extra(session, principal.tenant_id))
    await session.execute(delete(notes).where(notes.c.record_id == record_id))
    saved = (await session.execute(insert(notes).returning(*notes.c, sort_by_parameter_order=True), rows)
             ).mappings().all() if rows else []
    record = (await session.execute(update(records).where(records.c.id == record_id).values(
        version=records.c.version + 1, updated_at=func.now()).returning(*records.c))).mappings().one()
    ordered = sorted(saved, key=lambda n: (n["observed_at"], n["created_at"]))  # as get_record orders them
    return RecordPublic.model_validate({**record, "notes": [_note(n) for n in ordered]})


async def transition_record(session: AsyncSession, principal: Principal, record_id: uuid.UUID, expected: int | None,
                            target: RecordStatus) -> None:
    row, visit = await record_row(session, principal, record_id, for_update=True)
    check_version(row["version"], expected)
    try:
        next_record_status(RecordStatus(row["status"]), target, VisitStatus(visit["status"]))
    except IllegalTransition as exc:
        raise conflict(exc) from exc
    await session.execute(update(records).where(records.c.id == record_id).values(
        status=target.value, version=records.c.version + 1, updated_at=func.now()))
    payloads: list[EventPayload] = []
    if target is RecordStatus.submitted:
        # that it was submitted, and no figure: not the classroom, its look-fors or the observer's counts
        payloads.append(RecordSubmitted(record_id=record_id, visit_id=visit["id"], school_id=visit["school_id"],
                                        observer_id=row["observer_id"]))
    await record_events(session, payloads, service=SERVICE, tenant_id=principal.tenant_id)


async def offline_batch(session: AsyncSession, principal: Principal, items: Sequence[OfflineRecord]
                        ) -> list[dict[str, Any]]:
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


async def set_lexicon(session: AsyncSession, principal: Principal, language: str, body: LexiconIn) -> None:
    for kind, terms in body.model_dump().items():
        stmt = pg_insert(lexicon_terms).values(tenant_id=principal.tenant_id, language=language, kind=kind,
                                               terms=list(dict.fromkeys(terms)))
        await session.execute(stmt.on_conflict_do_update(index_elements=["tenant_id", "language", "kind"],
                                                         set_={"terms": stmt.excluded.terms}))


# --- describe: the team's view of the evidence ----------------------------------------------------

async def visit_records(session: AsyncSession, principal: Principal, visit_id: uuid.UUID) -> list[RecordSummary]:
    await visit_row(session, principal, visit_id)
    rows = (await session.execute(
        select(records, func.count(notes.c.id).label("notes")).outerjoin(notes, notes.c.record_id == records.c.id)
        .where(records.c.visit_id == visit_id, records.c.tenant_id == principal.tenant_id)
        .group_by(records.c.id).order_by(records.c.created_at))).mappings().all()
    return [RecordSummary.model_validate(r) for r in rows]


async def visit_notes(session: AsyncSession, principal: Principal, visit_id: uuid.UUID,
                      classroom_id: uuid.UUID | None, look_for: str | None, selected: bool | None
                      ) -> list[VisitNotePublic]:
    """Every note of the visit, for the whole team, filtered by classroom, look-for and selection."""
    await visit_row(session, principal, visit_id)
    stmt = (select(notes, records.c.classroom_id, records.c.observer_id)
            .join(records, records.c.id == notes.c.record_id)
            .where(records.c.visit_id == visit_id, records.c.tenant_id == principal.tenant_id))
    if classroom_id is not None:
        stmt = stmt.where(records.c.classroom_id == classroom_id)
    if look_for is not None:
        stmt = stmt.where(notes.c.look_for_codes.any(look_for))
    if selected is not None:
        stmt = stmt.where(notes.c.selected.is_(selected))
    rows = (await session.execute(stmt.order_by(notes.c.observed_at, notes.c.created_at))).mappings().all()
    return [VisitNotePublic.model_validate(_note(r)) for r in rows]


async def _note_for_describe(session: AsyncSession, principal: Principal, note_id: uuid.UUID
                             ) -> tuple[Any, dict[str, Any]]:
    """The note (locked) and its record, while the visit is in its describe phase."""
    row = await get_or_404(session, notes, note_id, principal.tenant_id, label="note", for_update=True)
    record, visit = await record_row(session, principal, row["record_id"])
    if not debrief_writable(VisitStatus(visit["status"])):
        raise Problem(409, "Conflict", f"the visit is {visit['status']}: notes are selected and screened while it "
                      "is in_progress or observed", slug="describe-closed")
    if record["status"] != RecordStatus.submitted.value:
        raise Problem(409, "Conflict", "only notes of submitted records are brought to the debrief",
                      slug="record-not-submitted")
    return row, record


async def select_note(session: AsyncSession, principal: Principal, note_id: uuid.UUID, selected: bool) -> None:
    """The note's own observer brings it to the debrief (or withdraws it); another observer may not."""
    row, record = await _note_for_describe(session, principal, note_id)
    if not may_select(await caller_educator(session, principal), record["observer_id"]):
        raise Problem(403, "Forbidden", "only the note's own observer selects it for the debrief",
                      slug="not-your-note", errors=[{"field": "selected", "message": "not your note"}])
    values: dict[str, Any] = {"selected": selected}
    if not selected:
        values |= {"screening": None, "screening_reason": None}  # a withdrawn note leaves the debrief
    await session.execute(update(notes).where(notes.c.id == row["id"]).values(**values))


async def screen_note(session: AsyncSession, principal: Principal, note_id: uuid.UUID, body: ScreeningIn) -> None:
    """The team screens a selected note: specific and non-judgemental (accepted), or rejected with a reason."""
    row, _ = await _note_for_describe(session, principal, note_id)
    if not row["selected"]:
        raise Problem(409, "Conflict", "the observer has not selected this note for the debrief",
                      slug="note-not-selected")
    if body.decision == "rejected" and not body.reason:
        raise field_error("reason", "say why the note is rejected")
    if body.decision == "accepted" and not (row["descriptive"] or row["verdict"] == "unchecked"):
        raise Problem(409, "Conflict", "an evaluative or identifying note is rewritten by its observer, not accepted",
                      slug="evaluative-note", errors=[{"field": "decision", "message": "the note is evaluative"}])
    await session.execute(update(notes).where(notes.c.id == row["id"]).values(
        screening=body.decision, screening_reason=body.reason))


async def note_of(session: AsyncSession, principal: Principal, note_id: uuid.UUID) -> VisitNotePublic:
    row = (await session.execute(select(notes, records.c.classroom_id, records.c.observer_id)
                                 .join(records, records.c.id == notes.c.record_id)
                                 .where(notes.c.id == note_id, notes.c.tenant_id == principal.tenant_id))
           ).mappings().first()
    if row is None:
        raise not_found("note")
    return VisitNotePublic.model_validate(_note(row))

