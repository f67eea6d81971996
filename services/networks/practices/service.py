"""The practice library. A tenant's practices are its own, read as their visibility says (visibility.py:
`network` only by the network's schools, `tenant` and `published` by every token of the tenant); a
published practice is the platform's one deliberate cross-tenant read: any tenant may read and adopt it,
and sees who published it but no contributor ids. Adoptions belong to the adopting tenant. A practice the
caller may not read is not found; only tokens of its origin school (or of the whole tenant) revise it."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, insert, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from libs.common.auth import Principal
from libs.common.changes import ChangeWindow, window_clauses
from libs.common.pagination import PageRequest
from libs.common.problems import Problem, not_found
from libs.common.repository import check_version, get_or_404, require_known
from libs.contracts.networks import PracticeAdopted, PracticePublished
from services.networks.common import (
    bump,
    emit,
    limited_to,
    member_networks,
    network_schools,
    new_id,
    page_rows,
    school_clause,
    school_row_or_404,
    visible_educators,
    visible_networks,
    visible_schools,
)
from services.networks.models import adoptions, practices
from services.networks.practices.schemas import (
    AdoptionCreate,
    AdoptionPublic,
    PracticeCreate,
    PracticePublic,
    PracticeUpdate,
    PublishedPractice,
    SpreadPublic,
    Visibility,
)
from services.networks.practices.spread import Adopted, spread
from services.networks.practices.visibility import EVERYONE_IN_TENANT, may_read

PUBLISHED = practices.c.visibility == Visibility.published.value


def readable_clause(principal: Principal) -> list[Any]:
    """WHERE conditions keeping a list of the caller's tenant's practices to those it may read (may_read)."""
    mine = limited_to(principal)
    if mine is None:
        return []
    return [or_(practices.c.visibility.in_([v.value for v in EVERYONE_IN_TENANT]),
                practices.c.origin_school_id.in_(mine),
                practices.c.network_id.in_(member_networks(principal.tenant_id, mine)))]


async def readable(session: AsyncSession, principal: Principal, row: Any) -> bool:
    """Whether the caller may read this practice of its own tenant."""
    mine = limited_to(principal)
    schools = [] if mine is None else await network_schools(session, row["tenant_id"], row["network_id"])
    return may_read(row["visibility"], row["origin_school_id"], schools, mine)


async def spread_of(session: AsyncSession, row: Any) -> SpreadPublic:
    """Spread counts every adoption, in any tenant: counts only, never whose."""
    rows = await session.execute(select(adoptions.c.school_id, adoptions.c.network_id, adoptions.c.adopted_on)
                                 .where(adoptions.c.practice_id == row["id"]))
    published = row["published_at"].date() if row["published_at"] else None
    s = spread([Adopted(*r) for r in rows], published)
    return SpreadPublic(**s.__dict__)


async def public(session: AsyncSession, row: Any) -> PracticePublic:
    return PracticePublic(**{k: row[k] for k in PracticePublic.model_fields if k != "spread"},
                          spread=await spread_of(session, row))


async def published_view(session: AsyncSession, row: Any) -> PublishedPractice:
    return PublishedPractice(id=row["id"], published_by_tenant=row["tenant_id"], title=row["title"],
                             description=row["description"], origin_school_id=row["origin_school_id"],
                             evidence=row["evidence"], stage=row["stage"], tags=row["tags"],
                             published_at=row["published_at"], spread=await spread_of(session, row))


async def contribute(session: AsyncSession, principal: Principal, body: PracticeCreate) -> uuid.UUID:
    tenant = principal.tenant_id
    await require_known(session, tenant, visible_schools(principal, "origin_school_id", body.origin_school_id),
                        visible_networks(principal, "network_id", body.network_id),
                        visible_educators(principal, "contributor_ids", body.contributor_ids))
    practice_id = new_id()
    published = body.visibility == Visibility.published
    await session.execute(insert(practices).values(
        id=practice_id, tenant_id=tenant, network_id=body.network_id, origin_school_id=body.origin_school_id,
        contributor_ids=body.contributor_ids, title=body.title, description=body.description,
        evidence=body.evidence.model_dump(mode="json"), stage=body.stage.value, tags=sorted(set(body.tags)),
        visibility=body.visibility.value, published_at=func.now() if published else None, version=1))
    if published:
        await _announce(session, tenant, practice_id)
    return practice_id


async def _announce(session: AsyncSession, tenant: str, practice_id: uuid.UUID) -> None:
    row = await get_or_404(session, practices, practice_id, tenant, label="practice")
    await emit(session, tenant, PracticePublished(practice_id=practice_id, origin_school_id=row["origin_school_id"],
                                                  network_id=row["network_id"], stage=row["stage"],
                                                  tags=row["tags"]))


async def revise(session: AsyncSession, principal: Principal, practice_id: uuid.UUID, expected: int | None,
                 body: PracticeUpdate) -> None:
    """Change what is given; publishing (visibility: published) announces the practice to all tenants."""
    row = await school_row_or_404(session, principal, practices, practice_id, label="practice",
                                  column="origin_school_id", for_update=True)
    check_version(row["version"], expected)
    values: dict[str, Any] = body.model_dump(exclude_none=True, mode="json")
    if "tags" in values:
        values["tags"] = sorted(set(values["tags"]))
    publishing = body.visibility == Visibility.published and row["visibility"] != Visibility.published
    if row["visibility"] == Visibility.published and body.visibility not in (None, Visibility.published):
        raise Problem(409, "Published", "a published practice stays published (others may have adopted it)",
                      slug="already-published", errors=[{"field": "visibility", "message": "already published"}])
    if not values:
        return
    if publishing:
        values["published_at"] = func.now()
    await bump(session, practices, practice_id, principal, **values)
    if publishing:
        await _announce(session, principal.tenant_id, practice_id)


async def get(session: AsyncSession, principal: Principal, practice_id: uuid.UUID) -> PracticePublic:
    row = await get_or_404(session, practices, practice_id, principal.tenant_id, label="practice")
    if not await readable(session, principal, row):
        raise not_found("practice")
    return await public(session, row)


async def list_practices(session: AsyncSession, principal: Principal, page: PageRequest, changes: ChangeWindow,
                         tag: str | None, network_id: uuid.UUID | None) -> list[PracticePublic]:
    stmt = select(practices).where(practices.c.tenant_id == principal.tenant_id, *readable_clause(principal))
    if tag:
        stmt = stmt.where(practices.c.tags.any(tag))
    if network_id:
        stmt = stmt.where(practices.c.network_id == network_id)
    stmt = stmt.where(*await window_clauses(session, principal.tenant_id, changes, practices.c.change_version))
    return [await public(session, r) for r in await page_rows(session, stmt, practices.c.id, page)]


async def library(session: AsyncSession, page: PageRequest, tag: str | None) -> list[PublishedPractice]:
    """Every tenant's published practices (the one cross-tenant read)."""
    stmt = select(practices).where(PUBLISHED)
    if tag:
        stmt = stmt.where(practices.c.tags.any(tag))
    return [await published_view(session, r) for r in await page_rows(session, stmt, practices.c.id, page)]


async def library_view(session: AsyncSession, principal: Principal, practice_id: uuid.UUID) -> PublishedPractice:
    """A practice as the library shows it: any tenant's published one, or one of the caller's own (how it
    reads there before it is published); another tenant's unpublished practice is not found."""
    return await published_view(session, await _adoptable(session, principal, practice_id))


async def _adoptable(session: AsyncSession, principal: Principal, practice_id: uuid.UUID) -> Any:
    """A practice of the caller's tenant it may read, or another tenant's published one; anything else is
    not found."""
    row = (await session.execute(select(practices).where(
        practices.c.id == practice_id, or_(practices.c.tenant_id == principal.tenant_id, PUBLISHED))
    )).mappings().first()
    if row is None or (row["tenant_id"] == principal.tenant_id and not await readable(session, principal, row)):
        raise not_found("practice")
    return row


async def adopt(session: AsyncSession, principal: Principal, practice_id: uuid.UUID,
                body: AdoptionCreate) -> AdoptionPublic:
    tenant = principal.tenant_id
    practice = await _adoptable(session, principal, practice_id)
    await require_known(session, tenant, visible_schools(principal, "school_id", body.school_id),
                        visible_networks(principal, "network_id", body.network_id))
    if practice["tenant_id"] == tenant and body.school_id == practice["origin_school_id"]:
        raise Problem(409, "Own practice", "school_id: the origin school cannot adopt its own practice",
                      slug="own-practice", errors=[{"field": "school_id", "message": "the practice's origin"}])
    exists = (await session.execute(select(adoptions.c.id).where(
        adoptions.c.tenant_id == tenant, adoptions.c.practice_id == practice_id,
        adoptions.c.school_id == body.school_id))).first()
    if exists is not None:
        raise Problem(409, "Already adopted", "school_id: this school already adopted the practice",
                      slug="already-adopted", errors=[{"field": "school_id", "message": "already adopted"}])
    adoption_id = new_id()
    row = (await session.execute(insert(adoptions).values(
        id=adoption_id, tenant_id=tenant, practice_id=practice_id, practice_tenant_id=practice["tenant_id"],
        school_id=body.school_id, network_id=body.network_id, adopted_on=body.adopted_on,
        outcome_notes=body.outcome_notes).returning(*adoptions.c))).mappings().one()
    await emit(session, tenant, PracticeAdopted(adoption_id=adoption_id, practice_id=practice_id,
                                                practice_tenant_id=practice["tenant_id"], school_id=body.school_id,
                                                network_id=body.network_id, adopted_on=body.adopted_on))
    return AdoptionPublic.model_validate(dict(row))


async def adoptions_of(session: AsyncSession, principal: Principal, practice_id: uuid.UUID) -> list[AdoptionPublic]:
    """The caller's tenant's adoptions of a practice it may see."""
    await _adoptable(session, principal, practice_id)
    rows = await session.execute(select(adoptions).where(adoptions.c.tenant_id == principal.tenant_id,
                                                         *school_clause(principal, adoptions.c.school_id),
                                                         adoptions.c.practice_id == practice_id)
                                 .order_by(adoptions.c.adopted_on, adoptions.c.id))
    return [AdoptionPublic.model_validate(dict(r)) for r in rows.mappings()]
