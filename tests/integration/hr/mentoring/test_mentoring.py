"""Mentoring on PostgreSQL: a mentor of a higher stage, capacity, alerts and gap events, coverage."""

from __future__ import annotations

import uuid

from tests.integration.hr.conftest import Pipeline


async def _grace(api: Pipeline, days: int, capacity: int = 3) -> None:
    ladder = await api.ok("GET", "/ladder")
    version = ladder.pop("version")
    await api.ok("PUT", "/ladder", {**ladder, "mentoring_grace_days": days, "mentor_capacity": capacity},
                 headers={"If-Match": f'"{version}"'})


async def test_alert_opens_and_closes_when_a_mentor_is_assigned(api: Pipeline) -> None:
    await _grace(api, 0)
    school = await api.school()
    novice = await api.educator("novice_teacher", school)
    mentor = await api.educator("teacher_leader", school)
    alerts = await api.ok("GET", "/mentoring/alerts")
    assert [a["educator_id"] for a in alerts] == [novice["id"]] and not alerts[0]["gap_open"]
    opened = await api.ok("POST", "/mentoring/gaps")
    assert [a["educator_id"] for a in opened] == [novice["id"]]
    assert await api.ok("POST", "/mentoring/gaps") == []  # once per gap
    assert (await api.ok("GET", "/mentoring/coverage"))["schools"]["all"]["coverage"] == 0.0
    m = await api.ok("POST", "/mentorships", {"mentor_id": mentor["id"], "mentee_id": novice["id"]})
    assert await api.ok("GET", "/mentoring/alerts") == []
    assert (await api.ok("GET", "/mentoring/coverage"))["schools"][school]["coverage"] == 1.0
    types = [e["type"].removeprefix("org.improvenet.hr.") for e in await api.events()]
    assert types[-3:] == ["mentoring-gap.opened", "mentor.assigned", "mentoring-gap.closed"]
    ended = await api.ok("POST", f"/mentorships/{m['id']}/end", {})
    assert ended["ends_on"] is not None
    assert (await api.events())[-1]["type"].endswith("mentor.ended")


async def test_mentor_of_the_same_or_lower_stage_or_over_capacity_is_409(api: Pipeline) -> None:
    await _grace(api, 30, capacity=1)
    novice, other_novice = await api.educator("novice_teacher"), await api.educator("novice_teacher")
    peer = await api.educator("novice_teacher")
    mentor = await api.educator("intermediate_teacher")
    before = await api.count("outbox")
    same = await api.post("/mentorships", {"mentor_id": peer["id"], "mentee_id": novice["id"]})
    assert same.status_code == 409 and same.json()["errors"][0]["field"] == "mentor_id"
    unknown = await api.post("/mentorships", {"mentor_id": str(uuid.uuid4()), "mentee_id": novice["id"]})
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "mentor_id"
    assert await api.count("mentorship") == 0 and await api.count("outbox") == before
    await api.ok("POST", "/mentorships", {"mentor_id": mentor["id"], "mentee_id": novice["id"]})
    full = await api.post("/mentorships", {"mentor_id": mentor["id"], "mentee_id": other_novice["id"]})
    assert full.status_code == 409 and "capacity" in full.json()["detail"]
    twice = await api.post("/mentorships", {"mentor_id": mentor["id"], "mentee_id": novice["id"]})
    assert twice.status_code == 409
