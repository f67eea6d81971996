"""observations' HTTP API. Routes are thin: parse, authorise, call the service in one transaction."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.responses import JSONResponse

from libs.common.auth import CurrentPrincipal, require
from libs.common.concurrency import IfMatch, etag, expected_version
from libs.common.http import SessionDep
from libs.common.problems import problem_responses
from libs.directory import directory_router
from services.observations import service
from services.observations.lifecycle import RecordStatus
from services.observations.models import DIRECTORY
from services.observations.schemas import (
    CalibrationCreate,
    CalibrationPublic,
    CodingIn,
    DebriefIn,
    DebriefPublic,
    EvidenceQuality,
    LexiconIn,
    OfflineBatch,
    OfflineResult,
    ProtocolCreate,
    ProtocolPublic,
    ProtocolVersionCreate,
    QualityPublic,
    RecordCreate,
    RecordPublic,
    RecordTransition,
    RecordUpdate,
    VisitCreate,
    VisitPublic,
    VisitTransition,
)
from services.observations.settings import SERVICE

ERRORS = problem_responses(400, 401, 403, 404, 409, 412, 422, 428)
READ, WRITE = require("observations:read"), require("observations:write")
router = APIRouter(responses=ERRORS)
directory = directory_router(SERVICE, DIRECTORY)


def _etagged(body: Any, version: int, status: int = 200, location: str | None = None) -> JSONResponse:
    headers = {"ETag": etag(version), **({"Location": location} if location else {})}
    return JSONResponse(body.model_dump(mode="json"), status_code=status, headers=headers)


def _request_id(request: Request) -> str | None:
    return request.scope.get("state", {}).get("request_id")


def _location(request: Request, path: str) -> str:
    return request.headers.get("x-forwarded-prefix", "") + path


# --- protocols ---

@router.post("/protocols", status_code=201, response_model=ProtocolPublic, tags=["protocols"],
             summary="Publish a protocol (its version 1)", dependencies=[WRITE])
async def create_protocol(body: ProtocolCreate, request: Request, principal: CurrentPrincipal,
                          session: SessionDep) -> Any:
    async with session.begin():
        protocol_id = await service.create_protocol(session, principal, body.name, body.purpose,
                                                    [lf.model_dump() for lf in body.look_fors])
        found = await service.get_protocol(session, principal, protocol_id)
    return JSONResponse(ProtocolPublic.model_validate(found).model_dump(mode="json"), status_code=201,
                        headers={"Location": _location(request, f"/protocols/{protocol_id}")})


@router.post("/protocols/{protocol_id}/versions", status_code=201, response_model=ProtocolPublic,
             tags=["protocols"], summary="Publish a new version (records made with older ones keep theirs)",
             dependencies=[WRITE])
async def publish_version(protocol_id: uuid.UUID, body: ProtocolVersionCreate, principal: CurrentPrincipal,
                          session: SessionDep) -> Any:
    async with session.begin():
        await service.publish_version(session, principal, protocol_id, [lf.model_dump() for lf in body.look_fors])
        return await service.get_protocol(session, principal, protocol_id)


@router.get("/protocols", response_model=list[ProtocolPublic], tags=["protocols"], summary="List protocols",
            dependencies=[READ])
async def list_protocols(principal: CurrentPrincipal, session: SessionDep) -> Any:
    return await service.list_protocols(session, principal)


@router.get("/protocols/{protocol_id}", response_model=ProtocolPublic, tags=["protocols"],
            summary="A protocol and its versions", dependencies=[READ])
async def read_protocol(protocol_id: uuid.UUID, principal: CurrentPrincipal, session: SessionDep) -> Any:
    return await service.get_protocol(session, principal, protocol_id)


# --- visits ---

async def _visit(session: SessionDep, request: Request, principal: Any, visit_id: uuid.UUID) -> VisitPublic:
    return VisitPublic.model_validate(await service.get_visit(session, principal, visit_id, _request_id(request)))


@router.post("/visits", status_code=201, response_model=VisitPublic, tags=["visits"],
             summary="Schedule a visit (a round) at a host school", dependencies=[WRITE])
async def schedule_visit(body: VisitCreate, request: Request, principal: CurrentPrincipal,
                         session: SessionDep) -> Any:
    async with session.begin():
        visit_id = await service.schedule_visit(session, principal, body.model_dump())
        visit = await _visit(session, request, principal, visit_id)
    return _etagged(visit, visit.version, 201, _location(request, f"/visits/{visit_id}"))


@router.get("/visits/{visit_id}", response_model=VisitPublic, tags=["visits"], dependencies=[READ],
            summary="A visit; classrooms' teachers only for the host school's staff with observations:identify")
async def read_visit(visit_id: uuid.UUID, request: Request, principal: CurrentPrincipal, session: SessionDep) -> Any:
    async with session.begin():
        visit = await _visit(session, request, principal, visit_id)
    return _etagged(visit, visit.version)


@router.post("/visits/{visit_id}/transitions", response_model=VisitPublic, tags=["visits"], dependencies=[WRITE],
             summary="Move a visit: planned -> in_progress -> debriefed -> closed (If-Match required)")
async def transition_visit(visit_id: uuid.UUID, body: VisitTransition, request: Request,
                           principal: CurrentPrincipal, session: SessionDep, if_match: IfMatch = None) -> Any:
    version = expected_version(if_match)
    async with session.begin():
        await service.transition_visit(session, principal, visit_id, version, body.to)
        visit = await _visit(session, request, principal, visit_id)
    return _etagged(visit, visit.version)


@router.put("/visits/{visit_id}/debrief", response_model=DebriefPublic, tags=["debriefs"], dependencies=[WRITE],
            summary="Record the team's prediction and the next level of work")
async def save_debrief(visit_id: uuid.UUID, body: DebriefIn, principal: CurrentPrincipal,
                       session: SessionDep) -> Any:
    async with session.begin():
        await service.save_debrief(session, principal, visit_id, body.model_dump())
        return await service.debrief(session, principal, visit_id)


@router.get("/visits/{visit_id}/debrief", response_model=DebriefPublic, tags=["debriefs"], dependencies=[READ],
            summary="Patterns per look-for across the visit's classrooms, prediction, next level of work")
async def read_debrief(visit_id: uuid.UUID, principal: CurrentPrincipal, session: SessionDep) -> Any:
    return await service.debrief(session, principal, visit_id)


# --- records ---

async def _record(session: SessionDep, principal: Any, record_id: uuid.UUID) -> RecordPublic:
    return RecordPublic.model_validate(await service.get_record(session, principal, record_id))


@router.post("/visits/{visit_id}/records", status_code=201, response_model=RecordPublic, tags=["records"],
             summary="Start an observer's record of one classroom", dependencies=[WRITE])
async def start_record(visit_id: uuid.UUID, body: RecordCreate, request: Request, principal: CurrentPrincipal,
                       session: SessionDep) -> Any:
    async with session.begin():
        record_id = await service.start_record(session, principal, visit_id, body.classroom_id, body.observer_id,
                                               body.notes)
        record = await _record(session, principal, record_id)
    return _etagged(record, record.version, 201, _location(request, f"/records/{record_id}"))


@router.get("/records/{record_id}", response_model=RecordPublic, tags=["records"], dependencies=[READ],
            summary="A record with its notes and each note's evidence verdict")
async def read_record(record_id: uuid.UUID, principal: CurrentPrincipal, session: SessionDep) -> Any:
    record = await _record(session, principal, record_id)
    return _etagged(record, record.version)


@router.patch("/records/{record_id}", response_model=RecordPublic, tags=["records"], dependencies=[WRITE],
              summary="Autosave the record's notes (If-Match: a stale save is refused, never overwrites)")
async def autosave(record_id: uuid.UUID, body: RecordUpdate, principal: CurrentPrincipal, session: SessionDep,
                   if_match: IfMatch = None) -> Any:
    version = expected_version(if_match)
    async with session.begin():
        await service.replace_notes(session, principal, record_id, version, body.notes)
        record = await _record(session, principal, record_id)
    return _etagged(record, record.version)


@router.post("/records/{record_id}/transitions", response_model=RecordPublic, tags=["records"],
             dependencies=[WRITE], summary="Submit or reopen a record (If-Match required)")
async def transition_record(record_id: uuid.UUID, body: RecordTransition, principal: CurrentPrincipal,
                            session: SessionDep, if_match: IfMatch = None) -> Any:
    version = expected_version(if_match)
    async with session.begin():
        await service.transition_record(session, principal, record_id, version, RecordStatus(body.to))
        record = await _record(session, principal, record_id)
    return _etagged(record, record.version)


@router.post("/offline-batches", response_model=OfflineResult, tags=["records"], dependencies=[WRITE],
             summary="Records and notes captured offline, with the device's ids (resending is harmless)")
async def offline_batch(body: OfflineBatch, principal: CurrentPrincipal, session: SessionDep) -> Any:
    async with session.begin():
        return {"records": await service.offline_batch(session, principal, body.records)}


# --- quality, evidence, lexicons, calibration ---

@router.get("/schools/{school_id}/quality", response_model=QualityPublic, tags=["quality"], dependencies=[READ],
            summary="The school's practice-quality index for a period (default: the current school term)")
async def school_quality(school_id: uuid.UUID, principal: CurrentPrincipal, session: SessionDep,
                         period: Annotated[str | None, Query(pattern=r"^\d{4}-\d{2}-T[12]$")] = None) -> Any:
    return await service.school_quality(session, principal, school_id, period)


@router.get("/observers/{observer_id}/evidence-quality", response_model=EvidenceQuality, tags=["quality"],
            dependencies=[READ], summary="An observer's share of descriptive notes (calibration)")
async def evidence_quality(observer_id: uuid.UUID, principal: CurrentPrincipal, session: SessionDep) -> Any:
    return await service.evidence_quality(session, principal, observer_id)


@router.put("/lexicons/{language}", status_code=204, tags=["quality"], dependencies=[WRITE],
            summary="Your organisation's own evaluative terms for a language, added to the shipped lexicon")
async def set_lexicon(language: Annotated[str, Path(pattern=r"^[a-z]{2}$")], body: LexiconIn,
                      principal: CurrentPrincipal, session: SessionDep) -> Response:
    async with session.begin():
        await service.set_lexicon(session, principal, language, body.model_dump())
    return Response(status_code=204)


@router.post("/calibration-sessions", status_code=201, response_model=CalibrationPublic, tags=["calibration"],
             dependencies=[WRITE], summary="Start a calibration: several observers code the same segments")
async def create_calibration(body: CalibrationCreate, principal: CurrentPrincipal, session: SessionDep) -> Any:
    async with session.begin():
        session_id = await service.create_calibration(session, principal, body.protocol_version_id, body.items)
        return JSONResponse(CalibrationPublic.model_validate(
            await service.calibration_result(session, principal, session_id)).model_dump(mode="json"), status_code=201)


@router.post("/calibration-sessions/{session_id}/codings", response_model=CalibrationPublic, tags=["calibration"],
             dependencies=[WRITE], summary="One observer's coding of every segment")
async def add_coding(session_id: uuid.UUID, body: CodingIn, principal: CurrentPrincipal, session: SessionDep) -> Any:
    async with session.begin():
        await service.add_coding(session, principal, session_id, body.observer_id, body.codes)
        return await service.calibration_result(session, principal, session_id)


@router.get("/calibration-sessions/{session_id}", response_model=CalibrationPublic, tags=["calibration"],
            dependencies=[READ], summary="Agreement per look-for (percent, Cohen's or Fleiss' kappa) and observer")
async def read_calibration(session_id: uuid.UUID, principal: CurrentPrincipal, session: SessionDep) -> Any:
    return await service.calibration_result(session, principal, session_id)
