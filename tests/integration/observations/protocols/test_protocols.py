"""Protocol versions on PostgreSQL."""

from __future__ import annotations

from tests.integration.observations.conftest import LOOK_FORS, Obs


async def test_a_new_protocol_version_leaves_old_records_alone(obs: Obs) -> None:
    protocol = await obs.protocol()
    v1 = protocol["versions"][0]["id"]
    visit = (await obs.client.post("/visits", json=obs.visit_body(v1), headers=obs.auth())).json()
    record = await obs.client.post(f"/visits/{visit['id']}/records", headers=obs.auth(), json={
        "classroom_id": visit["classrooms"][0]["id"], "observer_id": str(obs.educators[0]),
        "notes": [{"observed_at": "2026-11-24T09:00:00Z", "text": "Student explains", "look_for_codes": ["S1"]}]})
    assert record.status_code == 201
    v2 = await obs.client.post(f"/protocols/{protocol['id']}/versions", headers=obs.auth(), json={
        "look_fors": [{"code": "E1", "description": "Anchor charts", "domain": "environment"}]})
    assert [v["number"] for v in v2.json()["versions"]] == [1, 2]
    assert v2.json()["versions"][0]["look_fors"] == [{**lf, "weight": 1.0} for lf in LOOK_FORS]  # weight: issue 10
    # the visit still pins version 1: S1 is still a look-for there, E1 is not
    bad = await obs.client.patch(f"/records/{record.json()['id']}", headers={**obs.auth(), "If-Match": '"1"'}, json={
        "notes": [{"observed_at": "2026-11-24T09:01:00Z", "text": "Chart on wall", "look_for_codes": ["E1"]}]})
    assert bad.status_code == 422
