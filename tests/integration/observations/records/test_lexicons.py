"""A tenant's lexicon changes the evidence check."""

from __future__ import annotations

from tests.integration.observations.conftest import Obs


async def test_a_tenant_lexicon_changes_verdicts(obs: Obs) -> None:
    version = (await obs.protocol())["versions"][0]["id"]
    visit = (await obs.client.post("/visits", json=obs.visit_body(version), headers=obs.auth())).json()
    note = {"observed_at": "2026-11-24T09:00:00Z", "text": "El ritmo fue lento", "look_for_codes": [],
            "language": "es"}
    r = await obs.client.post(f"/visits/{visit['id']}/records", headers=obs.auth(), json={
        "classroom_id": visit["classrooms"][0]["id"], "observer_id": str(obs.educators[0]), "notes": [note]})
    assert r.json()["notes"][0]["descriptive"] is True
    put = await obs.client.put("/lexicons/es", json={"judgement": ["lento"]}, headers=obs.auth())
    assert put.status_code == 204
    again = await obs.client.patch(f"/records/{r.json()['id']}", headers={**obs.auth(), "If-Match": '"1"'},
                                   json={"notes": [note]})
    assert again.json()["notes"][0]["descriptive"] is False
    assert again.json()["notes"][0]["flags"][0]["term"] == "lento"

