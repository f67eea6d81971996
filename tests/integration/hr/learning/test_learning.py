"""Professional learning on PostgreSQL: recorded and emitted for strategy's reciprocity ledger."""

from __future__ import annotations

import uuid

from tests.integration.hr.conftest import Pipeline


async def test_learning_is_recorded_and_emitted(api: Pipeline) -> None:
    school = await api.school()
    teacher = await api.educator("intermediate_teacher", school)
    initiative = str(uuid.uuid4())
    body = {"educator_id": teacher["id"], "hours": 6.5, "topic_code": "literacy", "provider": "District PD",
            "completed_on": "2026-10-01", "initiative_id": initiative}
    r = await api.post("/professional-learning", body, headers={"Idempotency-Key": "pl-1"})
    assert r.status_code == 201, r.text
    again = await api.post("/professional-learning", body, headers={"Idempotency-Key": "pl-1"})
    assert again.json()["id"] == r.json()["id"]
    (event,) = await api.events("professional-learning.recorded")
    assert (event["educator_id"], event["school_id"], event["hours"], event["initiative_id"]) == (
        teacher["id"], school, 6.5, initiative)
    assert "District PD" not in str(event)
    listed = await api.ok("GET", f"/educators/{teacher['id']}/professional-learning")
    assert [x["hours"] for x in listed] == [6.5]


async def test_bad_learning_writes_nothing(api: Pipeline) -> None:
    teacher = await api.educator("intermediate_teacher")
    for body, field in (({"educator_id": str(uuid.uuid4()), "hours": 1, "completed_on": "2026-10-01"}, "educator_id"),
                        ({"educator_id": teacher["id"], "hours": 0, "completed_on": "2026-10-01"}, "hours"),
                        ({"educator_id": teacher["id"], "hours": 1}, "completed_on")):
        r = await api.post("/professional-learning", body)
        assert r.status_code == 422 and r.json()["errors"][0]["field"] == field
    assert await api.count("professional_learning") == 0
