"""Meetings on PostgreSQL: the chair must attend, references checked, the chair suggestion follows
expertise over position, the leadership index, the meeting.held event."""

from __future__ import annotations

import uuid
from typing import Any

from tests.integration.networks.conftest import OTHER, Net


def meeting(n: dict[str, Any], net: Net, attendees: list[int], chair: int, day: str = "2026-10-01",
            reason: str = "expertise", tags: list[str] | None = None, **extra: Any) -> dict[str, Any]:
    return {"network_id": n["id"], "meeting_date": day, "meeting_type": "learning_session",
            "agenda": [{"title": "Talk moves", "tags": tags or ["talk"]}],
            "attendee_ids": [str(net.people[p]) for p in attendees], "chair_id": str(net.people[chair]),
            "chair_reason": reason, **extra}


async def test_a_meeting_records_chair_reason_attendance_and_norms(net: Net) -> None:
    n = await net.network()
    r = await net.post("/meetings", meeting(n, net, [0, 1, 2], 1))
    m = r.json()
    assert m["chair_reason"] == "expertise" and m["norms_version"] == 1 and r.headers["location"].endswith(m["id"])
    payload = await net.sql("SELECT payload FROM outbox WHERE type = 'org.improvenet.networks.meeting.held'")
    import json
    held = json.loads(payload)
    assert held["chair_id"] == str(net.people[1]) and held["chair_reason"] == "expertise"
    assert sorted(held["attendee_ids"]) == sorted(str(net.people[p]) for p in [0, 1, 2])
    assert await net.sql("SELECT count(*) FROM interactions WHERE kind = 'co_attendance'") == 3


BAD = [
    ("chair who did not attend", {"chair_id": "P5"}, "chair_id", 422),
    ("unknown attendee", {"attendee_ids": ["P0", "UNKNOWN"]}, "attendee_ids[1]", 422),
    ("foreign attendee", {"attendee_ids": ["P0", "FOREIGN"]}, "attendee_ids[1]", 422),
    ("unknown network", {"network_id": "UNKNOWN"}, "network_id", 422),
    ("host outside the network", {"host_school_id": "S3"}, "host_school_id", 422),
    ("unknown problem of practice", {"problem_of_practice_id": "UNKNOWN"}, "problem_of_practice_id", 422),
]


async def test_bad_meetings_name_the_field_and_write_nothing(net: Net) -> None:
    n = await net.network(schools=net.schools[:3])
    marks = {"P0": str(net.people[0]), "P5": str(net.people[5]), "FOREIGN": str(net.foreign_person),
             "S3": str(net.schools[3])}
    for case, overrides, field, status in BAD:
        body = meeting(n, net, [0, 1], 0)
        for k, v in overrides.items():
            value: Any = [marks.get(x, str(uuid.uuid4())) for x in v] if isinstance(v, list) else marks.get(
                v, str(uuid.uuid4()))
            body[k] = value
        r = await net.post("/meetings", body, status=status)
        assert field in [e["field"] for e in r.json()["errors"]], (case, r.text)
    assert await net.sql("SELECT count(*) FROM meetings") == 0
    assert await net.sql("SELECT count(*) FROM interactions") == 0
    assert await net.sql("SELECT count(*) FROM outbox WHERE topic = 'networks.meeting'") == 0


async def test_the_chair_suggestion_follows_expertise_not_position(net: Net) -> None:
    n = await net.network(kind="mixed")
    for p in range(4):  # principals: coordinators by position, no expertise in the agenda's tags
        await net.post(f"/networks/{n['id']}/members", {"educator_id": str(net.people[p]),
                       "school_id": str(net.schools[p]), "role": "coordinator", "starts_on": "2026-09-01"})
    await net.member(n, 4, tags=["talk"])  # the model teacher knows one tag; a practice she wrote, the other
    await net.post("/practices", {"title": "Number talks", "description": "d", "origin_school_id": str(net.schools[0]),
                                  "contributor_ids": [str(net.people[4])], "stage": "fair_to_good",
                                  "tags": ["reasoning"]})
    url = f"/networks/{n['id']}/chair-suggestion?tags=talk&tags=reasoning"
    s = (await net.client.get(url, headers=net.auth())).json()
    top = s["candidates"][0]
    assert top["educator_id"] == str(net.people[4]) and top["reason"] == "expertise"
    assert top["matched_tags"] == ["reasoning", "talk"] and top["expertise"] == 1.0
    assert "knows 2 of the agenda's 2 tags" in top["explanation"]
    assert all(c["expertise"] == 0 for c in s["candidates"][1:]) and len(s["candidates"]) == 5
    # she chairs; next time she still leads on expertise, but her turn is spent
    await net.post("/meetings", meeting(n, net, [0, 1, 4], 4, tags=["talk", "reasoning"]))
    s = (await net.client.get(url, headers=net.auth())).json()
    assert s["candidates"][0]["educator_id"] == str(net.people[4]) and s["candidates"][0]["turn"] == 0
    assert "chaired the last meeting" in s["candidates"][0]["explanation"]
    only = (await net.client.get(url + f"&attendee_ids={net.people[0]}", headers=net.auth())).json()
    assert [c["educator_id"] for c in only["candidates"]] == [str(net.people[0])]
    assert (await net.client.get(url, headers=net.auth(OTHER))).status_code == 404


async def test_the_distributed_leadership_index(net: Net) -> None:
    n = await net.network()
    for p in range(4):
        await net.member(n, p)
    await net.post("/meetings", meeting(n, net, [0, 1], 0, "2026-09-10", "position"))
    await net.post("/meetings", meeting(n, net, [0, 1], 1, "2026-10-10", "expertise"))
    leadership = (await net.client.get(f"/networks/{n['id']}/leadership", headers=net.auth())).json()
    sept, octo = leadership["network"]
    assert sept == {"period": "2026-09", "meetings": 1, "share": 0.0, "spread": 0.0, "index": 0.0}
    # two meetings, chaired by two of four members: share 1/2, spread (1 - 1/2) / (1 - 1/4) = 2/3
    assert octo["meetings"] == 2 and octo["share"] == 0.5 and octo["spread"] == 0.6667
    assert octo["index"] == round((0.5 + 2 / 3) / 2, 4)
    school0 = leadership["schools"][str(net.schools[0])]
    assert school0[-1]["meetings"] == 1 and school0[-1]["share"] == 0.0
