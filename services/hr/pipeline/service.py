"""Use cases of leadership posts (what succession is measured against)."""

from __future__ import annotations

import uuid

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from libs.common.auth import Principal
from libs.common.problems import Problem
from libs.common.repository import reference, require_known
from services.hr import scope
from services.hr.models import Educator, LeadershipPost, School, utcnow
from services.hr.pipeline import projection
from services.hr.pipeline.schemas import PostCreate, PostPublic

POSTS = LeadershipPost.__table__  # type: ignore[attr-defined]


async def create_post(session: AsyncSession, principal: Principal, body: PostCreate) -> PostPublic:
    scope.check_school(principal, "school_id", body.school_id)
    await require_known(session, principal.tenant_id, reference(School, "school", "school_id", body.school_id),
                        reference(Educator, "educator", "incumbent_id", body.incumbent_id))
    now = utcnow()
    row = (await session.execute(insert(POSTS).values(
        id=uuid.uuid4(), tenant_id=principal.tenant_id, version=1, created_at=now, updated_at=now,
        **body.model_dump()).returning(*POSTS.c))).mappings().one()
    await projection.changed(session, principal.tenant_id)
    return PostPublic.model_validate(dict(row))


async def list_posts(session: AsyncSession, principal: Principal) -> list[PostPublic]:
    stmt = select(POSTS).where(POSTS.c.tenant_id == principal.tenant_id).order_by(POSTS.c.created_at)
    if (reachable := scope.school_ids(principal)) is not None:
        stmt = stmt.where(POSTS.c.school_id.in_(reachable))
    return [PostPublic.model_validate(dict(r)) for r in (await session.execute(stmt)).mappings().all()]


async def analytics(session: AsyncSession, principal: Principal) -> str:
    """The tenant's figures as JSON (PipelineAnalytics), from the projection: tenant-wide, so a token
    limited to some schools may not read them."""
    if principal.schools is not None:
        raise Problem(403, "Forbidden", "pipeline analytics are tenant-wide: a client limited to some schools "
                      "cannot read them", slug="outside-school-scope")
    return await projection.analytics(session, principal.tenant_id)
