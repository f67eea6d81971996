"""Calibration sessions: observers code the same segments; agreement per look-for and per observer.
Observer figures are read only by the observer and the session's facilitator."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import insert, update
from sqlalchemy.ext.asyncio import AsyncSession

from libs.common.auth import Principal
from libs.common.problems import Problem, not_found
from libs.common.repository import get_or_404, require_known
from libs.directory import known_educators
from services.observations.calibration import agreement
from services.observations.calibration.schemas import CalibrationPublic
from services.observations.models import DIRECTORY, calibration_sessions
from services.observations.protocols.service import look_fors_of
from services.observations.visits.access import educator_of, educators_visible


async def create_calibration(session: AsyncSession, principal: Principal, version_id: uuid.UUID,
                             items: list[str], facilitator_id: uuid.UUID | None) -> uuid.UUID:
    await look_fors_of(session, principal, version_id)
    facilitator = facilitator_id or educator_of(principal)
    if facilitator_id is not None:
        await require_known(session, principal.tenant_id, known_educators(DIRECTORY, "facilitator_id", facilitator_id))
        if not await educators_visible(session, principal, [facilitator_id]):
            raise outside_your_schools("facilitator_id")
    session_id = uuid.uuid4()
    await session.execute(insert(calibration_sessions).values(
        id=session_id, tenant_id=principal.tenant_id, protocol_version_id=version_id,
        items=list(dict.fromkeys(items)), codings={}, facilitator_id=facilitator))
    return session_id


def outside_your_schools(field: str) -> Problem:
    return Problem(403, "Forbidden", f"{field}: an educator of a school your token does not cover",
                   slug="outside-your-schools", errors=[{"field": field, "message": "not in your schools"}])


def participants(row: Any) -> list[uuid.UUID]:
    return [uuid.UUID(o) for o in row["codings"]] + ([row["facilitator_id"]] if row["facilitator_id"] else [])


async def session_row(session: AsyncSession, principal: Principal, session_id: uuid.UUID,
                      *, for_update: bool = False) -> Any:
    """The session, or 404; a token limited to some schools sees it only if it sees its participants."""
    row = await get_or_404(session, calibration_sessions, session_id, principal.tenant_id,
                           label="calibration session", for_update=for_update)
    if not await educators_visible(session, principal, participants(row)):
        raise not_found("calibration session")
    return row


async def add_coding(session: AsyncSession, principal: Principal, session_id: uuid.UUID, observer_id: uuid.UUID,
                     codes: dict[str, list[str]]) -> None:
    row = await session_row(session, principal, session_id, for_update=True)
    await require_known(session, principal.tenant_id, known_educators(DIRECTORY, "observer_id", observer_id))
    if not await educators_visible(session, principal, [observer_id]):
        raise outside_your_schools("observer_id")
    known = {lf["code"] for lf in await look_fors_of(session, principal, row["protocol_version_id"])}
    errors = [{"field": f"codes.{item}", "message": "not an item of this session"} for item in codes
              if item not in row["items"]]
    errors += [{"field": f"codes.{item}", "message": f"{c!r} is not a look-for of this protocol"}
               for item, cs in codes.items() for c in cs if c not in known]
    if errors:
        raise Problem(422, "Invalid coding", f"{len(errors)} problem(s)", slug="validation-error", errors=errors)
    codings = {**row["codings"], str(observer_id): {item: sorted(set(codes.get(item, []))) for item in row["items"]}}
    await session.execute(update(calibration_sessions).where(calibration_sessions.c.id == session_id)
                          .values(codings=codings))


def visible_observer_figures(principal: Principal, facilitator_id: uuid.UUID | None,
                             figures: dict[str, float | None]) -> dict[str, float | None]:
    """All figures for the facilitator, one's own for an observer, nothing for anyone else."""
    me = educator_of(principal)
    if me is not None and me == facilitator_id:
        return figures
    return {o: v for o, v in figures.items() if me is not None and o == str(me)}


async def calibration_result(session: AsyncSession, principal: Principal, session_id: uuid.UUID) -> CalibrationPublic:
    row = await session_row(session, principal, session_id)
    codes = [lf["code"] for lf in await look_fors_of(session, principal, row["protocol_version_id"])]
    codings = {o: {i: set(cs) for i, cs in items.items()} for o, items in row["codings"].items()}
    found: list[Any] = []
    per_observer: dict[str, float | None] = {}
    if len(codings) >= 2:
        found = [a.__dict__ for a in agreement.look_for_agreement(codings, codes)]
        per_observer = agreement.observer_agreement(codings, codes)
    return CalibrationPublic.model_validate({
        "id": row["id"], "protocol_version_id": row["protocol_version_id"], "items": row["items"],
        "observers": sorted(codings), "look_fors": found,
        "observer_agreement": visible_observer_figures(principal, row["facilitator_id"], per_observer)})
