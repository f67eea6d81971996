"""Reading a tenant's ladder (the default one until the tenant sets its own)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.hr.ladder.rules import DEFAULT_LADDER, LadderConfig
from services.hr.models import Ladder

LADDERS = Ladder.__table__  # type: ignore[attr-defined]


async def load(session: AsyncSession, tenant_id: str) -> tuple[LadderConfig, int]:
    """The tenant's ladder and its version (0: the platform's default, never changed)."""
    row = (await session.execute(select(LADDERS.c.config, LADDERS.c.version)
                                 .where(LADDERS.c.tenant_id == tenant_id))).first()
    if row is None:
        return DEFAULT_LADDER, 0
    return LadderConfig.model_validate(row.config), row.version
