"""Residencies on PostgreSQL: in another school under a principal, 409 in the resident's own."""

from __future__ import annotations

import uuid

from tests.integration.hr.conftest import Pipeline


async def test_a_residency_in_another_school(api: Pipeline) -> None:
    hamilton, lincoln = await api.school("Hamilton"), await api.school("Lincoln")
    resident = await api.educator("principal_resident", hamilton)
    supervisor = await api.educator("principal", lincoln)
    body = {"resident_id": resident["id"], "school_id": lincoln, "supervisor_id": supervisor["id"],
            "starts_on": "2026-08-15", "goals": "lead the literacy cycle"}
    before = await api.count("outbox")
    own = await api.post("/residencies", {**body, "school_id": hamilton})
    assert own.status_code == 409 and own.json()["errors"][0]["field"] == "school_id"
    unknown = await api.post("/residencies", {**body, "supervisor_id": str(uuid.uuid4())})
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "supervisor_id"
    not_principal = await api.post("/residencies", {**body, "supervisor_id": resident["id"]})
    assert not_principal.status_code == 409
    assert await api.count("residency") == 0 and await api.count("outbox") == before
    r = await api.ok("POST", "/residencies", body)
    assert r["status"] == "active"
    assert (await api.post("/residencies", body)).status_code == 409  # one active residency
    ended = await api.ok("POST", f"/residencies/{r['id']}/end", {"ends_on": "2027-06-30"})
    assert ended["status"] == "ended"
    types = [e["type"].removeprefix("org.improvenet.hr.") for e in await api.events()]
    assert types[-2:] == ["residency.started", "residency.ended"]
    assert "literacy" not in str(await api.events())
