"""hr's consumers: networks' meetings (a chair's responsibility) and emerging leaders (a signal).

hr consumes no observation events: rounds evidence never feeds evaluation or feedback on practice.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from libs.common.events import Event
from libs.common.inbox import Consumer, consumer
from libs.contracts.networks import LeaderEmerged, MeetingHeld
from services.hr.leadership import service as leadership


async def on_meeting_held(session: AsyncSession, event: Event, payload: Any) -> None:
    await leadership.meeting_held(session, event.tenant_id, payload)


async def on_leader_emerged(session: AsyncSession, event: Event, payload: Any) -> None:
    await leadership.leader_emerged(session, event.tenant_id, payload)


CONSUMERS: list[Consumer] = [
    consumer("hr.leadership", {MeetingHeld: on_meeting_held, LeaderEmerged: on_leader_emerged}),
]
