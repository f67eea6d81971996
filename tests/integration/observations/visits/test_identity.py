"""Teacher identity: only the host school's own staff (per hr's directory) with observations:identify."""

from __future__ import annotations

import uuid

from tests.integration.observations.conftest import SCOPES, Obs

IDENTIFY = [*SCOPES, "observations:identify"]


async def test_a_token_for_several_schools_sees_no_teacher(obs: Obs) -> None:
    """Issue 10: "own staff" was the token's school list, so a network or district client limited to
    several schools saw the teachers of all of them."""
    version = (await obs.protocol())["versions"][0]["id"]
    teacher, staff = obs.educators[2], obs.educators[0]
    await obs.sql("UPDATE educator_directory SET school_id = $1 WHERE educator_id = $2", obs.school, staff)
    visit = (await obs.ok("POST", "/visits", obs.visit_body(version, classrooms=[
        {"grade": "3", "subject": "math", "room": "12", "teacher_id": str(teacher)}]), 201)).json()
    path = f"/visits/{visit['id']}"
    network = obs.auth(scopes=IDENTIFY, schools=[str(obs.school), str(uuid.uuid4())], subject="cli_network")
    seen = (await obs.client.get(path, headers=network)).json()
    assert seen["classrooms"][0]["teacher_id"] is None
    visitor = obs.auth(scopes=IDENTIFY, schools=[str(obs.school)], subject=str(obs.educators[1]))  # not its staff
    assert (await obs.client.get(path, headers=visitor)).json()["classrooms"][0]["teacher_id"] is None
    assert await obs.sql("SELECT count(*) FROM outbox WHERE topic = 'platform.audit'") == 0
    host = obs.auth(scopes=IDENTIFY, subject=str(staff))
    assert (await obs.client.get(path, headers=host)).json()["classrooms"][0]["teacher_id"] == str(teacher)
    assert await obs.sql("SELECT count(*) FROM outbox WHERE topic = 'platform.audit'") == 1
    no_scope = obs.auth(subject=str(staff))
    assert (await obs.client.get(path, headers=no_scope)).json()["classrooms"][0]["teacher_id"] is None
