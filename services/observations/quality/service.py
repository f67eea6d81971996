"""The practice-quality index (computed from accepted, descriptive evidence of debriefed visits, see
index.py) and the observer figures, with who may read them.

The index is published (`quality-index.updated`) when a school and period first reach the minimum of
classrooms, and again when the period is closed; never per submission, so successive events cannot
reveal one classroom's profile. No per-classroom figure leaves the service.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any, Literal

from sqlalchemy import and_, distinct, func, or_, select, tuple_
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from libs.common.auth import Principal
from libs.common.changes import ChangeWindow, window_clauses
from libs.common.outbox import record_events
from libs.common.pagination import PageRequest, page_of
from libs.common.problems import Problem, not_found
from libs.contracts.base import EventPayload
from libs.contracts.observations import QualityIndexUpdated
from services.observations.models import (
    DIRECTORY,
    calibration_sessions,
    notes,
    protocol_versions,
    quality_publications,
    quality_sums,
    records,
)
from services.observations.quality.index import (
    ClassroomEvidence,
    QualityIndex,
    classroom_presence,
    index_from_sums,
    publishable,
    school_term,
)
from services.observations.settings import SERVICE, minimum_classrooms
from services.observations.visits.access import educator_of, educators_visible, school_clause

FINAL = ("debriefed", "closed")  # the describe phase is over: the accepted evidence is final
CLASSROOMS = ""  # the quality_sums row holding the number of classrooms
# accepted by the team, and not evaluative (an unchecked note accepted by the team is its human check)
ACCEPTED = and_(notes.c.screening == "accepted",
                or_(notes.c.descriptive.is_(True), notes.c.verdict == "unchecked"))


async def visit_evidence(session: AsyncSession, visit_id: uuid.UUID) -> list[ClassroomEvidence]:
    """Each classroom of a visit: its observers (submitted records) and who saw each look-for."""
    scope = [records.c.visit_id == visit_id, records.c.status == "submitted"]
    observers = dict((await session.execute(
        select(records.c.classroom_id, func.count(distinct(records.c.observer_id))).where(*scope)
        .group_by(records.c.classroom_id))).tuples().all())
    code = func.unnest(notes.c.look_for_codes).label("code")
    seen_rows = select(records.c.classroom_id, records.c.observer_id, code).select_from(
        notes.join(records, records.c.id == notes.c.record_id)).where(*scope, ACCEPTED).subquery()
    seen: dict[Any, dict[str, int]] = defaultdict(dict)
    for classroom_id, look_for, n in await session.execute(
            select(seen_rows.c.classroom_id, seen_rows.c.code, func.count(distinct(seen_rows.c.observer_id)))
            .group_by(seen_rows.c.classroom_id, seen_rows.c.code)):
        seen[classroom_id][look_for] = n
    return [ClassroomEvidence(n, seen.get(c, {})) for c, n in observers.items()]


def _weights(look_fors: list[dict[str, Any]] | None) -> dict[str, float]:
    return {lf["code"]: float(lf.get("weight", 1.0)) for lf in look_fors or []}


async def weights_of(session: AsyncSession, version_id: uuid.UUID) -> dict[str, float]:
    return _weights(await session.scalar(select(protocol_versions.c.look_fors).where(
        protocol_versions.c.id == version_id)))


async def add_visit(session: AsyncSession, tenant: str, visit: Any, period: str) -> None:
    """Add a debriefed visit's classrooms to the running sums (once: a visit is debriefed once)."""
    rooms = await visit_evidence(session, visit["id"])
    if not rooms:
        return
    weights = await weights_of(session, visit["protocol_version_id"])
    totals = {CLASSROOMS: float(len([r for r in rooms if r.observers > 0]))}
    totals |= {c: sum(classroom_presence(r, c) for r in rooms) for c in weights}
    stmt = pg_insert(quality_sums)
    await session.execute(stmt.on_conflict_do_update(
        index_elements=["tenant_id", "school_id", "period", "protocol_version_id", "look_for_code"],
        set_={"total": quality_sums.c.total + stmt.excluded.total}),
        [{"tenant_id": tenant, "school_id": visit["school_id"], "period": period,
          "protocol_version_id": visit["protocol_version_id"], "look_for_code": c, "total": t}
         for c, t in sorted(totals.items())])


async def compute(session: AsyncSession, tenant: str, school_id: uuid.UUID, period: str,
                  version_id: uuid.UUID) -> QualityIndex:
    """The index from the running sums: the same arithmetic as index.quality_index, O(look-fors)."""
    sums = dict((await session.execute(select(quality_sums.c.look_for_code, quality_sums.c.total).where(
        quality_sums.c.tenant_id == tenant, quality_sums.c.school_id == school_id, quality_sums.c.period == period,
        quality_sums.c.protocol_version_id == version_id))).tuples().all())
    return index_from_sums(int(sums.pop(CLASSROOMS, 0)), sums, await weights_of(session, version_id))


async def _publish(session: AsyncSession, tenant: str, school_id: uuid.UUID, period: str, version_id: uuid.UUID,
                   reason: Literal["threshold", "period_closed"]) -> list[EventPayload]:
    """Publish once per (school, period, version, reason): the publication row guards the event."""
    index = await compute(session, tenant, school_id, period, version_id)
    if not publishable(index.observed_classrooms, minimum_classrooms()):
        return []
    inserted = await session.execute(pg_insert(quality_publications).values(
        tenant_id=tenant, school_id=school_id, period=period, protocol_version_id=version_id, reason=reason,
        observed_classrooms=index.observed_classrooms, overall=index.overall, shares=index.shares,
    ).on_conflict_do_nothing().returning(quality_publications.c.reason))
    if inserted.first() is None:
        return []
    return [QualityIndexUpdated(school_id=school_id, period=period, observed_classrooms=index.observed_classrooms,
                                shares=index.shares, overall=index.overall, protocol_version_id=version_id,
                                reason=reason)]


async def after_debrief(session: AsyncSession, tenant: str, visit: Any) -> list[EventPayload]:
    """A debriefed visit joins its school's index; it may bring the period to the threshold: publish
    then, once."""
    period = school_term(visit["visit_date"])
    await add_visit(session, tenant, visit, period)
    return await _publish(session, tenant, visit["school_id"], period, visit["protocol_version_id"], "threshold")


async def _versions_used(session: AsyncSession, tenant: str, school_id: uuid.UUID, period: str) -> list[uuid.UUID]:
    """The protocol versions with classrooms in the period, the most observed first."""
    rows = await session.execute(select(quality_sums.c.protocol_version_id).where(
        quality_sums.c.tenant_id == tenant, quality_sums.c.school_id == school_id, quality_sums.c.period == period,
        quality_sums.c.look_for_code == CLASSROOMS).order_by(quality_sums.c.total.desc(),
                                                            quality_sums.c.protocol_version_id))
    return list(rows.scalars())


async def _school(session: AsyncSession, principal: Principal, school_id: uuid.UUID) -> None:
    schools = DIRECTORY.schools
    known = await session.scalar(select(schools.c.school_id).where(
        schools.c.tenant_id == principal.tenant_id, schools.c.school_id == school_id, schools.c.removed.is_(False)))
    if known is None or not principal.may_see_school(school_id):
        raise not_found("school")


Key = tuple[uuid.UUID, str, uuid.UUID]  # school, period, protocol version


def latest(publications: Sequence[Mapping[str, Any]]) -> Mapping[str, Any] | None:
    """The figures a read shows: the period-close publication once there is one, else the threshold's.
    Between two publication points a read never changes, so two reads around a debrief cannot reveal the
    classrooms it added (pure)."""
    closed = [p for p in publications if p["reason"] == "period_closed"]
    chosen = closed or list(publications)
    return max(chosen, key=lambda p: p["created_at"]) if chosen else None


async def _publications(session: AsyncSession, tenant: str, keys: Sequence[Key]) -> dict[Key, Mapping[str, Any]]:
    """The last publication of each (school, period, version), in one query."""
    if not keys:
        return {}
    q = quality_publications
    found: dict[Key, list[Mapping[str, Any]]] = defaultdict(list)
    for row in (await session.execute(select(q).where(
            q.c.tenant_id == tenant, tuple_(q.c.school_id, q.c.period, q.c.protocol_version_id).in_(list(keys)))
            )).mappings():
        found[(row["school_id"], row["period"], row["protocol_version_id"])].append(dict(row))
    return {k: pub for k, rows in found.items() if (pub := latest(rows)) is not None}


async def _classrooms(session: AsyncSession, tenant: str, key: Key) -> int:
    """The classrooms debriefed so far (a count, shown before any publication: no figure of practice)."""
    school_id, period, version_id = key
    total = await session.scalar(select(quality_sums.c.total).where(
        quality_sums.c.tenant_id == tenant, quality_sums.c.school_id == school_id, quality_sums.c.period == period,
        quality_sums.c.protocol_version_id == version_id, quality_sums.c.look_for_code == CLASSROOMS))
    return int(total or 0)


def _public(school_id: uuid.UUID, period: str, version_id: uuid.UUID | None, classrooms: int,
            publication: Mapping[str, Any] | None) -> dict[str, Any]:
    """What a reader sees: the last published figures, never the running sums (see `latest`)."""
    shown = {"school_id": school_id, "period": period, "protocol_version_id": version_id,
             "minimum_classrooms": minimum_classrooms()}
    if publication is None:
        return {**shown, "observed_classrooms": classrooms, "published": False, "shares": {}, "overall": None,
                "publication": None, "published_at": None}
    return {**shown, "observed_classrooms": publication["observed_classrooms"], "published": True,
            "shares": publication["shares"], "overall": publication["overall"],
            "publication": publication["reason"], "published_at": publication["created_at"]}


async def school_quality(session: AsyncSession, principal: Principal, school_id: uuid.UUID, period: str | None,
                         version_id: uuid.UUID | None) -> dict[str, Any]:
    await _school(session, principal, school_id)
    period = period or school_term(date.today())
    if version_id is None:
        used = await _versions_used(session, principal.tenant_id, school_id, period)
        version_id = used[0] if used else None
    if version_id is None:
        return _public(school_id, period, None, 0, None)
    key = (school_id, period, version_id)
    publication = (await _publications(session, principal.tenant_id, [key])).get(key)
    classrooms = 0 if publication is not None else await _classrooms(session, principal.tenant_id, key)
    return _public(school_id, period, version_id, classrooms, publication)


async def list_indices(session: AsyncSession, principal: Principal, page: PageRequest, changes: ChangeWindow,
                       period: str | None) -> tuple[list[dict[str, Any]], str | None]:
    """Every school's index (per period and protocol version) held, by id: the change queries' list. An
    index is its sums' "" row (add_visit writes all of a visit's sums at once, so it changes with them);
    its figures are its last publication's, as on GET /schools/{id}/quality."""
    s = quality_sums
    stmt = select(s.c.id, s.c.school_id, s.c.period, s.c.protocol_version_id, s.c.total).where(
        s.c.tenant_id == principal.tenant_id, s.c.look_for_code == CLASSROOMS,
        *school_clause(principal, s.c.school_id), *([s.c.period == period] if period else []))
    stmt = stmt.where(*await window_clauses(session, principal.tenant_id, changes, s.c.change_version))
    await page.count_total(session, stmt)
    if page.after:
        stmt = stmt.where(s.c.id > uuid.UUID(str(page.after.get("id"))))
    rows = list((await session.execute(stmt.order_by(s.c.id).limit(page.size + 1))).mappings().all())
    kept, token = page_of(rows, page.size, lambda r: {"id": str(r["id"])})
    keys: list[Key] = [(r["school_id"], r["period"], r["protocol_version_id"]) for r in kept]
    publications = await _publications(session, principal.tenant_id, keys)
    return [{"id": r["id"], **_public(*key, int(r["total"]), publications.get(key))}
            for r, key in zip(kept, keys, strict=True)], token


async def close_period(session: AsyncSession, principal: Principal, school_id: uuid.UUID,
                       period: str) -> list[dict[str, Any]]:
    """Period close: the final index of each protocol version used, published once; the reads show it
    from then on."""
    await _school(session, principal, school_id)
    payloads: list[EventPayload] = []
    keys: list[Key] = [(school_id, period, v) for v in await _versions_used(session, principal.tenant_id, school_id,
                                                                            period)]
    for _, _, version_id in keys:
        payloads += await _publish(session, principal.tenant_id, school_id, period, version_id, "period_closed")
    await record_events(session, payloads, service=SERVICE, tenant_id=principal.tenant_id)
    publications = await _publications(session, principal.tenant_id, keys)
    return [_public(*key, 0 if key in publications else await _classrooms(session, principal.tenant_id, key),
                    publications.get(key)) for key in keys]


# --- observer figures: only for the observer and their calibration facilitator ------------------

async def may_read_observer(session: AsyncSession, principal: Principal, observer_id: uuid.UUID) -> bool:
    me = educator_of(principal)
    if me is None:
        return False
    if me == observer_id:
        return True
    facilitated = await session.scalar(select(func.count()).where(
        calibration_sessions.c.tenant_id == principal.tenant_id, calibration_sessions.c.facilitator_id == me,
        calibration_sessions.c.codings.has_key(str(observer_id))))
    return bool(facilitated)


async def evidence_quality(session: AsyncSession, principal: Principal, observer_id: uuid.UUID) -> dict[str, Any]:
    educators = DIRECTORY.educators
    known = await session.scalar(select(educators.c.educator_id).where(
        educators.c.tenant_id == principal.tenant_id, educators.c.educator_id == observer_id,
        educators.c.removed.is_(False)))
    if known is None or not await educators_visible(session, principal, [observer_id]):
        raise not_found("observer")
    if not await may_read_observer(session, principal, observer_id):
        raise Problem(403, "Forbidden", "an observer's figures are readable only by the observer and by the "
                      "facilitator of a calibration session they coded in", slug="observer-figures-private",
                      errors=[{"field": "observer_id", "message": "neither you nor an observer you facilitate"}])
    total, descriptive = (await session.execute(
        select(func.count(), func.count().filter(notes.c.descriptive)).select_from(
            notes.join(records, notes.c.record_id == records.c.id)).where(
            records.c.tenant_id == principal.tenant_id, records.c.observer_id == observer_id))).one()
    return {"observer_id": observer_id, "notes": total, "descriptive": descriptive,
            "share": descriptive / total if total else None}
