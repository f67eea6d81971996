"""The Hamilton Elementary story (DOMAIN.md), loaded through the gateway as a coordinator would.

A high-poverty school, a new and demanding math curriculum, teachers who fall back on direct
instruction, and one model teacher down the hall whom colleagues have never observed. A round makes
that classroom visible: the evidence shows students explaining their reasoning there and nowhere else.
The round follows the protocol step by step: set-up (theory of action, focusing questions, sub-teams
with a classroom rotation, roles), observation, describe (each observer selects notes, the team screens
them: the one evaluative note is rejected), analyze (pattern statements), predict, next level of work.
`improvenet-admin demo` runs it against a platform started with `make up`. Running it again is harmless:
every creating request carries an Idempotency-Key, and a round already under way is read, not redone.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx

LOOK_FORS = [
    {"code": "T1", "description": "The teacher asks questions with more than one good answer", "domain": "teacher"},
    {"code": "T2", "description": "The teacher demonstrates a procedure step by step", "domain": "teacher",
     "weight": -1.0},
    {"code": "S1", "description": "Students explain their reasoning to each other", "domain": "students"},
    {"code": "S2", "description": "Students practise a procedure on their own", "domain": "students", "weight": -1.0},
    {"code": "K1", "description": "The task asks for a representation (drawing, number line), not only an answer",
     "domain": "task"},
    {"code": "E1", "description": "Student work and anchor charts are on the walls", "domain": "environment"},
]
PEOPLE = [("Dolores", "Grant", "principal"), ("Maria", "Santos", "teacher_leader"),
          ("Kevin", "Osei", "intermediate_teacher"), ("Lin", "Wu", "novice_teacher"),
          ("Jean", "Baptiste", "novice_teacher"), ("Ana", "Ruiz", "principal"), ("Tom", "Keane", "principal"),
          ("Rosa", "Diaz", "system_leader"), ("Sam", "Okafor", "intermediate_teacher")]
# (room, teacher index, notes: (minute, text, codes)); every observer of a room writes these notes
ROOMS = [
    ("104", 1, [(2, "Students at table 2 draw 3/4 and 2/3 on strips and argue which is larger", ["S1", "K1"]),
                (6, "Teacher asks: 'Who sees it another way?' Four hands; two students come to the board", ["T1"]),
                (9, "Anchor chart 'Ways to compare fractions' with three student methods", ["E1"])]),
    ("106", 2, [(1, "Teacher shows common denominators on the board, step 1 to step 4", ["T2"]),
                (5, "Students complete worksheet items 1-12 silently", ["S2"])]),
    ("108", 3, [(3, "Teacher demonstrates the algorithm; students copy it into notebooks", ["T2"]),
                (7, "Teacher asks 'What is 3/4 of 8?'; one student answers '6'", [])]),
    ("110", 4, [(2, "Students practise 10 problems from the textbook", ["S2"]),
                (8, "Great energy, but the teacher should let students talk more", ["T2"])]),
    ("112", 8, [(4, "Teacher reads the word problem aloud; students underline the numbers", ["T2"]),
                (9, "Students work the problem alone and hand in the answer", ["S2"])]),
]
THEORY_OF_ACTION = ("If teachers ask questions with more than one answer and give tasks that ask for a "
                    "representation, then students will explain how they know, and understanding will deepen.")
QUESTIONS = ["What are students asked to do, and how do they show how they know?",
             "Where do students talk to each other about their reasoning?"]


class Demo:
    """A coordinator's calls through the gateway; every creating call has its own Idempotency-Key."""

    def __init__(self, client: httpx.Client, api: str) -> None:
        self.c, self.api = client, api

    def create(self, path: str, body: Any, key: str) -> httpx.Response:
        r = self.c.post(f"{self.api}{path}", json=body, headers={"Idempotency-Key": f"hamilton-demo:{key}"})
        r.raise_for_status()
        return r

    def call(self, method: str, path: str, body: Any = None, etag: str | None = None) -> httpx.Response:
        r = self.c.request(method, f"{self.api}{path}", json=body, headers={"If-Match": etag} if etag else {})
        r.raise_for_status()
        return r

    def move(self, visit_id: str, to: str) -> None:
        etag = self.call("GET", f"/observations/visits/{visit_id}").headers["etag"]
        self.call("POST", f"/observations/visits/{visit_id}/transitions", {"to": to}, etag)


def _directory(d: Demo) -> tuple[dict[str, Any], list[str]]:
    district = d.create("/hr/districts", {"name": "Riverside Public Schools", "sourced_id": "demo-district"},
                        "district").json()
    school = d.create("/hr/schools", {"name": "Hamilton Elementary", "district_id": district["id"],
                                      "sourced_id": "demo-hamilton"}, "school").json()
    people = [d.create("/hr/educators", {"given_name": g, "family_name": f, "career_stage": stage,
                                         "school_id": school["id"] if i < 5 or i == 8 else None},
                       f"educator-{i}").json()["id"] for i, (g, f, stage) in enumerate(PEOPLE)]
    for _ in range(100):  # observations learns of them from hr's events, in milliseconds
        if d.c.get(f"{d.api}/observations/directory/educators/{people[-1]}").status_code == 200:
            break
    return school, people


def _observe(d: Demo, visit: dict[str, Any], observers: list[str]) -> None:
    start = datetime.now(UTC).replace(second=0, microsecond=0)
    rooms = {c_["room"]: c_["id"] for c_ in visit["classrooms"]}
    for o, observer in enumerate(observers):
        for room, _, notes in ROOMS:
            record = d.create(f"/observations/visits/{visit['id']}/records", {
                "classroom_id": rooms[room], "observer_id": observer,
                "notes": [{"observed_at": (start + timedelta(minutes=m)).isoformat(), "text": text,
                           "look_for_codes": codes, "language": "en"} for m, text, codes in notes]},
                f"record-{o}-{room}")
            d.call("POST", f"/observations/records/{record.json()['id']}/transitions", {"to": "submitted"},
                   record.headers["etag"])


def _describe(d: Demo, visit_id: str) -> None:
    """Each observer brings every note; the team accepts the descriptive ones and rejects the rest."""
    for n in d.call("GET", f"/observations/visits/{visit_id}/notes").json():
        d.call("PUT", f"/observations/notes/{n['id']}/selection", {"selected": True})
        if n["descriptive"]:
            d.call("PUT", f"/observations/notes/{n['id']}/screening", {"decision": "accepted"})
        else:
            d.call("PUT", f"/observations/notes/{n['id']}/screening",
                   {"decision": "rejected", "reason": "a judgement and a recommendation, not what was seen"})


def _analyze_and_predict(d: Demo, visit_id: str, people: list[str]) -> None:
    notes = d.call("GET", f"/observations/visits/{visit_id}/notes").json()
    by_code = {code: [n["id"] for n in notes if code in n["look_for_codes"] and n["screening"] == "accepted"]
               for code in ("S1", "T2")}
    few = d.create(f"/observations/visits/{visit_id}/patterns", {
        "statement": "In few classrooms students explained their reasoning to each other, with drawings",
        "about": "students", "quantifier": "few", "note_ids": by_code["S1"], "look_for_codes": ["S1", "K1"]},
        "pattern-s1").json()
    most = d.create(f"/observations/visits/{visit_id}/patterns", {
        "statement": "In most classrooms the teacher demonstrated a procedure that students then practised alone",
        "about": "teachers", "quantifier": "most", "note_ids": by_code["T2"], "look_for_codes": ["T2"]},
        "pattern-t2").json()
    d.call("PUT", f"/observations/visits/{visit_id}/debrief", {
        "prediction": "Students would know procedures; in room 104 they would also explain and represent them.",
        "prediction_pattern_ids": [few["id"], most["id"]],
        "next_level_of_work": [
            {"recommendation": "Grade 4 teachers observe room 104 during math, then co-plan one task",
             "owner_id": people[1], "horizon": "next_month", "level": "teacher",
             "due_date": (date.today() + timedelta(days=21)).isoformat(),
             "follow_up": "A learning walk in January looks for students explaining in every grade 4 room"},
            {"recommendation": "Principal protects a weekly 45-minute grade-team planning block",
             "owner_id": people[0], "horizon": "next_week", "level": "school",
             "due_date": (date.today() + timedelta(days=7)).isoformat()},
            {"recommendation": "The district's math coaches bring representation tasks to every network school",
             "owner_id": people[7], "horizon": "end_of_year", "level": "system"}]})


def run(gateway: str, token: str) -> dict[str, Any]:
    api = f"{gateway.rstrip('/')}/api/v1"
    with httpx.Client(headers={"Authorization": f"Bearer {token}"}, timeout=30) as c:
        d = Demo(c, api)
        school, people = _directory(d)
        protocol = d.create("/observations/protocols", {"name": "Hamilton math rounds", "look_fors": LOOK_FORS},
                            "protocol").json()
        observers = [people[0], people[5], people[6], people[7]]
        visit = d.create("/observations/visits", {
            "school_id": school["id"], "visit_date": date.today().isoformat(),
            "protocol_version_id": protocol["versions"][0]["id"],
            "problem_of_practice": "With the new curriculum, students give answers but rarely explain how they know.",
            "theory_of_action": THEORY_OF_ACTION, "focusing_questions": QUESTIONS,
            "observer_ids": observers,
            "observer_roles": {people[7]: "facilitator", people[0]: "host", people[5]: "recorder",
                               people[6]: "timekeeper"},
            "sub_teams": [{"name": "A", "observer_ids": observers[:2],
                           "rotation": [{"room": r, "minutes": 20} for r in ("104", "106", "108", "110", "112")]},
                          {"name": "B", "observer_ids": observers[2:],
                           "rotation": [{"room": r, "minutes": 20} for r in ("110", "112", "104", "106", "108")]}],
            "classrooms": [{"grade": "4", "subject": "math", "room": r, "teacher_id": people[t]} for r, t, _ in ROOMS],
        }, "visit").json()
        current = d.call("GET", f"/observations/visits/{visit['id']}").json()
        if current["status"] == "planned":  # a first run; a second one reads what the first left
            d.move(visit["id"], "in_progress")
            _observe(d, visit, observers)
            d.move(visit["id"], "observed")
            _describe(d, visit["id"])
            _analyze_and_predict(d, visit["id"], people)
            d.move(visit["id"], "debriefed")
        debrief = d.call("GET", f"/observations/visits/{visit['id']}/debrief").json()
        index = d.call("GET", f"/observations/schools/{school['id']}/quality").json()
    return {"school_id": school["id"], "visit_id": visit["id"], "quality_index": index,
            "patterns": debrief["patterns"], "statements": debrief["statements"],
            "next_level_of_work": debrief["next_level_of_work"]}
