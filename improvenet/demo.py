"""The Hamilton Elementary story (DOMAIN.md), loaded through the gateway as a coordinator would.

A high-poverty school, a new and demanding math curriculum, teachers who fall back on direct
instruction, and one model teacher down the hall whom colleagues have never observed. A round makes
that classroom visible: the evidence shows students explaining their reasoning there and nowhere else.
`improvenet-admin demo` runs it against a platform started with `make up`.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx

LOOK_FORS = [
    {"code": "T1", "description": "The teacher asks questions with more than one good answer", "domain": "teacher"},
    {"code": "T2", "description": "The teacher demonstrates a procedure step by step", "domain": "teacher"},
    {"code": "S1", "description": "Students explain their reasoning to each other", "domain": "students"},
    {"code": "S2", "description": "Students practise a procedure on their own", "domain": "students"},
    {"code": "K1", "description": "The task asks for a representation (drawing, number line), not only an answer",
     "domain": "task"},
    {"code": "E1", "description": "Student work and anchor charts are on the walls", "domain": "environment"},
]
PEOPLE = [("Dolores", "Grant", "principal"), ("Maria", "Santos", "teacher_leader"),
          ("Kevin", "Osei", "intermediate_teacher"), ("Lin", "Wu", "novice_teacher"),
          ("Jean", "Baptiste", "novice_teacher"), ("Ana", "Ruiz", "principal"), ("Tom", "Keane", "principal"),
          ("Rosa", "Diaz", "system_leader")]
# (room, teacher index, notes per observer: (minute, text, codes))
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
]


def run(gateway: str, token: str) -> dict[str, Any]:
    api = f"{gateway.rstrip('/')}/api/v1"
    with httpx.Client(headers={"Authorization": f"Bearer {token}"}, timeout=30) as c:
        def post(path: str, body: Any, **kw: Any) -> Any:
            r = c.post(f"{api}{path}", json=body, **kw)
            r.raise_for_status()
            return r

        district = post("/hr/districts", {"name": "Riverside Public Schools", "sourced_id": "demo-district"}).json()
        school = post("/hr/schools", {"name": "Hamilton Elementary", "district_id": district["id"],
                                      "sourced_id": "demo-hamilton"}).json()
        people = [post("/hr/educators", {"given_name": g, "family_name": f, "career_stage": stage,
                                         "school_id": school["id"] if i < 5 else None}).json()["id"]
                  for i, (g, f, stage) in enumerate(PEOPLE)]
        for _ in range(100):  # observations learns of them from hr's events, in milliseconds
            if c.get(f"{api}/observations/directory/educators/{people[-1]}").status_code == 200:
                break
        protocol = post("/observations/protocols", {"name": "Hamilton math rounds", "look_fors": LOOK_FORS}).json()
        version = protocol["versions"][0]["id"]
        observers = [people[0], people[5], people[6], people[7]]
        visit = post("/observations/visits", {
            "school_id": school["id"], "visit_date": date.today().isoformat(), "protocol_version_id": version,
            "problem_of_practice": "With the new curriculum, students give answers but rarely explain how they know.",
            "observer_ids": observers,
            "classrooms": [{"grade": "4", "subject": "math", "room": r, "teacher_id": people[t]} for r, t, _ in ROOMS],
        })
        v = visit.json()
        etag = visit.headers["etag"]
        etag = post(f"/observations/visits/{v['id']}/transitions", {"to": "in_progress"},
                    headers={"If-Match": etag}).headers["etag"]
        start = datetime.now(UTC).replace(second=0, microsecond=0)
        rooms = {c_["room"]: c_["id"] for c_ in v["classrooms"]}
        for observer in observers:
            for room, _, notes in ROOMS:
                record = post(f"/observations/visits/{v['id']}/records", {
                    "classroom_id": rooms[room], "observer_id": observer,
                    "notes": [{"observed_at": (start + timedelta(minutes=m)).isoformat(), "text": text,
                               "look_for_codes": codes} for m, text, codes in notes]})
                post(f"/observations/records/{record.json()['id']}/transitions", {"to": "submitted"},
                     headers={"If-Match": record.headers["etag"]})
        post_debrief = c.put(f"{api}/observations/visits/{v['id']}/debrief", json={
            "prediction": "Students would know procedures; in room 104 they would also explain and represent them.",
            "next_level_of_work": [
                {"recommendation": "Grade 4 teachers observe room 104 during math, then co-plan one task",
                 "owner_id": people[1], "due_date": (date.today() + timedelta(days=21)).isoformat()},
                {"recommendation": "Principal protects a weekly 45-minute grade-team planning block",
                 "owner_id": people[0], "due_date": (date.today() + timedelta(days=14)).isoformat()}]})
        post_debrief.raise_for_status()
        etag = c.get(f"{api}/observations/visits/{v['id']}").headers["etag"]
        post(f"/observations/visits/{v['id']}/transitions", {"to": "debriefed"}, headers={"If-Match": etag})
        index = c.get(f"{api}/observations/schools/{school['id']}/quality").json()
    return {"school_id": school["id"], "visit_id": v["id"], "quality_index": index,
            "patterns": post_debrief.json()["patterns"]}
