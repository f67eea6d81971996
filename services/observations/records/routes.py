"""Records' HTTP API: capture (records, autosave, offline batches), lexicons, and describe."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.responses import JSONResponse

from libs.common.auth import CurrentPrincipal, require
from libs.common.concurrency import IfMatch, expected_version
from libs.common.fields import Code
from libs.common.http import SessionDep, WriteSession, created, with_etag
from libs.common.idempotency import Idempotent
from libs.common.problems import problem_responses
from services.observations.records import service
from services.observations.records.schemas import (
    LexiconIn,
    OfflineBatch,
    OfflineResult,
    RecordCreate,
    RecordPublic,
    RecordSummary,
    RecordTransition,
    RecordUpdate,
    ScreeningIn,
    SelectionIn,
    VisitNotePublic,
)
from services.observations.visits.lifecycle import RecordStatus

ERRORS = problem_responses(400, 401, 403, 404, 409, 412, 422, 428)
READ, WRITE = require("observations:read"), require("observations:write")
router = APIRouter(responses=ERRORS, tags=["records"])


@router.post("/visits/{visit_id}/records", status_code=201, response_model=RecordPublic, dependencies=[WRITE],
             summary="Start an observer's record of one classroom")
async def start_record(visit_id: uuid.UUID, body: RecordCreate, request: Request, principal: CurrentPrincipal,
                       session: WriteSession, idempotent: Idempotent) -> Any:
    if (replay := await idempotent.replay()) is not None:
        return replay
    record_id = await service.start_record(session, principal, visit_id, body.classroom_id, body.observer_id,
                                           body.notes)
    record = await service.get_record(session, principal, record_id)
    return await idempotent.remember(created(request, f"/records/{record_id}", record, record.version))


@router.get("/visits/{visit_id}/records", response_model=list[RecordSummary], dependencies=[READ],
            summary="Describe: every record of the visit, for the whole team")
async def visit_records(visit_id: uuid.UUID, principal: CurrentPrincipal, session: SessionDep) -> Any:
    return await service.visit_records(session, principal, visit_id)


@router.get("/visits/{visit_id}/notes", response_model=list[VisitNotePublic], dependencies=[READ],
            summary="Describe: the visit's notes, filtered by classroom, look-for and selection")
async def visit_notes(visit_id: uuid.UUID, principal: CurrentPrincipal, session: SessionDep,
                      classroom_id: uuid.UUID | None = None, look_for: Annotated[Code | None, Query()] = None,
                      selected: bool | None = None) -> Any:
    return await service.visit_notes(session, principal, visit_id, classroom_id, look_for, selected)


@router.put("/notes/{note_id}/selection", response_model=VisitNotePublic, dependencies=[WRITE],
            summary="Describe: the observer brings a note to the debrief (or withdraws it)")
async def select_note(note_id: uuid.UUID, body: SelectionIn, principal: CurrentPrincipal,
                      session: WriteSession) -> Any:
    await service.select_note(session, principal, note_id, body.selected)
    return await service.note_of(session, principal, note_id)


@router.put("/notes/{note_id}/screening", response_model=VisitNotePublic, dependencies=[WRITE],
            summary="Describe: the team screens a selected note (accepted, or rejected with a reason)")
async def screen_note(note_id: uuid.UUID, body: ScreeningIn, principal: CurrentPrincipal,
                      session: WriteSession) -> Any:
    await service.screen_note(session, principal, note_id, body)
    return await service.note_of(session, principal, note_id)


@router.get("/records/{record_id}", response_model=RecordPublic, dependencies=[READ],
            summary="A record with its notes and each note's evidence verdict")
async def read_record(record_id: uuid.UUID, principal: CurrentPrincipal, session: SessionDep) -> Any:
    record = await service.get_record(session, principal, record_id)
    return with_etag(record, record.version)


@router.patch("/records/{record_id}", response_model=RecordPublic, dependencies=[WRITE],
              summary="Autosave the record's notes (If-Match: a stale save is refused, never overwrites)")
async def autosave(record_id: uuid.UUID, body: RecordUpdate, principal: CurrentPrincipal, session: WriteSession,
                   if_match: IfMatch = None) -> Any:
    record = await service.replace_notes(session, principal, record_id, expected_version(if_match), body.notes)
    return with_etag(record, record.version)


@router.post("/records/{record_id}/transitions", response_model=RecordPublic, dependencies=[WRITE],
             summary="Submit or reopen a record (If-Match required)")
async def transition_record(record_id: uuid.UUID, body: RecordTransition, principal: CurrentPrincipal,
                            session: WriteSession, if_match: IfMatch = None) -> Any:
    await service.transition_record(session, principal, record_id, expected_version(if_match),
                                    RecordStatus(body.to))
    record = await service.get_record(session, principal, record_id)
    return with_etag(record, record.version)


@router.post("/offline-batches", response_model=OfflineResult, dependencies=[WRITE],
             summary="Records and notes captured offline, with the device's ids (resending is harmless)")
async def offline_batch(body: OfflineBatch, principal: CurrentPrincipal, session: WriteSession,
                        idempotent: Idempotent) -> Any:
    if (replay := await idempotent.replay()) is not None:
        return replay
    result = OfflineResult.model_validate({"records": await service.offline_batch(session, principal, body.records)})
    return await idempotent.remember(JSONResponse(result.model_dump(mode="json")))


@router.put("/lexicons/{language}", status_code=204, tags=["quality"], dependencies=[WRITE],
            summary="Your organisation's own evaluative terms for a language, added to the shipped lexicon")
async def set_lexicon(language: Annotated[str, Path(pattern=r"^[a-z]{2}$")], body: LexiconIn,
                      principal: CurrentPrincipal, session: WriteSession) -> Response:
    await service.set_lexicon(session, principal, language, body)
    return Response(status_code=204)
