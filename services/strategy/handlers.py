"""What strategy consumes: hr's directory (its replica), observations' practice-quality index,
hr's professional learning (capacity invested) and networks' improvement cycles (chart marks).

Each handler is idempotent twice over: the inbox drops a redelivered event, and each write is an
upsert keyed by the producer's id (or by school, measure and period), so a replay changes nothing.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from libs.common.events import Event
from libs.common.inbox import Consumer, consumer
from libs.contracts.hr import ProfessionalLearningRecorded
from libs.contracts.networks import CycleStudied
from libs.contracts.observations import QualityIndexUpdated
from libs.directory import directory_consumer
from services.strategy.fields import QUALITY_MEASURE
from services.strategy.measurements import service as measurements
from services.strategy.models import DIRECTORY
from services.strategy.reciprocity.service import reassess
from services.strategy.settings import SERVICE

LEARNING = text(
    "INSERT INTO learning_hours (tenant_id, learning_id, school_id, hours, topic_code, completed_on, initiative_id) "
    "VALUES (:t, :id, :school, :hours, :topic, :on, :initiative) ON CONFLICT (tenant_id, learning_id) DO UPDATE SET "
    "school_id = EXCLUDED.school_id, hours = EXCLUDED.hours, topic_code = EXCLUDED.topic_code, "
    "completed_on = EXCLUDED.completed_on, initiative_id = EXCLUDED.initiative_id")
CYCLE = text(
    "INSERT INTO cycle_marks (tenant_id, cycle_id, school_id, studied_on, decision) VALUES (:t, :id, :school, :on, :d) "
    "ON CONFLICT (tenant_id, cycle_id) DO UPDATE SET school_id = EXCLUDED.school_id, "
    "studied_on = EXCLUDED.studied_on, decision = EXCLUDED.decision")


def quality_values(p: QualityIndexUpdated) -> dict[str, float]:
    """The overall index and each look-for's share, as measures of the school's series."""
    values = {f"{QUALITY_MEASURE}.{code}": float(share) for code, share in p.shares.items()}
    if p.overall is not None:
        values[QUALITY_MEASURE] = float(p.overall)
    return values


async def on_quality(session: AsyncSession, event: Event, p: QualityIndexUpdated) -> None:
    await measurements.record(session, event.tenant_id, p.school_id, quality_values(p), p.period, "observations")


async def on_learning(session: AsyncSession, event: Event, p: ProfessionalLearningRecorded) -> None:
    await session.execute(LEARNING, {"t": event.tenant_id, "id": p.learning_id, "school": p.school_id,
                                     "hours": p.hours, "topic": p.topic_code, "on": p.completed_on,
                                     "initiative": p.initiative_id})
    if p.school_id is not None:
        await reassess(session, event.tenant_id, p.school_id)


async def on_cycle(session: AsyncSession, event: Event, p: CycleStudied) -> None:
    await session.execute(CYCLE, {"t": event.tenant_id, "id": p.cycle_id, "school": p.school_id, "on": p.studied_on,
                                  "d": p.decision})


CONSUMERS: list[Consumer] = [
    directory_consumer(SERVICE, DIRECTORY),
    consumer(f"{SERVICE}.quality", {QualityIndexUpdated: on_quality}),
    consumer(f"{SERVICE}.capacity", {ProfessionalLearningRecorded: on_learning}),
    consumer(f"{SERVICE}.cycles", {CycleStudied: on_cycle}),
]
