"""Problems of practice and PDSA cycles on PostgreSQL: the five criteria gate activation, a study
without predictions is refused, the act step emits cycle.studied with its decision."""

from __future__ import annotations

import json
import uuid
from datetime import date
from typing import Any

from libs.contracts.observations import VisitDebriefed, VisitScheduled
from tests.integration.networks.conftest import OTHER, Net

ALL_FIVE = {c: {"met": True, "rationale": f"because {c}"} for c in
            ("instructional_core", "observable", "actionable", "strategic", "high_leverage")}


async def problem(net: Net, criteria: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    body = {"school_id": str(net.schools[0]), "statement": "Students answer but rarely explain their reasoning",
            "evidence": "Grade 4 interim results; walkthrough notes", "theory_of_action":
            "If teachers ask open questions, then students explain", "focusing_questions": ["What do students say?"],
            **({"criteria": criteria} if criteria is not None else {}), **extra}
    return (await net.post("/problems-of-practice", body)).json()  # type: ignore[no-any-return]


async def move(net: Net, p: dict[str, Any], to: str, status: int = 200) -> Any:
    r = await net.client.post(f"/problems-of-practice/{p['id']}/transitions", json={"to": to},
                              headers={**net.auth(), "If-Match": f'"{p["version"]}"'})
    assert r.status_code == status, r.text
    return r.json()


async def test_activation_needs_all_five_criteria_argued(net: Net) -> None:
    four = {**ALL_FIVE, "high_leverage": {"met": True}}  # met, but no rationale
    p = await problem(net, four)
    assert p["status"] == "draft" and p["unmet_criteria"] == ["high_leverage"] and not p["meets_all_criteria"]
    refused = await move(net, p, "active", 409)
    assert [e["field"] for e in refused["errors"]] == ["criteria.high_leverage"]
    fixed = await net.client.patch(f"/problems-of-practice/{p['id']}", json={"criteria": ALL_FIVE},
                                   headers={**net.auth(), "If-Match": '"1"'})
    assert fixed.json()["meets_all_criteria"] is True
    active = await move(net, fixed.json(), "active")
    assert active["status"] == "active"
    resolved = await move(net, active, "resolved")
    assert resolved["status"] == "resolved"
    await move(net, resolved, "active", 409)
    rows = await net.rows("SELECT type, payload FROM outbox WHERE topic = 'networks.problem-of-practice' ORDER BY seq")
    events = [(r["type"], json.loads(r["payload"])["status"]) for r in rows]
    assert events == [("org.improvenet.networks.problem-of-practice.posed", "draft"),
                      ("org.improvenet.networks.problem-of-practice.posed", "active"),
                      ("org.improvenet.networks.problem-of-practice.resolved", "resolved")]


async def test_bad_problems_write_nothing_and_are_tenant_scoped(net: Net) -> None:
    for body, field in [({"school_id": str(net.foreign_school)}, "school_id"),
                        ({"network_id": str(uuid.uuid4())}, "network_id")]:
        r = await net.post("/problems-of-practice", {"statement": "s", "evidence": "e", "theory_of_action": "t",
                                                     "school_id": str(net.schools[0]), **body}, status=422)
        assert [e["field"] for e in r.json()["errors"]] == [field]
    assert await net.sql("SELECT count(*) FROM problems_of_practice") == 0
    p = await problem(net)
    assert (await net.client.get(f"/problems-of-practice/{p['id']}", headers=net.auth(OTHER))).status_code == 404


DIAGRAM = {"aim": {"what": "Students explain their reasoning in math", "for_whom": "grade 4",
                   "how_much": "from 20% to 60% of observed classrooms", "by_when": "2027-06-30"},
           "primary_drivers": [{"text": "Classroom discourse", "measure": "share of student talk",
                                "secondary_drivers": [{
                                    "text": "Open questions", "measure": "questions per lesson",
                                    "change_ideas": [{"text": "Number talks", "measure": "weekly"}]}]}]}


async def with_diagram(net: Net) -> tuple[dict[str, Any], str]:
    p = await problem(net, ALL_FIVE)
    r = await net.client.put(f"/problems-of-practice/{p['id']}/driver-diagram", json=DIAGRAM,
                             headers={**net.auth(), "If-Match": '"1"'})
    assert r.status_code == 200, r.text
    idea = r.json()["driver_diagram"]["primary_drivers"][0]["secondary_drivers"][0]["change_ideas"][0]["id"]
    assert r.json()["aim"]["for_whom"] == "grade 4"
    return r.json(), idea


def cycle_body(net: Net, p: dict[str, Any], idea: str, prediction: str | None) -> dict[str, Any]:
    return {"problem_of_practice_id": p["id"], "change_idea_id": idea, "school_id": str(net.schools[0]),
            "plan": "Two teachers run number talks for two weeks",
            "questions": [{"question": "Will more students explain?", "prediction": prediction}]}


async def step(net: Net, c: dict[str, Any], name: str, body: dict[str, Any], status: int = 200) -> Any:
    r = await net.client.post(f"/cycles/{c['id']}/{name}", json=body,
                              headers={**net.auth(), "If-Match": f'"{c["version"]}"'})
    assert r.status_code == status, r.text
    return r.json()


async def test_a_pdsa_cycle_from_plan_to_adopt(net: Net) -> None:
    p, idea = await with_diagram(net)
    c = (await net.post("/cycles", cycle_body(net, p, idea, "Half the class explains"))).json()
    assert c["stage"] == "plan"
    early = await step(net, c, "study", {"studied_on": "2026-10-20", "results": [{"question_index": 0,
                                                                                   "result": "x"}]}, 409)
    assert early["type"].endswith("illegal-transition")
    c = await step(net, c, "do", {"as_planned": True, "observations": "Ran 8 talks"})
    c = await step(net, c, "study", {"studied_on": "2026-10-20",
                                     "results": [{"question_index": 0, "result": "12 of 25 explained"}]})
    assert c["study"]["comparisons"][0] == {"question": "Will more students explain?",
                                            "prediction": "Half the class explains", "result": "12 of 25 explained"}
    c = await step(net, c, "act", {"decision": "adopt", "acted_on": "2026-10-21"})
    assert c["stage"] == "act" and c["decision"] == "adopt"
    studied = [json.loads(r["payload"]) for r in await net.rows(
        "SELECT payload FROM outbox WHERE type = 'org.improvenet.networks.cycle.studied' ORDER BY seq")]
    assert [s["decision"] for s in studied] == [None, "adopt"]
    assert studied[0]["studied_on"] == "2026-10-20" and studied[0]["change_idea_id"] == idea
    listed = (await net.client.get(f"/problems-of-practice/{p['id']}/cycles", headers=net.auth())).json()
    assert [x["id"] for x in listed] == [c["id"]]


async def test_a_study_without_predictions_is_refused(net: Net) -> None:
    p, idea = await with_diagram(net)
    c = (await net.post("/cycles", cycle_body(net, p, idea, None))).json()
    c = await step(net, c, "do", {"as_planned": False, "observations": "One talk only"})
    refused = await step(net, c, "study", {"studied_on": "2026-10-20",
                                           "results": [{"question_index": 0, "result": "r"}]}, 422)
    assert refused["errors"][0]["field"] == "plan.questions[0].prediction"
    assert await net.sql("SELECT stage FROM cycles") == "do"
    assert await net.sql("SELECT count(*) FROM outbox WHERE topic = 'networks.cycle'") == 0
    unknown = await net.post("/cycles", cycle_body(net, p, str(uuid.uuid4()), "p"), status=422)
    assert unknown.json()["errors"][0]["field"] == "change_idea_id"


async def test_a_change_idea_added_under_its_drivers_can_be_cycled(net: Net) -> None:
    p = await problem(net)
    body = {"primary_driver": "Discourse", "secondary_driver": "Open questions", "text": "Number talks",
            "measure": "weekly"}
    idea = (await net.post(f"/problems-of-practice/{p['id']}/change-ideas", body)).json()
    second = (await net.post(f"/problems-of-practice/{p['id']}/change-ideas", {**body, "text": "Talk moves"})).json()
    diagram = (await net.client.get(f"/problems-of-practice/{p['id']}", headers=net.auth())).json()["driver_diagram"]
    assert len(diagram["primary_drivers"]) == 1 and len(diagram["primary_drivers"][0]["secondary_drivers"]) == 1
    ideas = diagram["primary_drivers"][0]["secondary_drivers"][0]["change_ideas"]
    assert [i["id"] for i in ideas] == [idea["id"], second["id"]]
    c = await net.post("/cycles", cycle_body(net, p, idea["id"], "p"))
    assert c.json()["change_idea_id"] == idea["id"]
    foreign = await net.post(f"/problems-of-practice/{p['id']}/change-ideas", body, tenant=OTHER, status=404)
    assert foreign.json()["status"] == 404


async def test_a_problem_of_practice_is_visible_to_its_network(net: Net) -> None:
    """Tokens limited to any of its network's schools read it, list it and name it in the network's
    meetings; only the host school's tokens change it; a school outside the network finds nothing."""
    n = await net.network(schools=net.schools[:2])
    p = await problem(net, network_id=n["id"])
    member, outsider = net.auth(schools=[str(net.schools[1])]), net.auth(schools=[str(net.schools[2])])
    for path in (f"/problems-of-practice/{p['id']}", f"/problems-of-practice/{p['id']}/cycles"):
        assert (await net.client.get(path, headers=member)).status_code == 200, path
        assert (await net.client.get(path, headers=outsider)).status_code == 404, path
    listed = (await net.client.get("/problems-of-practice", params={"network_id": n["id"]}, headers=member)).json()
    assert [x["id"] for x in listed["items"]] == [p["id"]]
    assert (await net.client.get("/problems-of-practice", headers=outsider)).json()["items"] == []
    changed = await net.client.patch(f"/problems-of-practice/{p['id']}", json={"statement": "Ours now"},
                                     headers={**member, "If-Match": '"1"'})
    assert changed.status_code == 404
    moved = await net.client.post(f"/problems-of-practice/{p['id']}/transitions", json={"to": "retired"},
                                  headers={**member, "If-Match": '"1"'})
    assert moved.status_code == 404
    rounds = {"network_id": n["id"], "meeting_date": "2026-10-01", "meeting_type": "rounds_visit",
              "problem_of_practice_id": p["id"], "agenda": [{"title": "The host's problem"}],
              "attendee_ids": [str(net.people[1]), str(net.people[5])], "chair_id": str(net.people[1]),
              "chair_reason": "rotation"}
    held = await net.client.post("/meetings", json=rounds, headers=member)
    assert held.status_code == 201, held.text
    again = (await net.client.get(f"/problems-of-practice/{p['id']}", headers=net.auth())).json()
    assert again["statement"] == p["statement"] and again["status"] == "draft" and again["version"] == 1


async def test_a_problem_of_practice_is_posed_at_one_of_its_networks_schools(net: Net) -> None:
    n = await net.network(schools=net.schools[:2])
    body = {"school_id": str(net.schools[3]), "network_id": n["id"], "statement": "s", "evidence": "e",
            "theory_of_action": "t"}
    r = await net.post("/problems-of-practice", body, status=422)
    assert r.json()["type"].endswith("/school-outside-network")
    assert [e["field"] for e in r.json()["errors"]] == ["school_id"]
    assert await net.sql("SELECT count(*) FROM problems_of_practice") == 0
    assert await net.sql("SELECT count(*) FROM outbox WHERE topic = 'networks.problem-of-practice'") == 0
    ok = await net.post("/problems-of-practice", {**body, "school_id": str(net.schools[1])})
    assert ok.json()["network_id"] == n["id"]


async def test_the_act_step_keeps_its_date_and_notes(net: Net) -> None:
    p, idea = await with_diagram(net)
    c = (await net.post("/cycles", cycle_body(net, p, idea, "Half the class explains"))).json()
    assert c["acted_on"] is None and c["act_notes"] is None
    c = await step(net, c, "do", {"as_planned": True, "observations": "Ran 8 talks"})
    c = await step(net, c, "study", {"studied_on": "2026-10-20",
                                     "results": [{"question_index": 0, "result": "12 of 25 explained"}]})
    notes = "Keep the talks; shorten them to eight minutes"
    acted = await step(net, c, "act", {"decision": "adapt", "acted_on": "2026-10-22", "notes": notes})
    assert (acted["decision"], acted["acted_on"], acted["act_notes"]) == ("adapt", "2026-10-22", notes)
    read = (await net.client.get(f"/cycles/{c['id']}", headers=net.auth())).json()
    assert (read["acted_on"], read["act_notes"]) == ("2026-10-22", notes)
    listed = (await net.client.get(f"/problems-of-practice/{p['id']}/cycles", headers=net.auth())).json()
    assert listed[0]["act_notes"] == notes
    without = (await net.post("/cycles", cycle_body(net, p, idea, "p"))).json()
    without = await step(net, without, "do", {"as_planned": True, "observations": "o"})
    without = await step(net, without, "study", {"studied_on": "2026-10-20",
                                                 "results": [{"question_index": 0, "result": "r"}]})
    without = await step(net, without, "act", {"decision": "abandon", "acted_on": "2026-10-23"})
    assert (without["acted_on"], without["act_notes"]) == ("2026-10-23", None)


async def test_a_scheduled_visit_is_listed_under_its_problem_of_practice_before_any_debrief(net: Net) -> None:
    p = await problem(net)
    visit_id, day = uuid.uuid4(), date(2026, 10, 5)
    scheduled = VisitScheduled(visit_id=visit_id, school_id=net.schools[0], visit_date=day,
                               protocol_version_id=uuid.uuid4(), network_id=None,
                               observer_ids=[net.people[0], net.people[4]], classrooms=2,
                               problem_of_practice_id=uuid.UUID(p["id"]))
    assert await net.deliver(scheduled) == "applied"
    read = (await net.client.get(f"/problems-of-practice/{p['id']}", headers=net.auth())).json()
    assert read["visit_ids"] == [str(visit_id)]
    assert await net.sql("SELECT visit_date FROM problem_visits WHERE visit_id = $1", visit_id) == day
    # the debrief that follows (and a redelivery) lists it once, keeping the visit's date
    debriefed = VisitDebriefed(visit_id=visit_id, school_id=net.schools[0], network_id=None, patterns=[],
                               recommendations=0, problem_of_practice_id=uuid.UUID(p["id"]))
    assert await net.deliver(debriefed) == "applied"
    read = (await net.client.get(f"/problems-of-practice/{p['id']}", headers=net.auth())).json()
    assert read["visit_ids"] == [str(visit_id)]
    assert await net.sql("SELECT visit_date FROM problem_visits WHERE visit_id = $1", visit_id) == day
    # a visit naming no problem of practice, or one unknown in the tenant, lists nowhere
    for problem_id in (None, uuid.uuid4()):
        other = scheduled.model_copy(update={"visit_id": uuid.uuid4(), "problem_of_practice_id": problem_id})
        assert await net.deliver(other) == "applied"
    assert await net.sql("SELECT count(*) FROM problem_visits") == 1
