"""The ladder on PostgreSQL: transitions with history, illegal moves, concurrency, readiness, the config."""

from __future__ import annotations

import asyncio
import uuid

from tests.integration.hr.conftest import Pipeline

PROMOTE = {"to_stage": "intermediate_teacher", "criteria_met": ["induction completed", "mentor recommendation"],
           "evidence": "two years of observed growth"}


async def test_a_transition_records_criteria_evidence_approver_and_date(api: Pipeline) -> None:
    school = await api.school()
    approver = await api.educator("principal", school)
    novice = await api.educator("novice_teacher", school)
    r = await api.post(f"/educators/{novice['id']}/transitions", {**PROMOTE, "approver_id": approver["id"]},
                       headers={"If-Match": '"1"'})
    assert r.status_code == 201, r.text
    move = r.json()
    assert (move["seq"], move["from_stage"], move["to_stage"]) == (1, "novice_teacher", "intermediate_teacher")
    assert move["criteria_met"] == PROMOTE["criteria_met"] and move["approver_id"] == approver["id"]
    assert r.headers["etag"] == '"2"'
    educator = await api.ok("GET", f"/educators/{novice['id']}")
    assert (educator["career_stage"], educator["stage"], educator["version"]) == (
        "intermediate_teacher", "intermediate_teacher", 2)
    history = await api.ok("GET", f"/educators/{novice['id']}/transitions")
    assert [h["seq"] for h in history] == [1] and history[0]["evidence"] == PROMOTE["evidence"]
    changed = await api.events("stage.changed")
    assert changed == [{"type": "org.improvenet.hr.stage.changed", "educator_id": novice["id"], "school_id": school,
                        "from_stage": "novice_teacher", "to_stage": "intermediate_teacher",
                        "career_stage": "intermediate_teacher", "seq": 1,
                        "transitioned_on": move["transitioned_on"], "version": 2}]
    assert "two years" not in str(await api.events())  # evidence stays in hr


async def test_an_illegal_move_is_409_naming_the_allowed_ones_and_writes_nothing(api: Pipeline) -> None:
    approver = await api.educator("principal")
    novice = await api.educator("novice_teacher")
    foreign = await api.educator("principal", tenant="district-b")
    before = await api.count("outbox")
    r = await api.post(f"/educators/{novice['id']}/transitions", {"to_stage": "principal",
                                                                  "approver_id": approver["id"]})
    assert r.status_code == 409 and r.json()["allowed"] == ["intermediate_teacher"]
    assert r.json()["errors"][0]["field"] == "to_stage"
    missing = await api.post(f"/educators/{novice['id']}/transitions",
                             {"to_stage": "intermediate_teacher", "approver_id": approver["id"]})
    assert missing.status_code == 422 and {e["field"] for e in missing.json()["errors"]} == {"criteria_met"}
    unknown = await api.post(f"/educators/{novice['id']}/transitions", {**PROMOTE, "approver_id": foreign["id"]})
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "approver_id"
    assert await api.count("stage_transition") == 0 and await api.count("outbox") == before
    other_tenant = await api.post(f"/educators/{novice['id']}/transitions", {**PROMOTE, "approver_id": foreign["id"]},
                                  tenant="district-b")
    assert other_tenant.status_code == 404


async def test_concurrent_transitions_one_wins_the_history_has_no_gap(api: Pipeline) -> None:
    approver = await api.educator("principal")
    novice = await api.educator("novice_teacher")
    path = f"/educators/{novice['id']}/transitions"
    body = {**PROMOTE, "approver_id": approver["id"]}
    first, second = await asyncio.gather(api.post(path, body, headers={"If-Match": '"1"'}),
                                         api.post(path, body, headers={"If-Match": '"1"'}))
    assert sorted([first.status_code, second.status_code]) == [201, 412]
    # without If-Match the loser waits on the row lock, then finds the move no longer allowed
    body2 = {"to_stage": "teacher_leader", "criteria_met": ["leads colleagues' learning", "supervisor recommendation"],
             "approver_id": approver["id"]}
    a, b = await asyncio.gather(api.post(path, body2), api.post(path, body2))
    assert sorted([a.status_code, b.status_code]) == [201, 409]
    history = await api.ok("GET", path)
    assert [h["seq"] for h in history] == [1, 2]
    assert [h["to_stage"] for h in history] == ["intermediate_teacher", "teacher_leader"]


async def test_a_tenant_ladder_with_its_own_stage(api: Pipeline) -> None:
    ladder = await api.ok("GET", "/ladder")
    assert ladder["version"] == 0 and ladder["classifications"]["Principal"] == "principal"
    ladder.pop("version")
    ladder["stages"].insert(3, {"code": "lead_teacher", "name": "Lead teacher", "career_stage": "teacher_leader"})
    ladder["transitions"].append({"from_stage": "intermediate_teacher", "to_stage": "lead_teacher", "criteria": []})
    assert (await api.request("PUT", "/ladder", ladder)).status_code == 428
    put = await api.request("PUT", "/ladder", ladder, headers={"If-Match": '"0"'})
    assert put.status_code == 200 and put.headers["etag"] == '"1"'
    bad = await api.request("PUT", "/ladder", {**ladder, "default_stage": "nope"}, headers={"If-Match": '"1"'})
    assert bad.status_code == 409 and bad.json()["errors"][0]["field"] == "default_stage"
    approver = await api.educator("principal")
    teacher = await api.educator("intermediate_teacher")
    r = await api.post(f"/educators/{teacher['id']}/transitions", {"to_stage": "lead_teacher",
                                                                   "approver_id": approver["id"]})
    assert r.status_code == 201, r.text
    assert (await api.ok("GET", f"/educators/{teacher['id']}"))["stage"] == "lead_teacher"
    assert (await api.events("stage.changed"))[-1]["career_stage"] == "teacher_leader"
    removing = {**ladder, "stages": [s for s in ladder["stages"] if s["code"] != "lead_teacher"],
                "transitions": [t for t in ladder["transitions"] if "lead_teacher" not in t.values()]}
    in_use = await api.request("PUT", "/ladder", removing, headers={"If-Match": '"1"'})
    assert in_use.status_code == 409 and "lead_teacher" in in_use.json()["detail"]


async def test_readiness_for_the_next_stage(api: Pipeline) -> None:
    approver = await api.educator("principal")
    resident = await api.educator("principal_resident")
    path = f"/educators/{resident['id']}/readiness"
    assert (await api.ok("GET", path))["estimate"] is None
    wrong = await api.request("PUT", path, {"target_stage": "system_leader", "estimate": "ready_now",
                                            "approver_id": approver["id"]})
    assert wrong.status_code == 409 and wrong.json()["allowed"] == ["principal"]
    bad = await api.request("PUT", path, {"target_stage": "principal", "estimate": "soon",
                                          "approver_id": approver["id"]})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "estimate"
    ok = await api.ok("PUT", path, {"target_stage": "principal", "estimate": "one_to_two_years",
                                    "approver_id": approver["id"]})
    assert ok["estimate"] == "one_to_two_years"
    again = await api.ok("PUT", path, {"target_stage": "principal", "estimate": "ready_now",
                                       "approver_id": approver["id"]})
    assert again["version"] == 2 and (await api.ok("GET", path))["estimate"] == "ready_now"


async def test_bulk_load_without_a_stage_starts_at_the_default_and_keeps_it_on_reload(api: Pipeline) -> None:
    school = await api.school()
    items = [{"given_name": "A", "family_name": "B", "staff_unique_id": "S1", "school_id": school},
             {"given_name": "C", "family_name": "D", "staff_unique_id": "S2", "staff_classification": "Principal"},
             {"given_name": "E", "family_name": "F", "staff_unique_id": "S3", "career_stage": "teacher_leader"}]
    first = await api.post("/educators/bulk", {"items": items})
    assert first.status_code == 200, first.text
    assert first.json()["created"] == 3
    ids = [i["id"] for i in first.json()["items"]]
    stages = [(await api.ok("GET", f"/educators/{i}"))["stage"] for i in ids]
    assert stages == ["novice_teacher", "principal", "teacher_leader"]
    approver = ids[1]
    await api.ok("POST", f"/educators/{ids[0]}/transitions", {**PROMOTE, "approver_id": approver})
    again = await api.post("/educators/bulk", {"items": items})
    assert (again.json()["created"], again.json()["updated"], again.json()["unchanged"]) == (0, 0, 3)
    assert (await api.ok("GET", f"/educators/{ids[0]}"))["career_stage"] == "intermediate_teacher"
    items[0]["family_name"] = "Changed"
    changed = await api.post("/educators/bulk", {"items": items})
    assert changed.json()["updated"] == 1
    kept = await api.ok("GET", f"/educators/{ids[0]}")
    assert (kept["career_stage"], kept["family_name"]) == ("intermediate_teacher", "Changed")
    assert uuid.UUID(ids[0])
