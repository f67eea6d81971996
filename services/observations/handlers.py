"""What observations consumes: hr's directory events, into its local replica, and networks' problems of
practice, so a visit's `problem_of_practice_id` is checked locally."""

from __future__ import annotations

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from libs.common.events import Event
from libs.common.inbox import Consumer, consumer
from libs.contracts.networks import ProblemOfPracticePosed, ProblemOfPracticeResolved
from libs.directory import directory_consumer
from services.observations.models import DIRECTORY, problems_of_practice
from services.observations.settings import SERVICE


async def _upsert(session: AsyncSession, tenant_id: str, values: dict[str, object]) -> None:
    """Idempotent and order-safe: an older version never overwrites a newer one."""
    stmt = insert(problems_of_practice).values(tenant_id=tenant_id, **values)
    changed = {k: stmt.excluded[k] for k in values if k != "problem_of_practice_id"}
    await session.execute(stmt.on_conflict_do_update(
        index_elements=["problem_of_practice_id"], set_=changed,
        where=(problems_of_practice.c.version < stmt.excluded.version)
        & (problems_of_practice.c.tenant_id == stmt.excluded.tenant_id)))


async def posed(session: AsyncSession, event: Event, p: ProblemOfPracticePosed) -> None:
    await _upsert(session, event.tenant_id, {"problem_of_practice_id": p.problem_of_practice_id,
                                             "school_id": p.school_id, "network_id": p.network_id,
                                             "status": p.status, "version": p.version})


async def resolved(session: AsyncSession, event: Event, p: ProblemOfPracticeResolved) -> None:
    await _upsert(session, event.tenant_id, {"problem_of_practice_id": p.problem_of_practice_id,
                                             "school_id": p.school_id, "status": p.status, "version": p.version})


CONSUMERS: list[Consumer] = [
    directory_consumer(SERVICE, DIRECTORY),
    consumer(f"{SERVICE}.problems-of-practice", {ProblemOfPracticePosed: posed, ProblemOfPracticeResolved: resolved}),
]
