"""Leadership on PostgreSQL: responsibilities by stage, and networks' events through hr's consumer."""

from __future__ import annotations

import uuid
from datetime import date

from libs.common.db import create_engine, session_factory
from libs.common.events import new_event
from libs.contracts.networks import ChairReason, LeaderEmerged, MeetingHeld
from services.hr.handlers import CONSUMERS
from tests.integration.hr.conftest import Pipeline


async def test_responsibilities_are_for_intermediate_teachers_and_up(api: Pipeline) -> None:
    novice = await api.educator("novice_teacher")
    teacher = await api.educator("intermediate_teacher")
    body = {"title": "Grade-level team lead", "domains": ["collaborative_culture", "instruction"],
            "starts_on": "2026-09-01"}
    low = await api.post(f"/educators/{novice['id']}/responsibilities", body)
    assert low.status_code == 409
    bad = await api.post(f"/educators/{teacher['id']}/responsibilities", {**body, "domains": ["charisma"]})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"].startswith("domains")
    assert await api.count("responsibility") == 0
    assert (await api.post(f"/educators/{teacher['id']}/responsibilities", body)).status_code == 201
    listed = await api.ok("GET", f"/educators/{teacher['id']}/responsibilities")
    assert [r["source"] for r in listed] == ["recorded"]


async def test_meeting_held_and_leader_emerged_arrive_through_the_consumer(api: Pipeline) -> None:
    chair = await api.educator("intermediate_teacher")
    meeting = MeetingHeld(meeting_id=uuid.uuid4(), network_id=uuid.uuid4(), meeting_date=date(2026, 10, 2),
                          meeting_type="network", chair_id=uuid.UUID(chair["id"]), chair_reason=ChairReason.rotation,
                          attendee_ids=[])
    stranger = MeetingHeld(**{**meeting.model_dump(), "meeting_id": uuid.uuid4(), "chair_id": uuid.uuid4()})
    emerged = LeaderEmerged(educator_id=uuid.UUID(chair["id"]), network_id=None, period="2026-Q3", periods=2,
                            betweenness_percentile=0.92)
    (leadership,) = CONSUMERS
    assert set(leadership.topics) == {"networks.meeting", "networks.leadership"}
    engine = create_engine(api.url)
    try:
        sessions = session_factory(engine)
        for payload in (meeting, meeting, stranger, emerged):
            async with sessions() as session, session.begin():
                await leadership.handler(session, new_event(payload, service="networks", tenant_id="district-a"))
    finally:
        await engine.dispose()
    responsibilities = await api.ok("GET", f"/educators/{chair['id']}/responsibilities")
    assert len(responsibilities) == 1  # the same meeting twice is one responsibility
    assert responsibilities[0]["source"] == "network_meeting"
    assert responsibilities[0]["source_id"] == str(meeting.meeting_id)
    assert responsibilities[0]["domains"] == ["collaborative_culture", "professional_learning"]
    signals = await api.ok("GET", f"/educators/{chair['id']}/leadership-signals")
    assert [(s["period"], s["betweenness_percentile"]) for s in signals] == [("2026-Q3", 0.92)]
    assert await api.count("responsibility") == 1  # the unknown chair was skipped
