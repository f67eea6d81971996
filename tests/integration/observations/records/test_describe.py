"""Describe: each observer brings their own notes to the debrief; nobody selects a colleague's. The
record's submission event says that it happened and carries no figure of a classroom or an observer."""

from __future__ import annotations

import json

from tests.integration.observations.conftest import Obs


async def test_only_the_notes_own_observer_selects_it(obs: Obs) -> None:
    visit = await obs.running_visit()  # one record, by the first observer
    note = (await obs.ok("GET", f"/visits/{visit['id']}/notes")).json()[0]
    owner, colleague = obs.educators[0], obs.educators[1]
    refused = await obs.client.put(f"/notes/{note['id']}/selection", json={"selected": True},
                                   headers=obs.auth(subject=str(colleague)))
    assert refused.status_code == 403 and refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["type"].endswith("/not-your-note")
    assert [e["field"] for e in refused.json()["errors"]] == ["selected"]
    assert await obs.sql("SELECT count(*) FROM notes WHERE selected") == 0  # nothing written
    other_tenant = await obs.client.put(f"/notes/{note['id']}/selection", json={"selected": True},
                                        headers=obs.auth("district-b", subject=str(obs.foreign_educator)))
    assert other_tenant.status_code == 404
    mine = await obs.client.put(f"/notes/{note['id']}/selection", json={"selected": True},
                                headers=obs.auth(subject=str(owner)))
    assert mine.status_code == 200 and mine.json()["selected"] is True
    withdrawn = await obs.client.put(f"/notes/{note['id']}/selection", json={"selected": False},
                                     headers=obs.auth(subject=str(colleague)))
    assert withdrawn.status_code == 403 and await obs.sql("SELECT count(*) FROM notes WHERE selected") == 1
    # a client that is no educator (the team's device, a coordinator's tool) acts for the team, as it
    # captures records for the observers
    assert (await obs.client.put(f"/notes/{note['id']}/selection", json={"selected": False},
                                 headers=obs.auth(subject="cli_team_tablet"))).status_code == 200


async def test_a_submitted_record_leaves_no_figure_in_its_event(obs: Obs) -> None:
    """Issue 10: no per-classroom figure leaves the service, and observers' figures are theirs: the event
    carried the classroom, the look-fors seen there and the observer's counts of (descriptive) notes."""
    visit = await obs.running_visit(rooms=2)
    rows = await obs.rows("SELECT payload, headers FROM outbox "
                          "WHERE type = 'org.improvenet.observations.record.submitted'")
    payloads = [json.loads(r["payload"]) for r in rows]
    records = {r["id"]: r for r in (await obs.ok("GET", f"/visits/{visit['id']}/records")).json()}
    assert len(payloads) == 2
    for payload in payloads:
        assert set(payload) == {"record_id", "visit_id", "school_id", "observer_id"}, payload
        assert payload["record_id"] in records and payload["observer_id"] == str(obs.educators[0])
    text = json.dumps(payloads)
    assert not any(r["classroom_id"] in text for r in records.values())
    schemas = {tuple(json.loads(r["headers"])["ce_dataschema"].rsplit("/", 2)[-2:]) for r in rows}
    assert schemas == {("org.improvenet.observations.record.submitted", "v2.json")}, schemas
