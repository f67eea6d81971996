"""The debrief is written during the round; no visit is debriefed without a prediction; patterns rest
on accepted evidence; the `visit debriefed` event carries the next level of work."""

from __future__ import annotations

import json

from tests.integration.observations.conftest import Obs


async def test_no_debrief_for_a_planned_visit(obs: Obs) -> None:
    """Issue 10: a debrief could be saved while the visit was still planned."""
    version = (await obs.protocol())["versions"][0]["id"]
    visit = (await obs.ok("POST", "/visits", obs.visit_body(version), 201)).json()
    refused = await obs.ok("PUT", f"/visits/{visit['id']}/debrief", {"prediction": "Students would know"}, 409)
    assert refused.headers["content-type"] == "application/problem+json"
    assert await obs.sql("SELECT prediction FROM visits") is None


async def test_describe_analyze_predict_and_the_event(obs: Obs) -> None:
    visit = await obs.running_visit()
    vid = visit["id"]
    missing = await obs.ok("POST", f"/visits/{vid}/transitions", {"to": "debriefed"}, 409, **{"If-Match": '"2"'})
    assert [e["field"] for e in missing.json()["errors"]] == ["prediction"]
    notes = (await obs.ok("GET", f"/visits/{vid}/notes")).json()
    descriptive = next(n for n in notes if n["descriptive"])
    evaluative = next(n for n in notes if not n["descriptive"])
    assert evaluative["verdict"] == "evaluative" and evaluative["flags"][0]["kind"] == "inference"
    await obs.ok("PUT", f"/notes/{descriptive['id']}/screening", {"decision": "accepted"}, 409)  # not selected
    for n in notes:
        await obs.ok("PUT", f"/notes/{n['id']}/selection", {"selected": True})
    await obs.ok("PUT", f"/notes/{descriptive['id']}/screening", {"decision": "accepted"})
    await obs.ok("PUT", f"/notes/{evaluative['id']}/screening", {"decision": "accepted"}, 409)
    await obs.ok("PUT", f"/notes/{evaluative['id']}/screening", {"decision": "rejected", "reason": "inference"})
    assert len((await obs.ok("GET", f"/visits/{vid}/notes?selected=true")).json()) == 2
    bad = await obs.ok("POST", f"/visits/{vid}/patterns", {"statement": "Students explain", "about": "students",
                                                           "quantifier": "lots", "note_ids": [descriptive["id"]]}, 422)
    assert bad.json()["errors"][0]["field"].endswith("quantifier")
    pattern = (await obs.ok("POST", f"/visits/{vid}/patterns", {
        "statement": "In most classrooms students explain with drawings", "about": "students",
        "quantifier": "most", "note_ids": [descriptive["id"]], "look_for_codes": ["S1"]}, 201,
        **{"Idempotency-Key": "p-1"})).json()
    again = (await obs.ok("POST", f"/visits/{vid}/patterns", {
        "statement": "In most classrooms students explain with drawings", "about": "students",
        "quantifier": "most", "note_ids": [descriptive["id"]], "look_for_codes": ["S1"]}, 201,
        **{"Idempotency-Key": "p-1"})).json()
    assert again["id"] == pattern["id"] and await obs.sql("SELECT count(*) FROM patterns") == 1
    owner = str(obs.educators[0])
    debrief = (await obs.ok("PUT", f"/visits/{vid}/debrief", {
        "prediction": "Students would explain with drawings", "prediction_pattern_ids": [pattern["id"]],
        "next_level_of_work": [{"recommendation": "Grade 3 plans a drawing task", "owner_id": owner,
                                "horizon": "next_week", "level": "teacher"}]})).json()
    assert debrief["patterns"][1] == {"code": "S1", "description": "Students explain", "classrooms": 1, "notes": 1}
    etag = (await obs.ok("GET", f"/visits/{vid}")).headers["etag"]
    await obs.ok("POST", f"/visits/{vid}/transitions", {"to": "debriefed"}, **{"If-Match": etag})
    payload = await obs.sql("SELECT payload FROM outbox WHERE type = 'org.improvenet.observations.visit.debriefed'")
    event = json.loads(payload)
    assert event["recommendations"] == 1 and event["next_level_of_work"][0]["horizon"] == "next_week"
    assert event["next_level_of_work"][0]["item_id"] == debrief["next_level_of_work"][0]["item_id"]
    assert event["patterns"][1] == {"code": "S1", "classrooms": 1, "notes": 1}  # the rejected note is not counted
    # one classroom is below the minimum: the index is neither published nor shown
    assert await obs.sql("SELECT count(*) FROM outbox WHERE topic = 'observations.quality'") == 0


async def test_the_event_carries_statements_follow_up_and_whether_a_prediction_was_made(obs: Obs) -> None:
    """`visit debriefed` stays additive: each item's follow-up, the team's pattern statements by id, what
    they are about and their quantifier (never their text, which may name someone), and whether the team
    made its prediction (never its text)."""
    visit = await obs.running_visit()
    vid = visit["id"]
    notes = (await obs.ok("GET", f"/visits/{vid}/notes")).json()
    descriptive = next(n for n in notes if n["descriptive"])
    await obs.ok("PUT", f"/notes/{descriptive['id']}/selection", {"selected": True})
    await obs.ok("PUT", f"/notes/{descriptive['id']}/screening", {"decision": "accepted"})
    written = [(await obs.ok("POST", f"/visits/{vid}/patterns", {
        "statement": statement, "about": about, "quantifier": quantifier, "note_ids": [descriptive["id"]]},
        201)).json() for statement, about, quantifier in [
        ("In few classrooms students explain with drawings, as in room 12", "students", "few"),
        ("In most classrooms the task asks for a drawing", "tasks", "most")]]
    await obs.ok("PUT", f"/visits/{vid}/debrief", {
        "prediction": "Students would know how to draw a fraction", "next_level_of_work": [
            {"recommendation": "Grade 3 plans a drawing task", "owner_id": str(obs.educators[0]),
             "horizon": "next_month", "level": "school", "follow_up": "A learning walk in January"},
            {"recommendation": "Share drawing tasks", "owner_id": str(obs.educators[1])}]})
    etag = (await obs.ok("GET", f"/visits/{vid}")).headers["etag"]
    await obs.ok("POST", f"/visits/{vid}/transitions", {"to": "debriefed"}, **{"If-Match": etag})
    event = json.loads(await obs.sql(
        "SELECT payload FROM outbox WHERE type = 'org.improvenet.observations.visit.debriefed'"))
    assert event["statements"] == [{"pattern_id": p["id"], "about": p["about"], "quantifier": p["quantifier"]}
                                   for p in written]
    assert event["prediction_made"] is True
    assert [w["follow_up"] for w in event["next_level_of_work"]] == ["A learning walk in January", None]
    text = json.dumps(event)
    assert "room 12" not in text and "draw a fraction" not in text  # no statement or prediction text
    # what was there before is unchanged (additive)
    assert event["recommendations"] == 2 and event["problem_of_practice_id"] is None
    assert {"visit_id", "school_id", "network_id", "patterns", "next_level_of_work"} <= set(event)
