"""Rounds of writes for the partner tests: several aggregates, several versions each, interleaved over
many transactions, plus one event a buggy producer leaked personal data into."""

from __future__ import annotations

import dataclasses
import uuid
from collections import defaultdict
from typing import Any

from sqlalchemy import insert

from libs.common.db import unit_of_work
from libs.common.events import Event, new_event
from libs.common.outbox import outbox_row
from libs.common.tables import outbox
from libs.contracts.base import EventPayload
from libs.contracts.hr import (
    EDUCATOR_TOPIC,
    CareerStage,
    EducatorRegistered,
    EducatorUpdated,
    SchoolRegistered,
    SchoolUpdated,
)

PERSONAL = ("Ana", "Lopez", "ana@example.org", "given_name", "family_name", "email", "S-1")


async def write_round(rig: Any, tenant: str, *, schools: int = 3, educators: int = 5, versions: int = 3,
                      leak: bool = True) -> list[Event]:
    """Writes in many small transactions; returns the events in write order."""
    school_ids = [uuid.uuid4() for _ in range(schools)]
    educator_ids = [uuid.uuid4() for _ in range(educators)]
    written: list[Event] = []
    for v in range(1, versions + 1):
        batch: list[EventPayload] = []
        for n, s in enumerate(school_ids):
            cls = SchoolRegistered if v == 1 else SchoolUpdated
            batch.append(cls(school_id=s, district_id=None, name=f"School {n} v{v}", version=v))
        for e in educator_ids:
            cls2 = EducatorRegistered if v == 1 else EducatorUpdated
            batch.append(cls2(educator_id=e, school_id=school_ids[0], career_stage=CareerStage.novice_teacher,
                              version=v))
        for i in range(0, len(batch), 3):  # several transactions per version: aggregates interleave
            written += await rig.write(tenant, batch[i:i + 3])
    if leak:
        written.append(await leak_personal_data(rig, tenant, educator_ids[0], versions + 1))
    return written


async def leak_personal_data(rig: Any, tenant: str, educator_id: uuid.UUID, version: int) -> Event:
    """A producer bug: personal fields added to an event's payload (they must never reach a partner)."""
    event = new_event(EducatorUpdated(educator_id=educator_id, school_id=None,
                                      career_stage=CareerStage.intermediate_teacher, version=version),
                      service="hr", tenant_id=tenant)
    leaky = dataclasses.replace(event, data={**event.data, "given_name": "Ana", "family_name": "Lopez",
                                             "email": "ana@example.org", "staff_unique_id": "S-1"})
    async with unit_of_work(rig.service_sessions) as session:
        await session.execute(insert(outbox), [outbox_row(leaky, "educator", EDUCATOR_TOPIC)])
    return leaky


def ids(events: list[Event]) -> set[str]:
    return {str(e.id) for e in events}


def assert_in_order_per_aggregate(delivered: list[dict[str, Any]]) -> None:
    """Each aggregate's versions rise in the order of first arrival (a duplicate may repeat one)."""
    seen: set[str] = set()
    last: dict[str, int] = defaultdict(int)
    for ce in delivered:
        if ce["id"] in seen:
            continue
        seen.add(ce["id"])
        version = ce["data"]["version"]
        assert version > last[ce["subject"]], f"aggregate {ce['subject']}: v{version} after v{last[ce['subject']]}"
        last[ce["subject"]] = version


def assert_no_personal_data(raw: str) -> None:
    for personal in PERSONAL:
        assert personal not in raw, f"{personal!r} reached a partner"
