"""Commitments on PostgreSQL: never due before their meeting; a debrief's next level of work becomes the
host school's commitments (once, however often the event arrives); overdue ones counted and announced."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from libs.contracts.observations import NextLevelOfWorkItem, VisitDebriefed
from services.networks.commitments.service import announce_overdue
from tests.integration.networks.conftest import OTHER, Net


async def test_a_commitment_is_not_due_before_its_meeting(net: Net) -> None:
    n = await net.network()
    m = (await net.post("/meetings", {"network_id": n["id"], "meeting_date": "2026-10-10",
                                      "meeting_type": "learning_session", "agenda": [{"title": "a"}],
                                      "attendee_ids": [str(net.people[0])], "chair_id": str(net.people[0]),
                                      "chair_reason": "rotation"})).json()
    early = await net.post("/commitments", {"school_id": str(net.schools[0]), "meeting_id": m["id"],
                                            "description": "Try number talks", "due_on": "2026-10-09"}, status=422)
    assert early.json()["errors"][0]["field"] == "due_on"
    foreign = await net.post("/commitments", {"school_id": str(net.schools[0]), "educator_id": str(net.foreign_person),
                                              "description": "x", "due_on": "2026-10-11"}, status=422)
    assert foreign.json()["errors"][0]["field"] == "educator_id"
    assert await net.sql("SELECT count(*) FROM commitments") == 0
    c = (await net.post("/commitments", {"school_id": str(net.schools[0]), "meeting_id": m["id"],
                                         "educator_id": str(net.people[0]), "description": "Try number talks",
                                         "due_on": "2026-10-24"})).json()
    assert c["network_id"] == n["id"] and c["source"] == "meeting" and c["overdue"] is True  # 2026-10-24 is past
    fu = await net.client.post(f"/commitments/{c['id']}/follow-ups", json={"on": "2026-10-20", "note": "Started"},
                               headers={**net.auth(), "If-Match": '"1"'})
    assert fu.json()["follow_ups"] == [{"on": "2026-10-20", "note": "Started"}]
    done = await net.client.post(f"/commitments/{c['id']}/transitions", json={"to": "fulfilled", "on": "2026-10-23"},
                                 headers={**net.auth(), "If-Match": '"2"'})
    assert done.json()["status"] == "fulfilled" and done.json()["overdue"] is False
    assert (await net.client.get(f"/commitments/{c['id']}", headers=net.auth(OTHER))).status_code == 404
    types = [r["type"] for r in await net.rows("SELECT type FROM outbox WHERE topic = 'networks.commitment'")]
    assert types == ["org.improvenet.networks.commitment.made", "org.improvenet.networks.commitment.fulfilled"]


def debrief(net: Net, problem_id: uuid.UUID | None = None) -> VisitDebriefed:
    return VisitDebriefed(visit_id=uuid.uuid4(), school_id=net.schools[0], network_id=None, patterns=[],
                          recommendations=2, problem_of_practice_id=problem_id, next_level_of_work=[
                              NextLevelOfWorkItem(item_id=uuid.uuid4(), horizon="next_week", level="teacher",
                                                  description="Post sentence frames for explaining"),
                              NextLevelOfWorkItem(item_id=uuid.uuid4(), horizon="end_of_year", level="school",
                                                  description="Lesson study on reasoning",
                                                  due_on=date(2027, 5, 1))])


async def test_a_debriefs_next_level_of_work_becomes_the_host_schools_commitments(net: Net) -> None:
    p = (await net.post("/problems-of-practice", {"school_id": str(net.schools[0]), "statement": "s",
                                                  "evidence": "e", "theory_of_action": "t"})).json()
    payload = debrief(net, uuid.UUID(p["id"]))
    from libs.common.events import new_event
    event = new_event(payload, service="observations", tenant_id="district-a")
    assert await net.redeliver(event) == "applied"
    assert await net.redeliver(event) == "duplicate"
    listed = (await net.client.get(f"/commitments?school_id={net.schools[0]}", headers=net.auth())).json()["items"]
    by_horizon = {c["horizon"]: c for c in listed}
    assert set(by_horizon) == {"next_week", "end_of_year"} and all(c["source"] == "debrief" for c in listed)
    assert by_horizon["next_week"]["due_on"] == (event.time.date() + timedelta(days=7)).isoformat()
    assert by_horizon["end_of_year"]["due_on"] == "2027-05-01"
    assert all(c["problem_of_practice_id"] == p["id"] and c["visit_id"] == str(payload.visit_id) for c in listed)
    visits = (await net.client.get(f"/problems-of-practice/{p['id']}", headers=net.auth())).json()["visit_ids"]
    assert visits == [str(payload.visit_id)]
    # the same items in a new event (a re-sent debrief) make no second commitment
    assert await net.deliver(payload) == "applied"
    assert await net.sql("SELECT count(*) FROM commitments") == 2
    assert await net.sql("SELECT count(*) FROM outbox WHERE type = 'org.improvenet.networks.commitment.made'") == 2


async def test_overdue_commitments_are_counted_per_school_and_announced_once(net: Net) -> None:
    for school, due in [(0, "2026-01-10"), (0, "2026-02-10"), (1, "2099-01-01")]:
        await net.post("/commitments", {"school_id": str(net.schools[school]), "description": "x", "due_on": due})
    counts = {c["school_id"]: c for c in (await net.client.get("/commitment-counts", headers=net.auth())).json()}
    assert counts[str(net.schools[0])]["overdue"] == 2 and counts[str(net.schools[1])]["overdue"] == 0
    assert counts[str(net.schools[1])]["open"] == 1
    overdue = (await net.client.get("/commitments?overdue=true", headers=net.auth())).json()["items"]
    assert len(overdue) == 2
    async with net.app.state.sessions() as session, session.begin():
        assert await announce_overdue(session, date(2026, 12, 1)) == 2
    async with net.app.state.sessions() as session, session.begin():
        assert await announce_overdue(session, date(2026, 12, 1)) == 0
    went_overdue = "org.improvenet.networks.commitment.went-overdue"
    assert await net.sql(f"SELECT count(*) FROM outbox WHERE type = '{went_overdue}'") == 2
    assert (await net.client.get("/commitment-counts", headers=net.auth(OTHER))).json() == []
