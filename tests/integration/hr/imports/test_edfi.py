"""Ed-Fi DS5 staff imports as jobs on PostgreSQL: a person with two assignments is one educator, a
superintendent assigned to the district has no school, classifications go through the tenant's ladder."""

from __future__ import annotations

import json
from typing import Any

from tests.data.hr import sets
from tests.integration.hr.imports.conftest import Imports


def body(data: dict[str, Any] | None = None) -> bytes:
    return json.dumps(data if data is not None else sets.edfi()).encode()


async def educator(imports: Imports, staff_unique_id: str) -> Any:
    items = (await imports.api.ok("GET", f"/educators?staff_unique_id={staff_unique_id}"))["items"]
    assert len(items) == 1, items
    return items[0]


async def school(imports: Imports, ed_fi_id: str) -> Any:
    return (await imports.api.ok("GET", f"/schools?ed_fi_id={ed_fi_id}"))["items"][0]


async def test_a_staff_set_with_two_assignments_and_a_district_level_one(imports: Imports) -> None:
    job = await imports.run("edfi", body())
    assert job["status"] == "succeeded", job["report"]
    assert job["progress"] == {"read": 11, "written": 6, "unchanged": 0, "failed": 0}
    district = (await imports.api.ok("GET", "/districts?ed_fi_id=255901"))["items"][0]
    lincoln = await school(imports, "255901002")
    assert lincoln["district_id"] == district["id"] and lincoln["name"] == "Lincoln Middle"
    maria = await educator(imports, "S-1001")  # two assignments, one educator
    assert maria["school_id"] == lincoln["id"]  # the latest school assignment's
    assert maria["career_stage"] == "teacher_leader"  # Instructional Coordinator, the more senior one
    assert maria["position"] == "Literacy Coordinator" and maria["email"] == "msantos@north.example"
    superintendent = await educator(imports, "S-2001")
    assert superintendent["school_id"] is None and superintendent["career_stage"] == "system_leader"
    james = await educator(imports, "S-3001")  # his Principal assignment ended: a teacher now
    assert james["career_stage"] == "novice_teacher" and james["school_id"] == lincoln["id"]
    assert await imports.api.count("educator") == 3
    registered = [e for e in await imports.api.events("educator.registered")]
    assert sorted(e["career_stage"] for e in registered) == ["novice_teacher", "system_leader", "teacher_leader"]

    again = await imports.run("edfi", body())
    assert again["progress"] == {"read": 11, "written": 0, "unchanged": 6, "failed": 0}
    assert len(await imports.api.events()) == 6  # nothing changed, nothing told


async def test_an_assignment_change_moves_the_educator_and_keeps_the_stage_hr_holds(imports: Imports) -> None:
    await imports.run("edfi", body())
    data = sets.edfi()
    data["staffEducationOrganizationAssignmentAssociations"][1]["endDate"] = "2026-01-31"  # the coordinator post ended
    job = await imports.run("edfi", body(data))
    assert job["status"] == "succeeded", job["report"]
    hamilton = await school(imports, "255901001")
    maria = await educator(imports, "S-1001")
    assert maria["school_id"] == hamilton["id"] and maria["position"] == "Grade 3 Teacher"
    assert maria["career_stage"] == "teacher_leader"  # a stage moves by the ladder's transitions, not by a load
    moved = (await imports.api.events("educator.updated"))[-1]
    assert moved["educator_id"] == maria["id"] and moved["school_id"] == hamilton["id"]


async def test_the_tenants_ladder_maps_a_classification_to_its_own_stage(imports: Imports) -> None:
    ladder = await imports.api.ok("GET", "/ladder")
    ladder.pop("version")
    ladder["stages"].insert(3, {"code": "lead_teacher", "name": "Lead teacher", "career_stage": "teacher_leader"})
    ladder["classifications"]["Instructional Coordinator"] = "lead_teacher"
    put = await imports.api.request("PUT", "/ladder", ladder, headers={"If-Match": '"0"'})
    assert put.status_code == 200, put.text
    assert (await imports.run("edfi", body()))["status"] == "succeeded"
    maria = await educator(imports, "S-1001")
    assert (maria["stage"], maria["career_stage"]) == ("lead_teacher", "teacher_leader")


async def test_a_defective_staff_set_writes_nothing(imports: Imports) -> None:
    data = sets.edfi()
    data["staffEducationOrganizationAssignmentAssociations"][2]["educationOrganizationReference"][
        "educationOrganizationId"] = 255999
    data["staffs"][0]["electronicMails"][1]["electronicMailAddress"] = "msantos-at-north"
    job = await imports.run("edfi", body(data))
    assert job["status"] == "failed"
    assert job["report"]["issues"] == [
        {"file": "staffs", "line": 1, "column": "electronicMails[1].electronicMailAddress",
         "value": "msantos-at-north", "expected": "an e-mail address"},
        {"file": "staffEducationOrganizationAssignmentAssociations", "line": 3,
         "column": "educationOrganizationReference.educationOrganizationId", "value": "255999",
         "expected": "the id of a school or local education agency in this set or one hr already holds"}]
    assert job["progress"]["failed"] == 2
    for table in ("district", "school", "educator"):
        assert await imports.api.count(table) == 0, table
    assert await imports.api.events() == []  # (reading the report with hr:pii is audited: platform.audit)
    assert await imports.api.scalar("SELECT count(*) FROM outbox WHERE topic = 'platform.audit'") == 1
    not_json = await imports.submit("edfi", b"[1, 2]")
    assert not_json.status_code == 422


async def test_a_later_set_may_refer_to_what_hr_holds(imports: Imports) -> None:
    await imports.run("edfi", body())
    data = {"staffs": [{"staffUniqueId": "S-4001", "firstName": "Dara", "lastSurname": "Obi"}],
            "staffEducationOrganizationAssignmentAssociations": [
                {"beginDate": "2026-08-20",
                 "staffClassificationDescriptor": "uri://ed-fi.org/StaffClassificationDescriptor#Teacher",
                 "educationOrganizationReference": {"educationOrganizationId": 255901001},
                 "staffReference": {"staffUniqueId": "S-4001"}},
                {"beginDate": "2026-08-20",
                 "staffClassificationDescriptor": "uri://ed-fi.org/StaffClassificationDescriptor#Teacher",
                 "educationOrganizationReference": {"educationOrganizationId": 255901001},
                 "staffReference": {"staffUniqueId": "S-2001"}, "positionTitle": "Substitute"}]}
    job = await imports.run("edfi", body(data))
    assert job["status"] == "succeeded", job["report"]
    hamilton = await school(imports, "255901001")
    assert (await educator(imports, "S-4001"))["school_id"] == hamilton["id"]
    kim = await educator(imports, "S-2001")  # an assignment only: the names hr holds are kept
    assert (kim["given_name"], kim["school_id"]) == ("Kim", hamilton["id"])


async def test_another_tenant_never_sees_the_job(imports: Imports) -> None:
    job = await imports.run("edfi", body())
    assert (await imports.api.get(f"/imports/{job['id']}", tenant="district-b")).status_code == 404
    assert (await imports.api.ok("GET", "/imports", tenant="district-b"))["items"] == []
    other = await imports.run("edfi", body(), tenant="district-b")  # the same ids in another tenant: its own
    assert other["progress"]["written"] == 6
