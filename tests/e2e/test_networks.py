"""Networks end to end, through the gateway, on the platform as `make up` starts it.

The story: a principals' network of four schools with norms and a mixed network of teachers and principals
across the same schools; Hamilton's problem of practice meeting all five criteria; three meetings of the
mixed network where the chair suggestion picks the model teacher for expertise over the principals who
attend; her practice published and adopted by two other schools (and readable by another tenant); a PDSA
cycle adopted; the graph's density rising and an emerged event reaching hr; and a rounds visit in
observations, linked to the problem of practice, whose debrief's next level of work arrives as Hamilton's
commitments.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import httpx

from improvenet.launcher import Platform
from tests.e2e.conftest import outside_client
from tests.e2e.test_security import ALL, bearer, eventually, request_body

FIVE = {c: {"met": True, "rationale": r} for c, r in [
    ("instructional_core", "Students, teachers and the task: how students explain their reasoning"),
    ("observable", "Visible in what students say and write in a math lesson"),
    ("actionable", "Questioning and task choice are in the school's hands"),
    ("strategic", "The district plan's goal for mathematical reasoning"),
    ("high_leverage", "Reasoning is where grade 4 results fall furthest behind")]}
TAGS = ["reasoning", "talk"]


class Story:
    def __init__(self, c: httpx.Client, gw: str, headers: dict[str, str]) -> None:
        self.c, self.gw, self.h = c, gw, headers

    def post(self, path: str, body: Any, status: int = 201, **headers: str) -> Any:
        r = self.c.post(f"{self.gw}{path}", json=body, headers={**self.h, **headers})
        assert r.status_code == status, (path, r.status_code, r.text)
        return r.json()

    def get(self, path: str, **params: Any) -> Any:
        r = self.c.get(f"{self.gw}{path}", params=params, headers=self.h)
        assert r.status_code == 200, (path, r.status_code, r.text)
        return r.json()

    def etag(self, path: str) -> str:
        return self.c.get(f"{self.gw}{path}", headers=self.h).headers["etag"]


def people_of(s: Story) -> tuple[list[str], dict[str, str], list[str]]:
    """Four schools, a principal in each, Hamilton's model teacher, two teachers each at Lincoln and Garfield."""
    schools = [s.post("/hr/schools", {"name": n})["id"] for n in ("Hamilton", "Lincoln", "Garfield", "Jefferson")]

    def educator(n: str, school: str, stage: str) -> str:
        return str(s.post("/hr/educators", {"given_name": n, "family_name": "X", "school_id": school,
                                            "career_stage": stage})["id"])

    principals = [educator(f"P{n}", school, "principal") for n, school in enumerate(schools)]
    model = educator("Model", schools[0], "teacher_leader")
    teachers = [educator(f"T{n}", schools[1 + n // 2], "intermediate_teacher") for n in range(4)]
    everyone = [*principals, model, *teachers]
    assert eventually(lambda: all(s.c.get(f"{s.gw}/networks/directory/educators/{e}", headers=s.h).status_code
                                  == 200 for e in everyone), timeout=20)
    return schools, {"model": model, **{f"p{n}": p for n, p in enumerate(principals)},
                     **{f"t{n}": t for n, t in enumerate(teachers)}}, everyone


def test_networks_story_through_the_gateway(platform: Platform, token_for: Callable[..., str]) -> None:
    gw = f"{platform.gateway_url}/api/v1"
    with outside_client() as c:
        s = Story(c, gw, bearer(token_for("hamilton", ALL)))
        schools, who, _ = people_of(s)
        hamilton, lincoln, garfield = schools[:3]
        principals = [who[f"p{n}"] for n in range(4)]
        model, teachers = who["model"], [who[f"t{n}"] for n in range(4)]

        # --- two networks over the same four schools ---
        principals_net = s.post("/networks/networks", {"name": "Principals' network", "kind": "principals",
                                "focus": "Leading rounds", "school_ids": schools,
                                "norms": ["Describe, do not judge", "Start and end on time"]})
        assert principals_net["norms"]["norms"][0] == "Describe, do not judge"
        for p, school in zip(principals, schools, strict=True):
            s.post(f"/networks/networks/{principals_net['id']}/members",
                   {"educator_id": p, "school_id": school, "role": "member", "starts_on": "2026-09-01"})
        mixed = s.post("/networks/networks", {"name": "Math reasoning network", "kind": "mixed",
                       "focus": "Students explaining their reasoning", "school_ids": schools, "norms": ["Describe"]})
        for p, school in zip(principals, schools, strict=True):
            s.post(f"/networks/networks/{mixed['id']}/members",
                   {"educator_id": p, "school_id": school, "role": "coordinator", "starts_on": "2026-09-01"})
        s.post(f"/networks/networks/{mixed['id']}/members",
               {"educator_id": model, "school_id": hamilton, "tags": ["talk"], "starts_on": "2026-09-01"})
        for n, t in enumerate(teachers):
            s.post(f"/networks/networks/{mixed['id']}/members",
                   {"educator_id": t, "school_id": schools[1 + n // 2], "starts_on": "2026-09-01"})
        outside = s.post(f"/networks/networks/{mixed['id']}/members", {
            "educator_id": model, "school_id": "00000000-0000-4000-8000-000000000009", "starts_on": "2026-09-01"},
            status=422)
        assert outside["errors"][0]["field"] == "school_id"

        # --- Hamilton's problem of practice, meeting all five criteria ---
        pop = s.post("/networks/problems-of-practice", {
            "school_id": hamilton, "network_id": mixed["id"],
            "statement": "Grade 4 students give answers but rarely explain how they know",
            "evidence": "Interim results on reasoning items; walkthrough notes",
            "theory_of_action": "If teachers pose tasks with several representations and ask students to compare "
                                "them, students will explain their reasoning",
            "focusing_questions": ["What do students say when asked how they know?"], "criteria": FIVE})
        assert pop["meets_all_criteria"] is True and pop["unmet_criteria"] == []
        pop = s.post(f"/networks/problems-of-practice/{pop['id']}/transitions", {"to": "active"}, 200,
                     **{"If-Match": '"1"'})
        assert pop["status"] == "active"

        # the model teacher's practice, in the network's library for now (its tags count as her expertise)
        practice = s.post("/networks/practices", {
            "title": "Compare two strategies", "description": "Students put two solutions side by side and explain",
            "origin_school_id": hamilton, "network_id": mixed["id"], "contributor_ids": [model],
            "stage": "fair_to_good", "tags": ["reasoning"]})

        # --- three meetings: the suggestion picks the model teacher for expertise, over attending principals ---
        meetings = [("2026-09-15", [model, *principals]), ("2026-10-15", [model, principals[0], *teachers[:2]]),
                    ("2026-11-15", [model, principals[1], *teachers[2:]])]
        densities = []
        for day, attendees in meetings:
            suggestion = s.get(f"/networks/networks/{mixed['id']}/chair-suggestion", tags=TAGS,
                               attendee_ids=attendees)
            top, rest = suggestion["candidates"][0], suggestion["candidates"][1:]
            assert top["educator_id"] == model and top["reason"] == "expertise", suggestion
            assert any(r["educator_id"] in principals for r in rest)
            assert all(top["score"] > r["score"] for r in rest)
            held = s.post("/networks/meetings", {
                "network_id": mixed["id"], "meeting_date": day, "meeting_type": "learning_session",
                "host_school_id": s.get(f"/networks/networks/{mixed['id']}/host-rotation")["next_host_school_id"],
                "problem_of_practice_id": pop["id"],
                "agenda": [{"title": "Comparing strategies", "tags": TAGS}], "attendee_ids": attendees,
                "chair_id": top["educator_id"], "chair_reason": top["reason"]})
            assert held["norms_version"] == 1
            # the worker recomputes the graph the meeting queued: read it once it is no longer pending
            settled = eventually(lambda: (g := s.get(f"/networks/networks/{mixed['id']}/graph"))
                                 ["refresh_pending"] is False and g, timeout=15)
            assert settled, "the worker did not recompute the network's graph"
            densities.append(settled["measures"]["density"])
        assert densities[0] < densities[1] < densities[2], densities
        hosts = [m["host_school_id"] for m in s.get("/networks/meetings", network_id=mixed["id"])["items"]]
        assert sorted(hosts) == sorted(schools[:3])  # the rotation went round: three different hosts
        bad_chair = s.post("/networks/meetings", {
            "network_id": mixed["id"], "meeting_date": "2026-11-20", "meeting_type": "learning_session",
            "agenda": [{"title": "x"}], "attendee_ids": [principals[0]], "chair_id": model,
            "chair_reason": "position"}, status=422)
        assert bad_chair["errors"][0]["field"] == "chair_id"
        leadership = s.get(f"/networks/networks/{mixed['id']}/leadership")["network"]
        assert leadership[-1]["meetings"] == 3 and leadership[-1]["share"] == 1.0

        # hr: the chair's responsibility from meeting.held, the leadership-potential signal from leader.emerged
        leaders = eventually(lambda: s.get(f"/networks/networks/{mixed['id']}/emerging-leaders"), timeout=15)
        assert [x["educator_id"] for x in leaders] == [model]
        signals = eventually(lambda: c.get(f"{gw}/hr/educators/{model}/leadership-signals",
                                           headers=s.h).json(), timeout=15)
        assert signals and signals[0]["network_id"] == mixed["id"], signals
        chaired = eventually(lambda: len(c.get(f"{gw}/hr/educators/{model}/responsibilities",
                                               headers=s.h).json()) >= 3, timeout=15)
        assert chaired

        # --- the practice published, adopted by two other schools; another tenant reads it ---
        other = bearer(token_for("riverside", ALL))
        assert c.get(f"{gw}/networks/library/{practice['id']}", headers=other).status_code == 404
        published = c.patch(f"{gw}/networks/practices/{practice['id']}", json={"visibility": "published"},
                            headers={**s.h, "If-Match": '"1"'})
        assert published.status_code == 200 and published.json()["published_at"], published.text
        for school in (lincoln, garfield):
            s.post(f"/networks/practices/{practice['id']}/adoptions", {
                "school_id": school, "network_id": mixed["id"], "adopted_on": date.today().isoformat(),
                "outcome_notes": "More students explain with a second representation"})
        spread = s.get(f"/networks/practices/{practice['id']}")["spread"]
        assert spread == {"schools": 2, "networks": 1, "days_to_first_adoption": 0}
        seen = c.get(f"{gw}/networks/library/{practice['id']}", headers=other)
        assert seen.status_code == 200 and seen.json()["published_by_tenant"] == "hamilton"
        assert model not in seen.text
        assert c.get(f"{gw}/networks/practices/{practice['id']}", headers=other).status_code == 404

        # --- a PDSA cycle on a change idea of Hamilton's driver diagram, adopted ---
        diagram = c.put(f"{gw}/networks/problems-of-practice/{pop['id']}/driver-diagram", headers={
            **s.h, "If-Match": s.etag(f"/networks/problems-of-practice/{pop['id']}")}, json={
            "aim": {"what": "Students explain their reasoning", "for_whom": "grade 4",
                    "how_much": "60% of observed classrooms", "by_when": "2027-06-30"},
            "primary_drivers": [{"text": "Discourse", "measure": "student talk", "secondary_drivers": [
                {"text": "Tasks with two representations", "measure": "tasks per week",
                 "change_ideas": [{"text": "Compare two strategies", "measure": "weekly"}]}]}]})
        assert diagram.status_code == 200, diagram.text
        idea = diagram.json()["driver_diagram"]["primary_drivers"][0]["secondary_drivers"][0]["change_ideas"][0]
        cycle = s.post("/networks/cycles", {"problem_of_practice_id": pop["id"], "change_idea_id": idea["id"],
                                            "school_id": hamilton, "plan": "Two grade 4 classes, two weeks",
                                            "questions": [{"question": "Will more students explain?",
                                                           "prediction": "Half of each class"}]})
        for step, body in [("do", {"as_planned": True, "observations": "Eight lessons"}),
                           ("study", {"studied_on": "2026-11-28", "results": [{"question_index": 0,
                                                                               "result": "13 of 25"}]}),
                           ("act", {"decision": "adopt", "acted_on": "2026-11-30",
                                    "notes": "Every grade 4 class from January"})]:
            cycle = s.post(f"/networks/cycles/{cycle['id']}/{step}", body, 200,
                           **{"If-Match": f'"{cycle["version"]}"'})
        assert cycle["decision"] == "adopt" and cycle["study"]["comparisons"][0]["prediction"] == "Half of each class"
        assert (cycle["acted_on"], cycle["act_notes"]) == ("2026-11-30", "Every grade 4 class from January")

        # --- the event path: a rounds visit in observations, debriefed, becomes Hamilton's commitments ---
        observations_path(s, platform, hamilton, pop["id"], mixed["id"], [principals[1], principals[2], model])


def observations_path(s: Story, platform: Platform, hamilton: str, pop_id: str, network_id: str,
                      observers: list[str]) -> None:
    c, gw = s.c, s.gw
    protocol = s.post("/observations/protocols", {"name": "Math rounds", "purpose": "instructional_rounds",
                      "look_fors": [{"code": "S1", "description": "Students explain", "domain": "students"}]})
    visit_body = {"school_id": hamilton, "visit_date": date.today().isoformat(),
                  "protocol_version_id": protocol["versions"][0]["id"],
                  "problem_of_practice": "Students rarely explain how they know", "problem_of_practice_id": pop_id,
                  "network_id": network_id, "observer_ids": observers,
                  "classrooms": [{"grade": "4", "subject": "math", "room": "101"}]}
    # observations learns of the problem of practice from networks' events (its own replica)
    visit = eventually(lambda: (r := c.post(f"{gw}/observations/visits", json=visit_body, headers=s.h)).status_code
                       == 201 and r, timeout=15)
    assert visit, "observations never accepted networks' problem of practice"
    v = visit.json()
    # networks lists the visit under the problem of practice from visit.scheduled, before any debrief
    assert eventually(lambda: v["id"] in s.get(f"/networks/problems-of-practice/{pop_id}")["visit_ids"],
                      timeout=15), "the scheduled visit is not listed under its problem of practice"
    started = c.post(f"{gw}/observations/visits/{v['id']}/transitions", json={"to": "in_progress"},
                     headers={**s.h, "If-Match": visit.headers["etag"]})
    assert started.status_code == 200, started.text
    debrief = c.put(f"{gw}/observations/visits/{v['id']}/debrief", headers=s.h, json={
        "prediction": "Students would know procedures and begin to explain them",
        "next_level_of_work": [
            {"recommendation": "Grade 4 team plans one task with two representations", "owner_id": observers[2],
             "horizon": "next_week", "level": "teacher"},
            {"recommendation": "Lesson study on reasoning each term", "owner_id": observers[0],
             "horizon": "end_of_year", "level": "school"}]})
    assert debrief.status_code == 200, debrief.text
    etag = c.get(f"{gw}/observations/visits/{v['id']}", headers=s.h).headers["etag"]
    done = c.post(f"{gw}/observations/visits/{v['id']}/transitions", json={"to": "debriefed"},
                  headers={**s.h, "If-Match": etag})
    assert done.status_code == 200, done.text

    def commitments() -> list[dict[str, Any]]:
        items = s.get("/networks/commitments", school_id=hamilton)["items"]
        return [x for x in items if x["visit_id"] == v["id"]]

    arrived = eventually(lambda: len(commitments()) == 2 and commitments(), timeout=15)
    assert arrived, "the debrief's next level of work never became commitments"
    by_horizon = {x["horizon"]: x for x in arrived}
    assert by_horizon["next_week"]["due_on"] == (date.today() + timedelta(days=7)).isoformat()
    assert all(x["source"] == "debrief" and x["problem_of_practice_id"] == pop_id for x in arrived)
    assert eventually(lambda: v["id"] in s.get(f"/networks/problems-of-practice/{pop_id}")["visit_ids"])


# --- tenant isolation over every networks operation (test_security's matrix, for this service) ---

def networks_objects(c: httpx.Client, gw: str, headers: dict[str, str], school: str, educator: str
                     ) -> dict[str, str]:
    """One object of each networks collection, made in the caller's tenant (an unpublished practice, so
    the published library's cross-tenant read is not what is tested): keys as test_security names them."""
    def post(path: str, body: Any) -> Any:
        r = c.post(f"{gw}/api/v1/networks{path}", json=body, headers=headers)
        assert r.status_code == 201, (path, r.text)
        return r.json()

    network = post("/networks", {"name": "A network", "kind": "mixed", "focus": "A focus", "school_ids": [school]})
    membership = post(f"/networks/{network['id']}/members", {"educator_id": educator, "school_id": school,
                                                             "starts_on": "2026-09-01"})
    pop = post("/problems-of-practice", {"school_id": school, "statement": "A problem", "evidence": "e",
                                         "theory_of_action": "t"})
    meeting = post("/meetings", {"network_id": network["id"], "meeting_date": "2026-10-01",
                                 "meeting_type": "learning_session", "agenda": [{"title": "x"}],
                                 "attendee_ids": [educator], "chair_id": educator, "chair_reason": "rotation"})
    practice = post("/practices", {"title": "A practice", "description": "d", "origin_school_id": school,
                                   "stage": "fair_to_good"})
    commitment = post("/commitments", {"school_id": school, "description": "A commitment", "due_on": "2026-12-01"})
    diagram = c.put(f"{gw}/api/v1/networks/problems-of-practice/{pop['id']}/driver-diagram", headers={
        **headers, "If-Match": '"1"'}, json={
        "aim": {"what": "w", "for_whom": "f", "how_much": "h", "by_when": "2027-06-30"},
        "primary_drivers": [{"text": "p", "measure": "m", "secondary_drivers": [
            {"text": "s", "measure": "m", "change_ideas": [{"text": "c", "measure": "m"}]}]}]}).json()
    idea = diagram["driver_diagram"]["primary_drivers"][0]["secondary_drivers"][0]["change_ideas"][0]["id"]
    cycle = post("/cycles", {"problem_of_practice_id": pop["id"], "change_idea_id": idea, "school_id": school,
                             "plan": "p", "questions": [{"question": "q", "prediction": "p"}]})
    return {"networks": network["id"], "memberships": membership["id"], "problems-of-practice": pop["id"],
            "meetings": meeting["id"], "practices": practice["id"], "library": practice["id"],
            "commitments": commitment["id"], "cycles": cycle["id"]}


def test_another_tenant_gets_nothing_of_a_networks_object(platform: Platform, token_for: Callable[..., str]) -> None:
    gw = platform.gateway_url
    a, b = bearer(token_for("tenant-a", ALL)), bearer(token_for("tenant-b", ALL))
    with outside_client() as c:
        school = c.post(f"{gw}/api/v1/hr/schools", json={"name": "A School"}, headers=a).json()["id"]
        educator = c.post(f"{gw}/api/v1/hr/educators", headers=a, json={
            "given_name": "Secret", "family_name": "Teacher", "school_id": school}).json()["id"]
        assert eventually(lambda: c.get(f"{gw}/api/v1/networks/directory/educators/{educator}",
                                        headers=a).status_code == 200)
        objects = {"schools": school, "school_id": school, "educators": educator, "educator_id": educator,
                   **networks_objects(c, gw, a, school, educator)}
        doc = c.get(f"{gw}/openapi.json").json()
        checked = 0
        for path, item in doc["paths"].items():
            if not path.startswith("/api/v1/networks/"):
                continue
            for method, operation in item.items():
                params = re.findall(r"{([^}]+)}", path)
                if not isinstance(operation, dict) or not params:
                    continue
                if path.endswith("/export/{resource}"):  # a resource's name, not an object: B's rows only
                    for resource in ("networks", "memberships", "practices", "meetings"):
                        r = c.get(f"{gw}/api/v1/networks/export/{resource}", headers=b)
                        assert r.status_code == 200 and r.content == b"", (resource, r.text[:300])
                    checked += 1
                    continue
                url = path
                for p in params:
                    key = path.split("{" + p + "}")[0].rstrip("/").rsplit("/", 1)[-1]
                    assert key in objects, f"no tenant-A object for {{{p}}} in {path}"
                    url = url.replace("{" + p + "}", objects[key])
                body = request_body(operation, doc["components"]["schemas"])
                r = c.request(method.upper(), f"{gw}{url}", json=body, headers={**b, "If-Match": '"1"'})
                assert r.status_code in (403, 404), (method, path, r.status_code, r.text)
                assert "Secret" not in r.text and "A problem" not in r.text
                checked += 1
        assert checked >= 25, checked
        # and tenant A still sees its own, unchanged
        assert c.get(f"{gw}/api/v1/networks/networks/{objects['networks']}", headers=a).json()["name"] == "A network"
        assert c.get(f"{gw}/api/v1/networks/practices/{objects['practices']}",
                     headers=a).json()["visibility"] == "network"
