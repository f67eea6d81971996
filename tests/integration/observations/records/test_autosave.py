"""Autosave answers with the saved record, built from the write's own rows: it must equal a fresh read."""

from __future__ import annotations

from tests.integration.observations.conftest import Obs


async def test_autosave_answers_what_a_read_returns(obs: Obs) -> None:
    version = (await obs.protocol())["versions"][0]["id"]
    visit = (await obs.client.post("/visits", json=obs.visit_body(version), headers=obs.auth())).json()
    r = await obs.client.post(f"/visits/{visit['id']}/records", headers=obs.auth(), json={
        "classroom_id": visit["classrooms"][0]["id"], "observer_id": str(obs.educators[0]), "notes": []})
    notes = [  # sent out of order: the record lists them by the time they were observed
        {"observed_at": "2026-11-24T09:10:00Z", "text": "Students were engaged", "look_for_codes": [],
         "language": "en"},
        {"observed_at": "2026-11-24T09:00:00Z", "text": "Teacher asks: 'Who solved it another way?'",
         "look_for_codes": [], "language": "en"},
    ]
    saved = await obs.client.patch(f"/records/{r.json()['id']}", headers={**obs.auth(), "If-Match": '"1"'},
                                   json={"notes": notes})
    assert saved.status_code == 200, saved.text
    assert saved.headers["etag"] == '"2"'
    read = await obs.client.get(f"/records/{r.json()['id']}", headers=obs.auth())
    assert saved.json() == read.json()
    assert saved.headers["etag"] == read.headers["etag"]
    assert [n["observed_at"][:16] for n in saved.json()["notes"]] == ["2026-11-24T09:00", "2026-11-24T09:10"]
    assert [n["verdict"] for n in saved.json()["notes"]] == ["descriptive", "evaluative"]
    assert saved.json()["notes"][0]["quotes"] == ["Who solved it another way?"]
