"""Scheduling visits: bad input names the field and writes nothing."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.integration.observations.conftest import Obs

BAD_VISITS = [
    ("observer from another tenant", {"observer_ids": ["FOREIGN"]}, "observer_ids[0]"),
    ("unknown school", {"school_id": str(uuid.uuid4())}, "school_id"),
    ("teacher from another tenant", {"classrooms": [{"grade": "3", "subject": "m", "room": "1",
                                                     "teacher_id": "FOREIGN"}]}, "classrooms[0].teacher_id"),
    ("no classrooms", {"classrooms": []}, "classrooms"),
    ("unknown protocol version", {"protocol_version_id": str(uuid.uuid4())}, "protocol_version_id"),
]


@pytest.mark.parametrize(("case", "overrides", "field"), BAD_VISITS, ids=[c[0] for c in BAD_VISITS])
async def test_bad_visits_name_the_field_and_write_nothing(obs: Obs, case: str, overrides: dict[str, Any],
                                                           field: str) -> None:
    version = (await obs.protocol())["versions"][0]["id"]
    body = obs.visit_body(version, **overrides)
    body = {k: ([str(obs.foreign_educator) if x == "FOREIGN" else x for x in v] if k == "observer_ids" else v)
            for k, v in body.items()}
    for room in body["classrooms"]:
        if room.get("teacher_id") == "FOREIGN":
            room["teacher_id"] = str(obs.foreign_educator)
    r = await obs.client.post("/visits", json=body, headers=obs.auth())
    assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json"
    assert field in [e["field"] for e in r.json()["errors"]]
    assert await obs.sql("SELECT count(*) FROM visits") == 0
    assert await obs.sql("SELECT count(*) FROM outbox WHERE topic = 'observations.visit'") == 0
