"""A polled batch of hr's directory events applied set-based (libs/directory's batch handler, the inbox's
one-statement claim) on a real PostgreSQL: the replica ends as one event at a time would leave it, whatever
the order inside the batch, and a duplicate inside or across batches changes nothing."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from libs.common.bus import Delivery, Message
from libs.common.events import Event, new_event
from libs.common.inbox import ConsumerRunner
from libs.contracts.base import EventPayload
from libs.contracts.hr import CareerStage, EducatorRegistered, EducatorRemoved, EducatorUpdated, SchoolRegistered
from libs.directory import directory_consumer
from services.networks.models import DIRECTORY
from tests.conftest import build_component, new_database

TENANT = "district-a"


class Committed:
    """The subscription's offset commit (the bus is not under test here: the database side is)."""

    def __init__(self) -> None:
        self.offsets: list[int] = []

    async def commit(self, deliveries: Sequence[Delivery]) -> None:
        self.offsets += [d.offset for d in deliveries]


def deliveries(events: Sequence[Event]) -> list[Delivery]:
    return [Delivery(Message("hr.educator", e.subject, e.value(), e.headers()), 0, i) for i, e in enumerate(events)]


def event(payload: EventPayload) -> Event:
    return new_event(payload, service="hr", tenant_id=TENANT)


@pytest.fixture
async def runner(pg_server: str, keys_dir: Path) -> AsyncIterator[tuple[ConsumerRunner, Any]]:
    url = await new_database(pg_server, "networks", service="networks")
    app = build_component("networks", pg_server, url, keys_dir)
    async with app.router.lifespan_context(app):
        yield ConsumerRunner(None, app.state.sessions, directory_consumer("networks", DIRECTORY)), app  # type: ignore[arg-type]


async def replica(app: Any) -> dict[uuid.UUID, tuple[Any, ...]]:
    async with app.state.engine.connect() as conn:
        rows = await conn.execute(text("SELECT educator_id, school_id, career_stage, version, removed "
                                       "FROM educator_directory WHERE tenant_id = :t"), {"t": TENANT})
        return {r[0]: tuple(r[1:]) for r in rows}


async def test_a_batch_out_of_order_ends_as_the_newest_versions_say(runner: tuple[ConsumerRunner, Any]) -> None:
    consumer, app = runner
    school, moved_to = uuid.uuid4(), uuid.uuid4()
    a, b, c = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    novice, leader = CareerStage("novice_teacher"), CareerStage("teacher_leader")
    batch = [
        event(EducatorUpdated(educator_id=a, school_id=moved_to, career_stage=leader, version=3)),  # newest first
        event(EducatorRegistered(educator_id=a, school_id=school, career_stage=novice, version=1)),
        event(EducatorUpdated(educator_id=a, school_id=school, career_stage=novice, version=2)),
        event(EducatorRegistered(educator_id=b, school_id=school, career_stage=novice, version=1)),
        event(EducatorRemoved(educator_id=b, version=2)),
        event(EducatorRegistered(educator_id=c, school_id=school, career_stage=novice, version=1)),
        event(SchoolRegistered(school_id=school, district_id=None, name="Alder Creek", version=1)),
    ]
    batch.append(batch[3])  # the same event twice in one poll
    offsets = Committed()
    await consumer.process(offsets, deliveries(batch))  # type: ignore[arg-type]
    assert offsets.offsets == list(range(len(batch)))
    assert consumer.outcomes == {"applied": 7, "duplicate": 1}
    assert await replica(app) == {a: (moved_to, "teacher_leader", 3, False), b: (school, "novice_teacher", 2, True),
                                  c: (school, "novice_teacher", 1, False)}
    async with app.state.engine.connect() as conn:
        assert await conn.scalar(text("SELECT name FROM school_directory WHERE school_id = :s"), {"s": school}) \
            == "Alder Creek"
        assert await conn.scalar(text("SELECT count(*) FROM inbox WHERE consumer_group = 'networks.directory'")) == 7

    # the whole batch again, as after a crash before the offsets were committed: nothing changes
    await consumer.process(Committed(), deliveries(batch))  # type: ignore[arg-type]
    assert consumer.outcomes == {"applied": 7, "duplicate": 9}
    assert (await replica(app))[a] == (moved_to, "teacher_leader", 3, False)


async def test_a_bad_event_in_a_batch_is_dead_lettered_alone(runner: tuple[ConsumerRunner, Any],
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    consumer, app = runner
    good = event(EducatorRegistered(educator_id=uuid.uuid4(), school_id=None,
                                    career_stage=CareerStage("novice_teacher"), version=1))
    bad = event(EducatorRemoved(educator_id=uuid.uuid4(), version=1))
    bad.data["version"] = "not a number"  # a producer's bug: the payload no longer validates
    dead: list[str] = []

    async def dead_letter(delivery: Delivery, exc: BaseException, *, attempts: int) -> None:
        dead.append(delivery.message.key)

    monkeypatch.setattr(consumer, "_dead_letter", dead_letter)
    monkeypatch.setattr(consumer, "_retry_delay", 0)
    await consumer.process(Committed(), deliveries([good, bad]))  # type: ignore[arg-type]
    assert dead == [bad.subject]
    assert [str(k) for k in await replica(app)] == [good.data["educator_id"]]
