"""observations' part of the tenant export (libs/common/export.py): the teacher of a classroom is shown
only to the host school's own staff, so the export, read for the whole tenant, never names one, whatever
the token's scopes."""

from __future__ import annotations

import json

from tests.integration.observations.conftest import SCOPES, Obs


async def test_the_export_never_names_a_classrooms_teacher(obs: Obs) -> None:
    """Issue 10's rule (visits/access.py may_identify) was bypassed here: any token for the whole tenant
    with observations:identify received every school's teachers."""
    version = (await obs.protocol())["versions"][0]["id"]
    teacher = obs.educators[2]
    await obs.ok("POST", "/visits", obs.visit_body(version, classrooms=[
        {"grade": "3", "subject": "math", "room": "12", "teacher_id": str(teacher)}]), 201)
    for scopes in ([*SCOPES, "observations:identify"], [*SCOPES, "observations:identify", "admin"]):
        for subject in ("cli_district_export", str(obs.educators[0])):
            headers = obs.auth(scopes=scopes, subject=subject)
            index = await obs.client.get("/export", headers=headers)
            assert index.status_code == 200, index.text
            resources = {r["name"]: r for r in index.json()["resources"]}
            assert resources["classrooms"]["personal_fields"] == ["teacher_id"]
            assert resources["classrooms"]["personal_included"] is False
            rows = await obs.client.get("/export/classrooms", headers=headers)
            assert rows.status_code == 200
            exported = [json.loads(line) for line in rows.text.splitlines()]
            assert len(exported) == 1 and "teacher_id" not in exported[0]
            assert str(teacher) not in rows.text
    assert await obs.sql("SELECT count(*) FROM outbox WHERE topic = 'platform.audit'") == 0
