"""A full instructional round through the gateway, step by step (issue 10): set-up with sub-teams and a
classroom rotation on networks' problem of practice; four observers, one offline; describe with
screening (an evaluative note rejected and absent from the index); analyze with quantified patterns;
prediction; next level of work with horizons carried in `visit debriefed`; the practice-quality index
published only once five classrooms are in, its value checked against a hand computation."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import asyncpg
import httpx
import pytest

from improvenet.launcher import Platform
from libs.common.settings import asyncpg_dsn, database_url_for
from tests.e2e.conftest import outside_client
from tests.e2e.test_security import ALL, bearer, eventually

LOOK_FORS = [
    {"code": "T1", "description": "Teacher asks questions with more than one answer", "domain": "teacher"},
    {"code": "S1", "description": "Students explain their reasoning to each other", "domain": "students"},
    {"code": "K1", "description": "The task asks for a representation", "domain": "task"},
    {"code": "T2", "description": "Teacher demonstrates step by step", "domain": "teacher", "weight": -1.0},
]
# room -> observer index -> notes (text, codes); observers 0-1 are sub-team A, 2-3 sub-team B (3 offline)
EVIDENCE: dict[str, dict[int, list[tuple[str, list[str]]]]] = {
    "101": {0: [("Teacher asks: 'Who solved it another way?'", ["T1"]),
                ("Students at table 2 explain to each other why 3/4 is more than 2/3", ["S1", "K1"])],
            1: [("Two students draw fraction strips and compare them aloud", ["S1", "K1"])]},
    "102": {0: [("Teacher shows step 1 to step 4 on the board", ["T2"])],
            1: [("Teacher writes the algorithm; students copy it into notebooks", ["T2"]),
                ("Students were engaged and on task throughout", ["S1"])]},  # evaluative: rejected
    "103": {0: [("Teacher demonstrates the first problem step by step", ["T2"])],
            1: [("Students complete items 1-12 on the worksheet", [])]},
    "104": {2: [("Students place 1/2 and 2/4 on a number line", ["K1"])],
            3: [("Task card asks for a number line and a drawing", ["K1"]),
                ("Students explain to a partner why 2/4 = 1/2", ["S1"])]},
}
LATER = {"105": {2: [("Teacher asks 'How do you know?' and waits", ["T1"])],
                 3: [("Teacher asks students to compare two answers", ["T1"])]}}


def expected_index() -> tuple[dict[str, float], float]:
    """By hand: a room counts by the share of its observers who saw the look-for (accepted notes only).
    101 (2 observers): T1 1/2, S1 2/2, K1 2/2.  102: T2 2/2 (S1's only note is rejected).  103: T2 1/2.
    104: K1 2/2, S1 1/2.  105: T1 2/2.  Over five rooms: T1 (0.5 + 1) / 5 = 0.3; S1 (1 + 0.5) / 5 = 0.3;
    K1 (1 + 1) / 5 = 0.4; T2 (1 + 0.5) / 5 = 0.3, weight -1: counts 1 - 0.3 = 0.7.
    Overall over the protocol's four look-fors: (0.3 + 0.3 + 0.4 + 0.7) / 4 = 0.425."""
    return {"T1": 0.3, "S1": 0.3, "K1": 0.4, "T2": 0.3}, 0.425


def at(minutes: int) -> str:
    return (datetime(2026, 11, 24, 9, 0, tzinfo=UTC) + timedelta(minutes=minutes)).isoformat()


async def fetch(platform: Platform, sql: str) -> list[Any]:
    conn = await asyncpg.connect(asyncpg_dsn(database_url_for(platform.server_url, "improvenet_observations")))
    try:
        return [r[0] for r in await conn.fetch(sql)]
    finally:
        await conn.close()


class Round:
    def __init__(self, c: httpx.Client, gw: str, auth: dict[str, str]) -> None:
        self.c, self.gw, self.auth = c, gw, auth

    def ok(self, method: str, path: str, body: Any = None, status: int = 200, **headers: str) -> httpx.Response:
        r = self.c.request(method, f"{self.gw}{path}", json=body, headers={**self.auth, **headers})
        assert r.status_code == status, f"{method} {path}: {r.status_code} {r.text}"
        return r

    def move(self, visit_id: str, to: str, status: int = 200) -> httpx.Response:
        etag = self.ok("GET", f"/observations/visits/{visit_id}").headers["etag"]
        return self.ok("POST", f"/observations/visits/{visit_id}/transitions", {"to": to}, status, **{"If-Match": etag})

    def record(self, visit: dict[str, Any], room: str, observer: str, notes: list[tuple[str, list[str]]]) -> None:
        rooms = {r["room"]: r["id"] for r in visit["classrooms"]}
        r = self.ok("POST", f"/observations/visits/{visit['id']}/records", {
            "classroom_id": rooms[room], "observer_id": observer,
            "notes": [{"observed_at": at(n), "text": t, "look_for_codes": c} for n, (t, c) in enumerate(notes)]},
            201)
        self.ok("POST", f"/observations/records/{r.json()['id']}/transitions", {"to": "submitted"},
                **{"If-Match": r.headers["etag"]})

    def describe(self, visit_id: str) -> dict[str, str]:
        """Every observer selects their notes; the team accepts the descriptive ones and rejects the rest."""
        rejected = {}
        for n in self.ok("GET", f"/observations/visits/{visit_id}/notes").json():
            self.ok("PUT", f"/observations/notes/{n['id']}/selection", {"selected": True})
            if n["descriptive"]:
                self.ok("PUT", f"/observations/notes/{n['id']}/screening", {"decision": "accepted"})
            else:
                self.ok("PUT", f"/observations/notes/{n['id']}/screening", {"decision": "accepted"}, 409)
                self.ok("PUT", f"/observations/notes/{n['id']}/screening", {"decision": "rejected"}, 422)
                self.ok("PUT", f"/observations/notes/{n['id']}/screening",
                        {"decision": "rejected", "reason": "an inference about inner states, not what was seen"})
                rejected[n["id"]] = n["text"]
        return rejected


def test_a_full_round_step_by_step(platform: Platform, token_for: Callable[..., str]) -> None:
    gw = f"{platform.gateway_url}/api/v1"
    coordinator = bearer(token_for("rounds", ALL))
    with outside_client() as c:
        rnd = Round(c, gw, coordinator)
        host = rnd.ok("POST", "/hr/schools", {"name": "Hamilton Elementary"}, 201).json()["id"]
        visiting = rnd.ok("POST", "/hr/schools", {"name": "Lincoln Elementary"}, 201).json()["id"]
        observers = [rnd.ok("POST", "/hr/educators", {"given_name": f"O{i}", "family_name": "X",
                                                      "school_id": host if i == 0 else visiting}, 201).json()["id"]
                     for i in range(4)]
        teachers = [rnd.ok("POST", "/hr/educators", {"given_name": f"T{i}", "family_name": "Y", "school_id": host},
                           201).json()["id"] for i in range(5)]
        assert eventually(lambda: c.get(f"{gw}/observations/directory/educators/{teachers[-1]}",
                                        headers=coordinator).status_code == 200)
        problem = rnd.ok("POST", "/networks/problems-of-practice", {
            "school_id": host, "statement": "Students give answers but rarely explain how they know",
            "evidence": "Grade 4 interim results; last year's learning walk",
            "theory_of_action": "If tasks ask for representations, students will explain their reasoning"},
            201).json()["id"]
        assert eventually(lambda: c.get(f"{gw}/observations/problems-of-practice/{problem}/visits",
                                        headers=coordinator).status_code == 200)
        version = rnd.ok("POST", "/observations/protocols", {"name": "Math rounds", "look_fors": LOOK_FORS},
                         201).json()["versions"][0]["id"]

        # set-up: theory of action, focusing questions, problem of practice, sub-teams with a rotation, roles
        setup = {
            "school_id": host, "visit_date": date.today().isoformat(), "protocol_version_id": version,
            "problem_of_practice": "Students give answers but rarely explain how they know",
            "problem_of_practice_id": problem,
            "theory_of_action": "If tasks ask for representations, students will explain their reasoning",
            "focusing_questions": ["How do students show how they know?"],
            "observer_ids": observers,
            "observer_roles": {observers[0]: "facilitator", observers[1]: "recorder", observers[2]: "observer",
                               observers[3]: "timekeeper"},
            "sub_teams": [{"name": "A", "observer_ids": observers[:2],
                           "rotation": [{"room": r, "minutes": 20} for r in ("101", "102", "103")]},
                          {"name": "B", "observer_ids": observers[2:], "rotation": [{"room": "104", "minutes": 25}]}],
            "classrooms": [{"grade": "4", "subject": "math", "room": r, "teacher_id": teachers[n]}
                           for n, r in enumerate(EVIDENCE)]}
        unknown = rnd.ok("POST", "/observations/visits", {**setup, "problem_of_practice_id": visiting}, 422)
        assert [e["field"] for e in unknown.json()["errors"]] == ["problem_of_practice_id"]
        bad_team = {**setup, "sub_teams": [{"name": "A", "observer_ids": [teachers[0]], "rotation": [{"room": "999"}]}]}
        fields = {e["field"] for e in rnd.ok("POST", "/observations/visits", bad_team, 422).json()["errors"]}
        assert fields == {"sub_teams[0].observer_ids[0]", "sub_teams[0].rotation[0].room"}
        first = rnd.ok("POST", "/observations/visits", setup, 201, **{"Idempotency-Key": "round-1"})
        retry = rnd.ok("POST", "/observations/visits", setup, 201, **{"Idempotency-Key": "round-1"})
        assert retry.json()["id"] == first.json()["id"]
        visit = first.json()
        assert visit["sub_teams"][1]["rotation"] == [{"room": "104", "minutes": 25}]
        assert visit["problem_of_practice_id"] == problem

        # a debrief is not written for a planned visit (issue 10)
        rnd.ok("PUT", f"/observations/visits/{visit['id']}/debrief", {"prediction": "x"}, 409)
        rnd.move(visit["id"], "in_progress")

        # observation: three observers online, the fourth offline (a batch from the tablet)
        for room, by_observer in EVIDENCE.items():
            for o, notes in by_observer.items():
                if o != 3:
                    rnd.record(visit, room, observers[o], notes)
        rooms = {r["room"]: r["id"] for r in visit["classrooms"]}
        rnd.ok("POST", "/observations/offline-batches", {"records": [{
            "client_id": "tablet-3:104", "visit_id": visit["id"], "classroom_id": rooms["104"],
            "observer_id": observers[3], "submit": True,
            "notes": [{"observed_at": at(n), "text": t, "look_for_codes": c, "client_id": f"tablet-3:n{n}"}
                      for n, (t, c) in enumerate(EVIDENCE["104"][3])]}]})
        rnd.move(visit["id"], "observed")

        # describe: the team sees everyone's evidence, filtered by classroom and look-for
        in_101 = rnd.ok("GET", f"/observations/visits/{visit['id']}/notes?classroom_id={rooms['101']}").json()
        assert len(in_101) == 3 and {n["observer_id"] for n in in_101} == set(observers[:2])
        assert len(rnd.ok("GET", f"/observations/visits/{visit['id']}/notes?look_for=K1").json()) == 4
        assert len(rnd.ok("GET", f"/observations/visits/{visit['id']}/records").json()) == 8
        rejected = rnd.describe(visit["id"])
        assert list(rejected.values()) == ["Students were engaged and on task throughout"]

        # analyze: team-written, quantified, on accepted evidence; the rejected note cannot be cited
        s1 = [n["id"] for n in rnd.ok("GET", f"/observations/visits/{visit['id']}/notes?look_for=S1").json()
              if n["screening"] == "accepted"]
        cited = rnd.ok("POST", f"/observations/visits/{visit['id']}/patterns", {
            "statement": "In some classrooms students explain to each other why one fraction is larger",
            "about": "students", "quantifier": "some", "note_ids": [*s1, *rejected]}, 422)
        assert {e["field"] for e in cited.json()["errors"]} == {f"note_ids[{len(s1)}]"}
        some = rnd.ok("POST", f"/observations/visits/{visit['id']}/patterns", {
            "statement": "In some classrooms students explain to each other why one fraction is larger",
            "about": "students", "quantifier": "some", "note_ids": s1, "look_for_codes": ["S1"]}, 201).json()
        t2 = [n["id"] for n in rnd.ok("GET", f"/observations/visits/{visit['id']}/notes?look_for=T2").json()]
        most = rnd.ok("POST", f"/observations/visits/{visit['id']}/patterns", {
            "statement": "In most classrooms of sub-team A the teacher demonstrates and students copy",
            "about": "teachers", "quantifier": "most", "note_ids": t2, "look_for_codes": ["T2"]}, 201).json()
        assert most["problem_of_practice_id"] == problem

        # predict, before anything may be debriefed
        missing = rnd.move(visit["id"], "debriefed", 409)
        assert [e["field"] for e in missing.json()["errors"]] == ["prediction"]
        debrief = rnd.ok("PUT", f"/observations/visits/{visit['id']}/debrief", {
            "prediction": "A student here would know a procedure for comparing fractions; in room 101 and 104 they "
                          "would also explain it with a drawing",
            "prediction_pattern_ids": [some["id"], most["id"]],
            "next_level_of_work": [
                {"recommendation": "Grade 4 teachers visit room 101 during math", "owner_id": observers[0],
                 "horizon": "next_week", "level": "teacher", "follow_up": "Debrief at the grade-team meeting"},
                {"recommendation": "Grade-team planning time for representation tasks", "owner_id": observers[0],
                 "horizon": "next_month", "level": "school"},
                {"recommendation": "District coaches share representation tasks across the network",
                 "owner_id": observers[2], "horizon": "end_of_year", "level": "system"}]}).json()
        hints = {p["code"]: (p["classrooms"], p["notes"]) for p in debrief["patterns"]}
        assert hints["S1"] == (2, 3)  # the rejected note is no hint either
        assert [s["quantifier"] for s in debrief["statements"]] == ["some", "most"]
        rnd.move(visit["id"], "debriefed")
        rnd.ok("PUT", f"/observations/visits/{visit['id']}/debrief", {"prediction": "late"}, 409)

        payloads = asyncio.run(fetch(platform, "SELECT payload FROM outbox WHERE tenant_id = 'rounds' "
                                               "AND type = 'org.improvenet.observations.visit.debriefed'"))
        debriefed = json.loads(payloads[0]) if isinstance(payloads[0], str) else payloads[0]
        assert debriefed["problem_of_practice_id"] == problem
        assert [(w["horizon"], w["level"]) for w in debriefed["next_level_of_work"]] == [
            ("next_week", "teacher"), ("next_month", "school"), ("end_of_year", "system")]
        examined = rnd.ok("GET", f"/observations/problems-of-practice/{problem}/visits").json()
        assert [v["id"] for v in examined] == [visit["id"]]

        # four classrooms are in: below the minimum of five, nothing is published
        index = rnd.ok("GET", f"/observations/schools/{host}/quality").json()
        assert (index["observed_classrooms"], index["published"], index["shares"]) == (4, False, {})
        quality_events = "SELECT payload FROM outbox WHERE tenant_id = 'rounds' AND topic = 'observations.quality'"
        assert asyncio.run(fetch(platform, quality_events)) == []

        # a second, short visit to room 105 brings the term to five classrooms: published once
        later = rnd.ok("POST", "/observations/visits", {
            **setup, "sub_teams": [], "observer_roles": {}, "observer_ids": observers[2:],
            "classrooms": [{"grade": "4", "subject": "math", "room": "105", "teacher_id": teachers[4]}]}, 201).json()
        rnd.move(later["id"], "in_progress")
        for o, notes in LATER["105"].items():
            rnd.record(later, "105", observers[o], notes)
        rnd.describe(later["id"])
        rnd.ok("PUT", f"/observations/visits/{later['id']}/debrief", {"prediction": "Students would compare answers"})
        rnd.move(later["id"], "debriefed")

        shares, overall = expected_index()
        index = rnd.ok("GET", f"/observations/schools/{host}/quality").json()
        assert index["published"] is True and index["observed_classrooms"] == 5
        assert index["shares"] == pytest.approx(shares) and index["overall"] == pytest.approx(overall)
        events = asyncio.run(fetch(platform, quality_events))
        assert len(events) == 1
        event = json.loads(events[0]) if isinstance(events[0], str) else events[0]
        assert event["overall"] == pytest.approx(overall) and "classroom_id" not in json.dumps(event)
        period = index["period"]
        closed = rnd.ok("POST", f"/observations/schools/{host}/quality/close", {"period": period}).json()
        assert closed[0]["overall"] == pytest.approx(overall)
        rnd.ok("POST", f"/observations/schools/{host}/quality/close", {"period": period})
        assert len(asyncio.run(fetch(platform, quality_events))) == 2  # threshold, then period close: once each
