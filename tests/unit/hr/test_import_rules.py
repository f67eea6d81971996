"""The import rules without a database: OneRoster 1.2 CSV and Ed-Fi DS5 sets read, checked and planned.

Each defect the issue lists gives one precise report (file, line, column, value, what was expected), and a
set with any defect gives a plan that is never applied.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

from services.hr.imports import edfi, oneroster
from services.hr.imports.rules import Issue, Known, Plan, stale, visible_issue
from services.hr.ladder.rules import DEFAULT_LADDER
from tests.data.hr import sets

HELD = Known(districts=frozenset({"dist-1"}), schools=frozenset({"sch-1", "sch-2"}),
             educators=frozenset({"t-1", "t-2"}))
TODAY = date(2026, 9, 10)


def planned(files: dict[str, str], known: Known = Known()) -> tuple[Plan, list[Issue]]:
    roster, issues = oneroster.read(sets.zipped(files))
    if issues:
        return Plan("sourced_id", "sourced_id"), issues
    return oneroster.plan(roster, known, DEFAULT_LADDER.classifications)


def only(issues: list[Issue]) -> Issue:
    assert len(issues) == 1, issues
    return issues[0]


def edfi_plan(body: dict[str, Any], known: Known = Known()) -> tuple[Plan, list[Issue]]:
    resources, issues = edfi.read(json.dumps(body).encode())
    assert not issues, issues
    return edfi.plan(resources, known, TODAY,
                     lambda c: DEFAULT_LADDER.rank(DEFAULT_LADDER.stage_for(c)))


# --- OneRoster: valid sets -----------------------------------------------------------------------------

def test_a_bulk_set_becomes_districts_schools_and_staff_only() -> None:
    plan, issues = planned(sets.oneroster("bulk"))
    assert issues == []
    assert [d.key for d in plan.districts] == ["dist-1"]
    assert [(s.key, s.parent) for s in plan.schools] == [("sch-1", "dist-1"), ("sch-2", "dist-1")]
    staff = {e.key: e for e in plan.educators}
    assert set(staff) == {"t-1", "t-2", "p-1", "da-1"}  # the student and the guardian are not educators
    assert "Sam" not in repr(plan) and "Gail" not in repr(plan)  # nothing of their rows is kept
    assert staff["t-2"].org == "sch-2"  # the primary role's school, not the secondary one's
    assert staff["p-1"].fields["staff_classification"] == "Principal"
    assert staff["da-1"].org == "dist-1" and staff["da-1"].fields["staff_classification"] == "LEA Administrator"
    assert plan.rows_read == 19 and plan.ignored == 7  # a department, 2 sessions, 2 users and 2 roles not staff


def test_a_delta_set_carries_changes_and_removals() -> None:
    plan, issues = planned(sets.oneroster("delta"), HELD)
    assert issues == []
    assert [s.key for s in plan.schools] == ["sch-3"] and [r.key for r in plan.remove_schools] == ["sch-2"]
    assert [r.key for r in plan.remove_educators] == ["t-2"]
    renamed = next(e for e in plan.educators if e.key == "t-1")
    assert renamed.fields["family_name"] == "Santos-Reyes" and not renamed.has_org  # no role: school kept
    assert renamed.modified == datetime(2026, 9, 2, 8, tzinfo=UTC)
    assert {e.key for e in plan.educators} == {"t-1", "t-3"}


def test_a_role_may_name_an_org_or_user_hr_holds_but_not_one_nobody_holds() -> None:
    files = sets.oneroster("delta")
    assert planned(files, HELD)[1] == []
    issues = planned(files, Known())[1]  # nothing held: the new school's district dangles
    assert [(i.file, i.line, i.column, i.value) for i in issues] == [("orgs.csv", 2, "parentSourcedId", "dist-1")]
    # (the rows tobedeleted name sch-2, sch-1 and t-2, which may be gone already: removals are not followed)


# --- OneRoster: each defect, its report -----------------------------------------------------------------

def test_a_header_typo_is_reported_once_with_what_was_meant() -> None:
    files = sets.with_cell(sets.oneroster("bulk"), "users.csv", 1, "givenName", "givnName")
    issue = only(planned(files)[1])
    assert (issue.file, issue.line, issue.column, issue.value) == ("users.csv", 1, "givnName", "givnName")
    assert issue.expected == "a OneRoster 1.2 column of users.csv (did you mean 'givenName'?)"


def test_a_missing_required_column_is_named() -> None:
    files = sets.oneroster("bulk")
    files["orgs.csv"] = "\n".join(",".join(r.split(",")[:4] + r.split(",")[5:])
                                  for r in files["orgs.csv"].splitlines()) + "\n"  # drop `type`
    issue = only(planned(files)[1])
    assert (issue.file, issue.line, issue.column, issue.value, issue.expected) == (
        "orgs.csv", 1, "type", None, "a column named type")


def test_an_unknown_enumeration_value_names_the_allowed_ones() -> None:
    issue = only(planned(sets.with_cell(sets.oneroster("bulk"), "roles.csv", 2, "role", "teachr"))[1])
    assert (issue.file, issue.line, issue.column, issue.value) == ("roles.csv", 2, "role", "teachr")
    assert issue.expected.startswith("one of aide, counselor, districtAdministrator")
    assert issue.expected.endswith("(or ext:...)")
    status = only(planned(sets.with_cell(sets.oneroster("delta"), "orgs.csv", 2, "status", "inactive"), HELD)[1])
    assert (status.file, status.line, status.column, status.value, status.expected) == (
        "orgs.csv", 2, "status", "inactive", "one of active, tobedeleted")  # not extensible
    extended = planned(sets.with_cell(sets.oneroster("bulk"), "orgs.csv", 5, "type", "ext:campus"))
    assert extended[1] == []  # a 1.2 extension value is allowed where the enumeration is extensible


def test_a_dangling_parent_sourced_id_is_reported() -> None:
    issue = only(planned(sets.with_cell(sets.oneroster("bulk"), "orgs.csv", 3, "parentSourcedId", "dist-9"))[1])
    assert (issue.file, issue.line, issue.column, issue.value) == ("orgs.csv", 3, "parentSourcedId", "dist-9")
    assert issue.expected == "the sourcedId of an org in orgs.csv or one hr already holds"
    session = only(planned(sets.with_cell(sets.oneroster("bulk"), "academicSessions.csv", 3, "parentSourcedId",
                                          "ay-1999"))[1])
    assert (session.file, session.line, session.column, session.value) == (
        "academicSessions.csv", 3, "parentSourcedId", "ay-1999")


def test_non_iso_dates_are_reported() -> None:
    issue = only(planned(sets.with_cell(sets.oneroster("bulk"), "roles.csv", 3, "beginDate", "08/20/2024"))[1])
    assert (issue.file, issue.line, issue.column, issue.value, issue.expected) == (
        "roles.csv", 3, "beginDate", "08/20/2024", "an ISO 8601 date, YYYY-MM-DD")
    modified = only(planned(sets.with_cell(sets.oneroster("delta"), "orgs.csv", 2, "dateLastModified",
                                           "2026-09-02 08:00"), HELD)[1])
    assert (modified.file, modified.line, modified.column, modified.value) == (
        "orgs.csv", 2, "dateLastModified", "2026-09-02 08:00")
    assert modified.expected.startswith("an ISO 8601 date-time with its offset")
    impossible = only(planned(sets.with_cell(sets.oneroster("bulk"), "academicSessions.csv", 2, "startDate",
                                             "2026-02-30"))[1])
    assert (impossible.line, impossible.column, impossible.value) == (2, "startDate", "2026-02-30")


def test_a_row_status_the_mode_does_not_allow_is_reported() -> None:
    bulk = only(planned(sets.with_cell(sets.oneroster("bulk"), "users.csv", 3, "status", "tobedeleted"))[1])
    assert (bulk.file, bulk.line, bulk.column, bulk.value) == ("users.csv", 3, "status", "tobedeleted")
    assert bulk.expected.startswith("blank or active: a bulk file is the whole set")
    delta = planned(sets.with_cell(sets.oneroster("delta"), "roles.csv", 4, "status", ""), HELD)[1]
    assert [(i.file, i.line, i.column, i.value, i.expected) for i in delta] == [
        ("roles.csv", 4, "status", None, "active or tobedeleted (required in delta mode)")]


def test_a_students_row_is_reported_without_its_values() -> None:
    issues = planned(sets.with_cell(sets.oneroster("bulk"), "users.csv", 6, "enabledUser", "yes"))[1]
    assert [(i.file, i.line, i.column, i.value) for i in issues] == [("users.csv", 6, "enabledUser", None)]


def test_a_staff_members_personal_value_is_marked_and_redacted_without_pii() -> None:
    issue = only(planned(sets.with_cell(sets.oneroster("bulk"), "users.csv", 2, "email", "not-an-address"))[1])
    assert (issue.line, issue.column, issue.value, issue.personal) == (2, "email", "not-an-address", True)
    assert visible_issue(issue.stored(), include_personal=False)["value"] == "[personal data: hr:pii]"
    assert visible_issue(issue.stored(), include_personal=True)["value"] == "not-an-address"


def test_the_manifest_is_checked_before_any_file() -> None:
    files = sets.oneroster("bulk")
    version = only(planned({**files, "manifest.csv": files["manifest.csv"].replace("oneroster.version,1.2",
                                                                                   "oneroster.version,1.1")})[1])
    assert (version.file, version.line, version.column, version.value) == ("manifest.csv", 3, "value", "1.1")
    missing = only(planned({k: v for k, v in files.items() if k != "roles.csv"})[1])
    assert (missing.file, missing.expected) == ("roles.csv", "roles.csv in the zip (the manifest declares it bulk)")
    typo = only(planned({**files, "manifest.csv": files["manifest.csv"].replace("file.orgs,", "file.orgz,")})[1:][0]
                [:1])
    assert (typo.file, typo.column, typo.value) == ("manifest.csv", "propertyName", "file.orgz")
    assert "did you mean 'file.orgs'" in typo.expected
    assert only(oneroster.read(b"not a zip")[1]).expected == "a zip archive of OneRoster 1.2 CSV files"


def test_a_delta_row_not_newer_than_what_hr_applied_is_stale() -> None:
    older, newer = datetime(2026, 9, 1, tzinfo=UTC), datetime(2026, 9, 2, tzinfo=UTC)
    assert stale(older, newer) and stale(newer, newer) and not stale(newer, older)
    assert not stale(None, newer) and not stale(newer, None)


def test_a_role_maps_to_a_classification_the_tenant_may_override() -> None:
    assert oneroster.classification_for("teacher", {}) == "Teacher"
    assert oneroster.classification_for("teacher", {"oneroster:teacher": "novice_teacher"}) == "oneroster:teacher"


# --- Ed-Fi ------------------------------------------------------------------------------------------------

def test_a_person_with_two_assignments_is_one_educator_at_the_latest_school_and_most_senior_stage() -> None:
    plan, issues = edfi_plan(sets.edfi())
    assert issues == []
    staff = {e.key: e for e in plan.educators}
    assert list(staff) == ["S-1001", "S-2001", "S-3001"]
    maria = staff["S-1001"]
    assert maria.org == "255901002"  # the latest school assignment
    assert maria.fields["staff_classification"] == "Instructional Coordinator"  # more senior than Teacher
    assert maria.fields["position"] == "Literacy Coordinator"
    assert maria.fields["email"] == "msantos@north.example"  # the work address
    james = staff["S-3001"]  # an ended Principal assignment does not count
    assert james.fields["staff_classification"] == "Teacher" and james.org == "255901002"


def test_an_assignment_at_the_district_gives_an_educator_without_a_school() -> None:
    plan, _ = edfi_plan(sets.edfi())
    superintendent = next(e for e in plan.educators if e.key == "S-2001")
    assert superintendent.has_org and superintendent.org is None
    assert superintendent.fields["staff_classification"] == "Superintendent"
    assert [d.key for d in plan.districts] == ["255901"]
    assert [(s.key, s.parent) for s in plan.schools] == [("255901001", "255901"), ("255901002", "255901")]


def test_the_same_set_split_into_local_education_agencies_and_schools_plans_the_same() -> None:
    body = sets.edfi()
    orgs = body.pop("educationOrganizations")
    body["localEducationAgencies"] = [o for o in orgs if "localEducationAgencyId" in o]
    body["schools"] = [o for o in orgs if "schoolId" in o]
    split, issues = edfi_plan(body)
    mixed, _ = edfi_plan(sets.edfi())
    assert issues == [] and [e.fields for e in split.educators] == [e.fields for e in mixed.educators]


def test_ed_fi_defects_name_the_resource_record_and_field() -> None:
    body = sets.edfi()
    body[edfi.ASSIGNMENTS][0]["educationOrganizationReference"]["educationOrganizationId"] = 999
    body[edfi.ASSIGNMENTS][1]["beginDate"] = "20/08/2025"
    body[edfi.ASSIGNMENTS][2]["staffClassificationDescriptor"] = "Superintendent"
    body[edfi.STAFFS][1]["staffUniqueId"] = "S-1001"
    body[edfi.EDORGS].append({"stateEducationAgencyId": 48, "nameOfInstitution": "State"})
    _, issues = edfi_plan(body)
    found = {(i.file, i.line, i.column, i.value) for i in issues}
    assert found == {
        (edfi.ASSIGNMENTS, 1, "educationOrganizationReference.educationOrganizationId", "999"),
        (edfi.ASSIGNMENTS, 2, "beginDate", "20/08/2025"),
        (edfi.ASSIGNMENTS, 3, "staffClassificationDescriptor", "Superintendent"),
        (edfi.STAFFS, 2, "staffUniqueId", "S-1001"),
        (edfi.ASSIGNMENTS, 3, "staffReference.staffUniqueId", "S-2001"),  # S-2001's record is the duplicate
        (edfi.EDORGS, 4, None, None),
    }
    unknown = edfi.read(json.dumps({"staff": []}).encode())[1]
    assert [(i.column, i.value) for i in unknown] == [("staff", "staff")]
